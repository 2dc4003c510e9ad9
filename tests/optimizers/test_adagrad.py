import numpy as np
import pytest

from neuroflow.engine import Variable
from neuroflow.optimizers import Adagrad
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults():
    optimizer = Adagrad()
    assert (optimizer.learning_rate, optimizer.initial_accumulator_value, optimizer.epsilon) == (0.001, 0.1, 1e-7)


def test_worked_single_step():
    # s = 0.1 + 2**2 = 4.1; w = 1 - 0.5 * 2 / sqrt(4.1 + 1e-7)
    value = run_steps(Adagrad(learning_rate=0.5), grads=[np.array([2.0])], w0=[1.0])
    np.testing.assert_allclose(value, [1 - 1.0 / np.sqrt(4.1 + 1e-7)], rtol=1e-12)


def test_two_steps_against_rule():
    lr, eps = 0.1, 1e-7
    w, s = W0.copy(), np.full(4, 0.1)
    for g in GRADS:
        s = s + g**2
        w = w - lr * g / np.sqrt(s + eps)
    np.testing.assert_allclose(run_steps(Adagrad(learning_rate=lr)), w, rtol=1e-12)


def test_initial_accumulator_is_the_slot_start():
    optimizer = Adagrad(initial_accumulator_value=0.7)
    optimizer.build([Variable(np.zeros(3))])
    slot = optimizer.variables[0]
    assert slot.dtype == "float32" and not slot.trainable
    np.testing.assert_allclose(slot.numpy(), [0.7] * 3, rtol=1e-7)


def test_negative_accumulator_rejected():
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        Adagrad(initial_accumulator_value=-1.0)
