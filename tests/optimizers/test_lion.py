import numpy as np
import pytest

from neuroflow import optimizers
from neuroflow.optimizers import Lion
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults_and_names():
    optimizer = Lion()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2) == (0.001, 0.9, 0.99)
    assert type(optimizers.get("lion")) is Lion and type(optimizers.get("Lion")) is Lion
    again = optimizers.deserialize(optimizers.serialize(Lion(learning_rate=0.2, beta_2=0.5)))
    assert (type(again), again.learning_rate, again.beta_2) == (Lion, 0.2, 0.5)


def test_two_steps_against_rule():
    lr, b1, b2 = 0.01, 0.9, 0.99
    w, m = W0.copy(), np.zeros(4)
    for g in GRADS:
        w = w - lr * np.sign(b1 * m + (1 - b1) * g)
        m = b2 * m + (1 - b2) * g
    np.testing.assert_allclose(run_steps(Lion(learning_rate=lr)), w, rtol=1e-12)


def test_worked_single_step():
    # m = 0: the direction is sign(0.1 * g); every nonzero coordinate moves by exactly the learning rate.
    value = run_steps(Lion(learning_rate=0.5), grads=[np.array([2.0, -3.0, 0.0])], w0=[1.0, 1.0, 1.0])
    np.testing.assert_allclose(value, [0.5, 1.5, 1.0])


def test_beta_1_range():
    with pytest.raises(ValueError, match="beta_1"):
        Lion(beta_1=0.0)
