import numpy as np
import pytest

from neuroflow import backend, constraints
from neuroflow.engine import Variable

EPS = 1e-7


@pytest.fixture(autouse=True)
def _on_numpy():
    """These tests check the formulas on host arrays against NumPy references, whatever NEUROFLOW_BACKEND
    says; on a device the same code runs inside every model's build (tests/training/test_on_device.py)."""
    previous = backend.backend()
    backend.set_backend("numpy")
    yield
    backend.set_backend(previous)


def test_max_norm_caps_column_norms():
    w = np.array([[3.0, 0.6], [4.0, 0.8]])   # column norms 5 and 1
    out = constraints.MaxNorm(max_value=2)(w)
    np.testing.assert_allclose(out[:, 0], w[:, 0] * 2 / (5 + EPS))
    np.testing.assert_allclose(out[:, 1], w[:, 1] * 1 / (1 + EPS))
    rows = constraints.MaxNorm(max_value=1, axis=1)(w)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1.0, 1.0], rtol=1e-6)


def test_non_neg():
    np.testing.assert_array_equal(constraints.NonNeg()(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])


def test_unit_norm():
    out = constraints.UnitNorm()(np.array([[3.0, 0.0], [4.0, 2.0]]))
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [1.0, 1.0], rtol=1e-6)


def test_min_max_norm():
    w = np.array([[0.3, 3.0], [0.4, 4.0]])   # column norms 0.5 and 5
    out = constraints.MinMaxNorm(min_value=1.0, max_value=2.0)(w)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [1.0, 2.0], rtol=1e-6)
    half = constraints.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(w)
    np.testing.assert_allclose(np.linalg.norm(half, axis=0), [0.75, 3.5], rtol=1e-6)


def test_accepts_variables_and_keeps_dtype():
    variable = Variable(np.array([-1.0, 2.0], dtype="float32"))
    out = constraints.NonNeg()(variable)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [0.0, 2.0])
    np.testing.assert_array_equal(variable.numpy(), [-1.0, 2.0])   # the input is not modified


@pytest.mark.parametrize("name, cls", [("max_norm", "MaxNorm"), ("non_neg", "NonNeg"), ("unit_norm", "UnitNorm"),
                                       ("min_max_norm", "MinMaxNorm"), ("MaxNorm", "MaxNorm")])
def test_get_by_name(name, cls):
    assert type(constraints.get(name)).__name__ == cls


def test_get_errors_and_passthrough():
    assert constraints.get(None) is None
    instance = constraints.UnitNorm(axis=1)
    assert constraints.get(instance) is instance
    with pytest.raises(ValueError, match="Did you mean 'non_neg'"):
        constraints.get("non_negative")


@pytest.mark.parametrize("constraint", [constraints.MaxNorm(3.0, axis=1), constraints.NonNeg(),
                                        constraints.UnitNorm(axis=[0, 1]),
                                        constraints.MinMaxNorm(0.5, 1.5, rate=0.7, axis=0)])
def test_config_round_trip(constraint):
    rebuilt = constraints.deserialize(constraints.serialize(constraint))
    assert type(rebuilt) is type(constraint) and rebuilt.get_config() == constraint.get_config()
    w = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_array_equal(rebuilt(w), constraint(w))
