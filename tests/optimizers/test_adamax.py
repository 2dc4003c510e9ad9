import numpy as np

from neuroflow.optimizers import Adamax
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults():
    optimizer = Adamax()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.001, 0.9, 0.999, 1e-7)


def test_two_steps_against_rule():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, u = W0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr / (1 - b1**t) * m / (u + eps)
    np.testing.assert_allclose(run_steps(Adamax(learning_rate=lr)), w, rtol=1e-12)


def test_worked_single_step():
    # m = 0.1 * 2 = 0.2, u = 2; w = 1 - 0.5 * 0.2 / (0.1 * (2 + 1e-7)) = 0.5 (up to epsilon)
    value = run_steps(Adamax(learning_rate=0.5), grads=[np.array([2.0])], w0=[1.0])
    np.testing.assert_allclose(value, [1 - 0.1 / (0.1 * (2 + 1e-7))], rtol=1e-12)
