import numpy as np

from neuroflow.optimizers import Adadelta
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults():
    optimizer = Adadelta()
    assert (optimizer.learning_rate, optimizer.rho, optimizer.epsilon) == (0.001, 0.95, 1e-7)


def test_two_steps_against_rule():
    lr, rho, eps = 1.0, 0.95, 1e-7
    w, eg, edx = W0.copy(), np.zeros(4), np.zeros(4)
    for g in GRADS:
        eg = rho * eg + (1 - rho) * g**2
        dx = -np.sqrt(edx + eps) * g / np.sqrt(eg + eps)
        edx = rho * edx + (1 - rho) * dx**2
        w = w + lr * dx
    np.testing.assert_allclose(run_steps(Adadelta(learning_rate=lr)), w, rtol=1e-12)


def test_worked_single_step():
    # E[g^2] = 0.05 * 4 = 0.2; dx = -sqrt(1e-7) * 2 / sqrt(0.2 + 1e-7)
    value = run_steps(Adadelta(learning_rate=1.0), grads=[np.array([2.0])], w0=[1.0])
    np.testing.assert_allclose(value, [1 - np.sqrt(1e-7) * 2 / np.sqrt(0.2 + 1e-7)], rtol=1e-12)
