"""Hashing: Keras' documented buckets (its docstring's examples; Keras' own layer needs TensorFlow),
output modes, numbers, configs, functional use and errors."""
import numpy
import pytest

from neuroflow import layers, models
from neuroflow.utils.farmhash import fingerprint64
from tests.layers.helpers import config_round_trip

LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


def test_keras_documented_buckets():
    numpy.testing.assert_array_equal(layers.Hashing(num_bins=3)(LETTERS).numpy(), [[1], [0], [1], [1], [2]])
    masked = layers.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    numpy.testing.assert_array_equal(masked.numpy(), [[1], [1], [0], [2], [2]])
    assert layers.Hashing(num_bins=3)(LETTERS).numpy().dtype == numpy.int64


def test_numbers_hash_as_decimal_strings():
    out = layers.Hashing(num_bins=7)(numpy.array([[12, -3], [7, 0]])).numpy()
    expected = [[fingerprint64(str(v)) % 7 for v in row] for row in [[12, -3], [7, 0]]]
    numpy.testing.assert_array_equal(out, expected)
    floats = layers.Hashing(num_bins=7)(numpy.array([[12.7, -3.2]])).numpy()   # truncated first
    numpy.testing.assert_array_equal(floats, [expected[0]])


@pytest.mark.parametrize("mode, shape", [("one_hot", (5, 3)), ("multi_hot", (5, 3)), ("count", (5, 3))])
def test_output_modes(mode, shape):
    out = layers.Hashing(num_bins=3, output_mode=mode)(LETTERS).numpy()
    assert out.shape == shape
    numpy.testing.assert_array_equal(out.argmax(axis=-1), [1, 0, 1, 1, 2])
    assert layers.Hashing(num_bins=3, output_mode=mode).compute_output_shape((5, 1)) == (5, 3)


def test_config_and_functional():
    layer = layers.Hashing(num_bins=5, mask_value="x", output_mode="multi_hot")
    config_round_trip(layer)
    inputs = layers.Input((2,), dtype="int64")
    model = models.Model(inputs, layers.Hashing(num_bins=4)(inputs))
    numpy.testing.assert_array_equal(model.predict(numpy.array([[1, 2]]), verbose=0),
                                     [[fingerprint64("1") % 4, fingerprint64("2") % 4]])


def test_bad_arguments():
    with pytest.raises(ValueError, match="`num_bins` must be a positive integer"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="output_mode"):
        layers.Hashing(num_bins=3, output_mode="tf_idf")
    with pytest.raises(NotImplementedError, match="salt"):
        layers.Hashing(num_bins=3, salt=133)
    with pytest.raises(ValueError, match="sparse"):
        layers.Hashing(num_bins=3, output_mode="one_hot", sparse=True)
