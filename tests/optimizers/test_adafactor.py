import numpy as np

from neuroflow import optimizers
from neuroflow.engine import Variable
from neuroflow.optimizers import Adafactor
from tests.optimizers._reference import run_steps


def test_defaults_and_names():
    optimizer = Adafactor()
    assert (optimizer.beta_2_decay, optimizer.epsilon_1, optimizer.epsilon_2, optimizer.clip_threshold) == (
        -0.8, 1e-30, 1e-3, 1.0)
    assert type(optimizers.get("adafactor")) is Adafactor
    again = optimizers.deserialize(optimizers.serialize(Adafactor(clip_threshold=0.5)))
    assert (type(again), again.clip_threshold) == (Adafactor, 0.5)


def test_worked_single_step_on_a_vector():
    # t = 1: beta = 1 - 1 = 0, so v = g^2 (+ 1e-30) and u = sign(g), rms(u) = 1 (no clipping);
    # rho = min(0.5, 1) = 0.5, alpha = max(1e-3, rms([3, 4])) * 0.5.
    w0 = np.array([3.0, 4.0])
    alpha = np.sqrt((9 + 16) / 2) * 0.5
    value = run_steps(Adafactor(learning_rate=0.5), grads=[np.array([2.0, -1.0])], w0=w0)
    np.testing.assert_allclose(value, w0 - alpha * np.array([1.0, -1.0]))


def test_matrix_keeps_factored_moments():
    optimizer = Adafactor()
    kernel = Variable(np.ones((4, 3)), dtype="float64")
    optimizer.apply_gradients([(np.full((4, 3), 0.5), kernel)])
    shapes = sorted(tuple(v.shape) for v in optimizer.variables)
    assert (3,) in shapes and (4,) in shapes and (4, 3) in shapes
