import numpy as np
import pytest

from neuroflow.optimizers import RMSprop
from tests.optimizers._reference import GRADS, W0, run_steps


def reference(lr=0.01, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    w, v, a, m = W0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for g in GRADS:
        v = rho * v + (1 - rho) * g**2
        if centered:
            a = rho * a + (1 - rho) * g
            increment = lr * g / np.sqrt(v - a**2 + epsilon)
        else:
            increment = lr * g / np.sqrt(v + epsilon)
        if momentum:
            m = momentum * m + increment
            w = w - m
        else:
            w = w - increment
    return w


def test_defaults():
    optimizer = RMSprop()
    assert (optimizer.learning_rate, optimizer.rho, optimizer.momentum, optimizer.epsilon, optimizer.centered) == (
        0.001, 0.9, 0.0, 1e-7, False)


def test_worked_single_step():
    # v = 0.1 * 4 = 0.4; w = 1 - 0.5 * 2 / sqrt(0.4 + 1e-7)
    value = run_steps(RMSprop(learning_rate=0.5), grads=[np.array([2.0])], w0=[1.0])
    np.testing.assert_allclose(value, [1 - 1.0 / np.sqrt(0.4 + 1e-7)], rtol=1e-12)


@pytest.mark.parametrize("options", [{}, {"momentum": 0.5}, {"centered": True}, {"centered": True, "momentum": 0.3}])
def test_two_steps_against_rule(options):
    np.testing.assert_allclose(run_steps(RMSprop(learning_rate=0.01, **options)), reference(**options), rtol=1e-12)


@pytest.mark.parametrize("argument", [{"rho": 1.5}, {"momentum": -0.1}, {"epsilon": 0.0}])
def test_bad_arguments(argument):
    with pytest.raises(ValueError, match=list(argument)[0]):
        RMSprop(**argument)
