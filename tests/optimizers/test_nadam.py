import numpy as np

from neuroflow.engine import Variable
from neuroflow.optimizers import Nadam
from tests.optimizers._reference import GRADS, W0, run_steps


def reference(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, grads=GRADS, w0=W0):
    w, m, v, product = np.array(w0, dtype=float), 0.0, 0.0, 1.0
    for t, g in enumerate(grads, start=1):
        mu_t = beta_1 * (1 - 0.5 * 0.96**t)
        mu_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        product = product * mu_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
        v_hat = v / (1 - beta_2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return w


def test_defaults():
    optimizer = Nadam()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.001, 0.9, 0.999, 1e-7)


def test_two_steps_against_rule():
    np.testing.assert_allclose(run_steps(Nadam(learning_rate=0.01)), reference(0.01), rtol=1e-12)


def test_momentum_product_is_shared_across_variables():
    # Two variables updated together must each see the same schedule product as if alone.
    first, second = Variable(W0.copy(), dtype="float64"), Variable(-W0.copy(), dtype="float64")
    optimizer = Nadam(learning_rate=0.01)
    for g in GRADS:
        optimizer.apply_gradients([(g, first), (-g, second)])
    np.testing.assert_allclose(first.numpy(), reference(0.01), rtol=1e-12)
    np.testing.assert_allclose(second.numpy(), reference(0.01, grads=[-g for g in GRADS], w0=-W0), rtol=1e-12)


def test_variables_added_later_get_slots():
    first, second = Variable(W0.copy(), dtype="float64"), Variable(W0.copy(), dtype="float64")
    optimizer = Nadam(learning_rate=0.01)
    optimizer.apply_gradients([(GRADS[0], first)])
    optimizer.apply_gradients([(GRADS[1], first), (GRADS[1], second)])
    np.testing.assert_allclose(first.numpy(), reference(0.01), rtol=1e-12)
    assert len(optimizer.variables) == 5   # 2 slots each + the shared schedule product
