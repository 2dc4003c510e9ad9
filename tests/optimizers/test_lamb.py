import numpy as np

from neuroflow import optimizers
from neuroflow.optimizers import Lamb
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults_and_names():
    optimizer = Lamb()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert type(optimizers.get("lamb")) is Lamb
    again = optimizers.deserialize(optimizers.serialize(Lamb(epsilon=1e-3)))
    assert (type(again), again.epsilon) == (Lamb, 1e-3)


def test_two_steps_against_rule():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, v = W0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        r = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        w = w - lr * (np.linalg.norm(w) / np.linalg.norm(r)) * r
    np.testing.assert_allclose(run_steps(Lamb(learning_rate=lr)), w, rtol=1e-12)


def test_worked_single_step_and_zero_weights():
    # One step: r = g / (|g| + eps) ~ sign(g); the trust ratio scales the step to ||w|| / ||r||.
    w0 = np.array([3.0, 4.0])
    r = np.array([1.0, -1.0]) / (1 + 1e-7)
    expected = w0 - 0.1 * (5.0 / np.linalg.norm(r)) * r
    np.testing.assert_allclose(run_steps(Lamb(learning_rate=0.1), grads=[np.array([1.0, -1.0])], w0=w0), expected)
    # Zero weights: the ratio is 1, the step is Adam's.
    np.testing.assert_allclose(run_steps(Lamb(learning_rate=0.1), grads=[np.array([2.0])], w0=[0.0]),
                               [-0.1 * 2.0 / (2.0 + 1e-7)])
