"""One operator table (ops.OPERATORS) serves Tensor and KerasTensor: the same op runs or becomes a node."""
import numpy
import pytest

from neuroflow import layers, models, ops
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.tensor import Tensor

X = numpy.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype="float32")
W = numpy.arange(6, dtype="float32").reshape(3, 2) / 4

# expression -> what NumPy computes
CASES = {
    "x + 2": (lambda x: x + 2, lambda a: a + 2),
    "2 + x": (lambda x: 2 + x, lambda a: 2 + a),
    "x - 2": (lambda x: x - 2, lambda a: a - 2),
    "2 - x": (lambda x: 2 - x, lambda a: 2 - a),
    "x * 3": (lambda x: x * 3, lambda a: a * 3),
    "3 * x": (lambda x: 3 * x, lambda a: 3 * a),
    "x / 4": (lambda x: x / 4, lambda a: a / 4),
    "4 / x": (lambda x: 4 / x, lambda a: 4 / a),
    "x @ W": (lambda x: x @ W, lambda a: a @ W),
    "x ** 2": (lambda x: x ** 2, lambda a: a ** 2),
    "2 ** x": (lambda x: 2 ** x, lambda a: 2 ** a),
    "-x": (lambda x: -x, lambda a: -a),
    "+x": (lambda x: +x, lambda a: +a),
    "abs(x)": (lambda x: abs(x), lambda a: abs(a)),
    "x[:, 1]": (lambda x: x[:, 1], lambda a: a[:, 1]),
    "x + x": (lambda x: x + x, lambda a: a + a),
    "array * x": (lambda x: numpy.full(3, 2.0, dtype="float32") * x, lambda a: numpy.full(3, 2.0, dtype="float32") * a),
}


def test_both_classes_hold_the_same_table():
    for name, function in ops.OPERATORS.items():
        assert getattr(Tensor, name) is function
        assert getattr(KerasTensor, name) is function


def test_tensor_operators_are_the_op_functions_themselves():
    # No wrapper between the operator and the op: Tensor arithmetic is on the hot path.
    assert Tensor.__add__ is ops.add
    assert Tensor.__mul__ is ops.multiply
    assert Tensor.__matmul__ is ops.matmul
    assert Tensor.__getitem__ is ops.getitem


@pytest.mark.parametrize("expression", sorted(CASES))
def test_tensor_operator(expression):
    function, expected = CASES[expression]
    numpy.testing.assert_allclose(function(Tensor(X)).numpy(), expected(X), rtol=1e-6)


@pytest.mark.parametrize("expression", sorted(CASES))
def test_keras_tensor_operator_builds_the_same_computation(expression):
    function, expected = CASES[expression]
    inputs = layers.Input((3,))
    outputs = function(inputs)
    assert isinstance(outputs, KerasTensor)
    model = models.Model(inputs, outputs)
    numpy.testing.assert_allclose(numpy.asarray(model(X)), expected(X), rtol=1e-6)


def test_comparisons_compute_on_tensors_and_refuse_placeholders():
    numpy.testing.assert_array_equal((Tensor(X) < 1).numpy(), X < 1)
    numpy.testing.assert_array_equal((Tensor(X) >= 1).numpy(), X >= 1)
    inputs = layers.Input((3,))
    with pytest.raises(TypeError, match="symbolic placeholder"):
        inputs < 1  # noqa: B015
    with pytest.raises(TypeError, match="symbolic placeholder"):
        numpy.asarray(inputs)


def test_array_methods_stay_on_tensors():
    numpy.testing.assert_array_equal(Tensor(X).T.numpy(), X.T)
    numpy.testing.assert_array_equal(Tensor(X).reshape(3, 2).numpy(), X.reshape(3, 2))
    assert Tensor(X).astype("float64").dtype == "float64"
    assert not hasattr(KerasTensor, "T")


def test_equality_and_logical_operators_are_elementwise_on_tensors():
    # `y_true == y_pred` in a metric's update_state compares element by element, as on torch or JAX
    # tensors, broadcasting like NumPy; the hash stays identity, so tensors still key dicts.
    labels, predictions = Tensor(numpy.array([0, 2, 1])), Tensor(numpy.array([[0], [2], [2]]))
    numpy.testing.assert_array_equal((labels == predictions).numpy(), numpy.array([0, 2, 1]) == numpy.array(
        [[0], [2], [2]]))
    numpy.testing.assert_array_equal((labels != 2).numpy(), [True, False, True])
    positive, small = Tensor(X) > 0, Tensor(X) < 2
    numpy.testing.assert_array_equal((positive & small).numpy(), (X > 0) & (X < 2))
    numpy.testing.assert_array_equal((positive | small).numpy(), (X > 0) | (X < 2))
    numpy.testing.assert_array_equal((positive ^ small).numpy(), (X > 0) ^ (X < 2))
    numpy.testing.assert_array_equal((~positive).numpy(), ~(X > 0))
    assert (labels == None) is False and (labels != None) is True  # noqa: E711 - what is tested
    assert [labels] != [None] and {labels: 1}[labels] == 1
    # A placeholder keeps identity equality: the functional graph keys its nodes by tensor.
    inputs = layers.Input((3,))
    assert (inputs == inputs) is True and (inputs == layers.Input((3,))) is False
