import numpy as np
import pytest

from neuroflow.engine import Variable
from neuroflow.optimizers import Adam, AdamW
from tests.optimizers._reference import GRADS, W0, run_steps


def reference(lr=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    """Keras' Adam: epsilon outside the sqrt, bias correction folded into the rate."""
    w, m, v, v_hat = W0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for t, g in enumerate(GRADS, start=1):
        if weight_decay:
            w = w - w * weight_decay * lr
        alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        if amsgrad:
            v_hat = np.maximum(v_hat, v)
            w = w - alpha * m / (np.sqrt(v_hat) + epsilon)
        else:
            w = w - alpha * m / (np.sqrt(v) + epsilon)
    return w


def test_defaults():
    optimizer = Adam()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon, optimizer.amsgrad) == (
        0.001, 0.9, 0.999, 1e-7, False)
    assert AdamW().weight_decay == 0.004


def test_first_step_moves_each_weight_by_about_the_learning_rate():
    # After one step m_hat / sqrt(v_hat) = sign(g), so every weight moves by ~lr whatever |g| is.
    variable = Variable(np.array([1.0, 2.0, 3.0, 4.0], dtype="float32"))
    Adam(learning_rate=0.5).apply_gradients([(np.array([1.0, 6.0, 7.0, 2.0], dtype="float32"), variable)])
    np.testing.assert_allclose(variable.numpy(), [0.5, 1.5, 2.5, 3.5], atol=1e-5)


@pytest.mark.parametrize("options", [{}, {"amsgrad": True}, {"beta_1": 0.5, "beta_2": 0.7, "epsilon": 1e-3}])
def test_two_steps_against_rule(options):
    np.testing.assert_allclose(run_steps(Adam(learning_rate=0.01, **options)), reference(**options), rtol=1e-12)


def test_amsgrad_differs_when_the_second_moment_shrinks():
    # With a fast-forgetting v, plain Adam's steps grow again once v shrinks; AMSGrad keeps max(v).
    grads = [np.array([3.0])] + [np.array([0.01])] * 4
    plain = run_steps(Adam(learning_rate=0.1, beta_2=0.5), grads=grads, w0=[0.0])
    ams = run_steps(Adam(learning_rate=0.1, beta_2=0.5, amsgrad=True), grads=grads, w0=[0.0])
    assert abs(plain[0] - ams[0]) > 1e-2
    assert plain[0] < ams[0] < 0  # both move against the gradient; AMSGrad by less


def test_adamw_two_steps_against_rule():
    np.testing.assert_allclose(run_steps(AdamW(learning_rate=0.01, weight_decay=0.1)),
                               reference(weight_decay=0.1), rtol=1e-12)


def test_adamw_needs_weight_decay():
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW(weight_decay=None)
