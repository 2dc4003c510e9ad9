import numpy as np
import pytest

from neuroflow import ops, regularizers
from neuroflow.engine import GradientTape, Variable
from neuroflow.testing import check_gradients

X = np.array([[1.0, -2.0], [3.0, 0.5]])


def penalty_and_gradient(regularizer, x=X):
    variable = Variable(x, dtype="float64")
    with GradientTape() as tape:
        penalty = regularizer(variable)
    (gradient,) = tape.gradient(penalty, [variable])
    return float(penalty), gradient.numpy()


def test_l1_value_and_gradient():
    penalty, gradient = penalty_and_gradient(regularizers.L1(0.1))
    assert penalty == pytest.approx(0.1 * 6.5)
    np.testing.assert_allclose(gradient, 0.1 * np.sign(X))


def test_l2_value_and_gradient():
    penalty, gradient = penalty_and_gradient(regularizers.L2(0.1))
    assert penalty == pytest.approx(0.1 * 14.25)
    np.testing.assert_allclose(gradient, 0.2 * X)


def test_l1_l2_value_and_gradient():
    penalty, gradient = penalty_and_gradient(regularizers.L1L2(l1=0.1, l2=0.2))
    assert penalty == pytest.approx(0.1 * 6.5 + 0.2 * 14.25)
    np.testing.assert_allclose(gradient, 0.1 * np.sign(X) + 0.4 * X)


def test_defaults():
    assert regularizers.L1().l1 == 0.01 and regularizers.L2().l2 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    by_name = regularizers.get("l1_l2")
    assert (by_name.l1, by_name.l2) == (0.01, 0.01)
    assert float(regularizers.L1L2()(X)) == 0.0


def test_keeps_the_weight_dtype():
    assert regularizers.L2()(Variable(np.ones(3, dtype="float32"))).dtype == "float32"


def test_keras_docstring_example():
    # L2(2.) on a 5x5 tensor of ones is 50.
    assert float(regularizers.L2(2.0)(ops.convert_to_tensor(np.ones((5, 5))))) == 50.0


def test_finite_difference_gradients():
    for regularizer in (regularizers.L2(0.3), regularizers.L1L2(l1=0.0, l2=0.7),
                        regularizers.OrthogonalRegularizer(0.5)):
        check_gradients(regularizer, np.random.default_rng(0).normal(size=(3, 4)))


def test_orthogonal_regularizer():
    assert float(regularizers.OrthogonalRegularizer(1.0)(np.eye(3))) == pytest.approx(0.0)
    # Rows [1, 0] and [1, 1]/sqrt(2): one pair with |cos| = 1/sqrt(2); penalty = 0.5 * 2 * 0.7071 / 1
    rows = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert float(regularizers.OrthogonalRegularizer(1.0)(rows)) == pytest.approx(1 / np.sqrt(2))
    assert float(regularizers.OrthogonalRegularizer(1.0, mode="columns")(rows.T)) == pytest.approx(1 / np.sqrt(2))
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_rejects_negative_factors():
    with pytest.raises(ValueError, match="l2"):
        regularizers.L2(-1.0)


def test_get():
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert isinstance(regularizers.get("L2"), regularizers.L2)
    assert regularizers.get(None) is None
    instance = regularizers.L2(0.5)
    assert regularizers.get(instance) is instance
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.5}}).l2 == 0.5
    with pytest.raises(ValueError, match="Did you mean 'l1_l2'"):
        regularizers.get("l1_l3")


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.2), regularizers.L2(0.3),
                                         regularizers.L1L2(l1=0.1, l2=0.4),
                                         regularizers.OrthogonalRegularizer(0.2, mode="columns")])
def test_config_round_trip(regularizer):
    rebuilt = regularizers.deserialize(regularizers.serialize(regularizer))
    assert type(rebuilt) is type(regularizer) and rebuilt.get_config() == regularizer.get_config()
    assert float(rebuilt(X)) == float(regularizer(X))
