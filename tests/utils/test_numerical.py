import numpy
import pytest

from neuroflow.utils import normalize, to_categorical


def test_to_categorical_worked_example():
    result = to_categorical([0, 2, 1, 2], num_classes=4)
    expected = numpy.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=numpy.float64)
    numpy.testing.assert_array_equal(result, expected)
    assert result.dtype == numpy.float64


def test_to_categorical_infers_classes_and_shapes():
    assert to_categorical([1, 3]).shape == (2, 4)
    column = numpy.array([[0], [2], [1]], dtype=numpy.uint8)  # e.g. cifar10's (n, 1) labels
    numpy.testing.assert_array_equal(to_categorical(column), to_categorical([0, 2, 1]))
    assert to_categorical(column).shape == (3, 3)
    grid = to_categorical(numpy.array([[0, 1], [1, 0]]), num_classes=2)
    assert grid.shape == (2, 2, 2) and grid[0, 1].tolist() == [0.0, 1.0]
    assert to_categorical(2, num_classes=3).tolist() == [0.0, 0.0, 1.0]
    assert to_categorical(numpy.array([1.0, 0.0])).tolist() == [[0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize(
    "labels, num_classes, message",
    [([0, -1, 2], None, "negative label"), ([0, 3], 3, "label 3 with num_classes=3"),
     ([0.5, 1.0], None, "whole-number"), ([0, 1], -2, "num_classes must be"),
     (["a", "b"], None, "integer class labels")],
)
def test_to_categorical_bad_labels(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels, num_classes=num_classes)


def test_normalize_l2_rows_and_zero_rows():
    x = numpy.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]], dtype=numpy.float32)
    result = normalize(x)
    numpy.testing.assert_allclose(result, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]])
    assert result.dtype == numpy.float32


def test_normalize_axis_and_order():
    x = numpy.array([[1.0, 2.0], [3.0, -2.0]])
    numpy.testing.assert_allclose(normalize(x, axis=0, order=1), [[0.25, 0.5], [0.75, -0.5]])
    numpy.testing.assert_allclose(normalize(x, order=numpy.inf), [[0.5, 1.0], [1.0, -2 / 3]])
    numpy.testing.assert_allclose(numpy.linalg.norm(normalize(numpy.arange(1.0, 7.0).reshape(2, 3)), axis=-1), 1.0)
    with pytest.raises(ValueError, match="axis=2"):
        normalize(x, axis=2)
