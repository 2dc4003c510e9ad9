import numpy as np
import pytest

from neuroflow.optimizers import Ftrl
from tests.optimizers._reference import GRADS, W0, run_steps


def reference(lr, power=-0.5, n0=0.1, l1=0.0, l2=0.0, shrinkage=0.0, beta=0.0):
    w, n, z = W0.copy(), np.full(4, n0), np.zeros(4)
    p = -power
    for g in GRADS:
        g_shrunk = g + 2 * shrinkage * w
        n_new = n + g**2
        z = z + g_shrunk - (n_new**p - n**p) / lr * w
        quadratic = n_new**p / lr + 2 * (l2 + beta / (2 * lr))
        w = np.where(np.abs(z) <= l1, 0.0, (np.sign(z) * l1 - z) / quadratic)
        n = n_new
    return w


def test_defaults():
    optimizer = Ftrl()
    assert (optimizer.learning_rate, optimizer.learning_rate_power, optimizer.initial_accumulator_value,
            optimizer.l1_regularization_strength, optimizer.l2_regularization_strength,
            optimizer.l2_shrinkage_regularization_strength, optimizer.beta) == (0.001, -0.5, 0.1, 0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("options", [{}, {"l1": 0.05, "l2": 0.15, "shrinkage": 0.01, "beta": 0.3, "power": -0.2,
                                          "n0": 0.4}])
def test_two_steps_against_rule(options):
    names = {"l1": "l1_regularization_strength", "l2": "l2_regularization_strength",
             "shrinkage": "l2_shrinkage_regularization_strength", "beta": "beta", "power": "learning_rate_power",
             "n0": "initial_accumulator_value"}
    optimizer = Ftrl(learning_rate=0.5, **{names[k]: v for k, v in options.items()})
    np.testing.assert_allclose(run_steps(optimizer), reference(0.5, **options), rtol=1e-12, atol=1e-15)


def test_l1_zeroes_small_weights():
    # A large l1 keeps |z| below it, so every weight is exactly 0 after a step.
    value = run_steps(Ftrl(learning_rate=0.5, l1_regularization_strength=100.0))
    np.testing.assert_array_equal(value, np.zeros(4))


@pytest.mark.parametrize("argument", [{"learning_rate_power": 0.5}, {"initial_accumulator_value": -1.0},
                                      {"l1_regularization_strength": -1.0}, {"l2_regularization_strength": -1.0},
                                      {"l2_shrinkage_regularization_strength": -1.0}])
def test_bad_arguments(argument):
    with pytest.raises(ValueError, match=list(argument)[0]):
        Ftrl(**argument)
