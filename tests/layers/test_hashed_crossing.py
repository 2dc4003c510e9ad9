"""HashedCrossing: the bins of Keras 3's documented examples (TensorFlow's cross_hashed), shapes, one-hot,
config and errors."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from tests.layers.helpers import config_round_trip

FEATURE_1 = numpy.array(["A", "B", "A", "B", "A"])
FEATURE_2 = numpy.array([101, 101, 101, 102, 102])


def test_matches_keras_documented_bins():
    out = layers.HashedCrossing(num_bins=5)((FEATURE_1, FEATURE_2))
    assert out.dtype == "int64"
    numpy.testing.assert_array_equal(out.numpy(), [1, 4, 1, 1, 3])
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")((FEATURE_1, FEATURE_2)).numpy()
    numpy.testing.assert_array_equal(one_hot, numpy.eye(5, dtype="float32")[[1, 4, 1, 1, 3]])


def test_shapes_and_order():
    layer = layers.HashedCrossing(num_bins=1000)
    column = layer((FEATURE_1[:, None], FEATURE_2[:, None])).numpy()
    numpy.testing.assert_array_equal(column[:, 0], layer((FEATURE_1, FEATURE_2)).numpy())
    assert layer(("A", 101)).shape == ()
    assert layer((FEATURE_1, FEATURE_2, FEATURE_2)).shape == (5,)
    assert not numpy.array_equal(layer((FEATURE_2, FEATURE_1)).numpy(), layer((FEATURE_1, FEATURE_2)).numpy())
    assert layer.compute_output_shape(((None, 1), (None, 1))) == (None, 1)
    assert layers.HashedCrossing(4, output_mode="one_hot").compute_output_shape(((None, 1), (None, 1))) == (None, 4)
    config_round_trip(layers.HashedCrossing(7, output_mode="one_hot"))


def test_functional_shape():
    a, b = neuroflow.Input((1,), dtype="int64"), neuroflow.Input((1,), dtype="int64")
    assert layers.HashedCrossing(3)((a, b)).shape == (None, 1)


@pytest.mark.parametrize("call, match", [
    (lambda: layers.HashedCrossing(0), "num_bins"), (lambda: layers.HashedCrossing(3, output_mode="count"), "output_mode"),
    (lambda: layers.HashedCrossing(3)(FEATURE_1), "list or tuple"),
    (lambda: layers.HashedCrossing(3)((FEATURE_1,)), "at least two"),
    (lambda: layers.HashedCrossing(3)((FEATURE_1, FEATURE_2[:3])), "same shape"),
    (lambda: layers.HashedCrossing(3)((FEATURE_2 * 0.5, FEATURE_2)), "integer or string"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
