"""Masking: the mask it computes, its zeroed output, and masked recurrent layers after it."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.testing import check_layer_gradients


def test_mask_and_output():
    x = numpy.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]], dtype="float32")
    out = layers.Masking()(x)
    numpy.testing.assert_array_equal(out._keras_mask.numpy(), [[True, False, True]])
    numpy.testing.assert_array_equal(out.numpy(), x)
    custom = layers.Masking(mask_value=-1.0)(numpy.array([[[-1.0, -1.0], [-1.0, 5.0]]], dtype="float32"))
    numpy.testing.assert_array_equal(custom._keras_mask.numpy(), [[False, True]])
    numpy.testing.assert_array_equal(custom.numpy(), [[[0.0, 0.0], [-1.0, 5.0]]])


def test_gradients(float64, rng):
    # Finite differences only where no step sits exactly on mask_value (a kink there).
    check_layer_gradients(layers.Masking(mask_value=5.0), rng.normal(size=(2, 3, 4)))
    x = rng.normal(size=(2, 3, 4))
    x[0, 1] = 0.0
    tensor = neuroflow.ops.convert_to_tensor(x)
    with neuroflow.GradientTape() as tape:
        tape.watch(tensor)
        loss = neuroflow.ops.sum(layers.Masking()(tensor))
    grad = tape.gradient(loss, tensor).numpy()
    expected = numpy.ones_like(x)
    expected[0, 1] = 0.0  # a padded step passes no gradient
    numpy.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("recurrent", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_masked_padding_gives_the_unpadded_result(rng, recurrent):
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    padded = numpy.concatenate([x, numpy.zeros((2, 3, 3), "float32")], axis=1)
    layer = recurrent(5)
    numpy.testing.assert_allclose(layer(layers.Masking()(padded)).numpy(), layer(x).numpy(), rtol=1e-5, atol=1e-6)


def test_functional_masking_model_and_config(tmp_path, rng):
    inputs = neuroflow.Input(shape=(None, 3))
    outputs = layers.LSTM(2)(layers.Masking(mask_value=0.0)(inputs))
    model = neuroflow.Model(inputs, outputs)
    x = rng.normal(size=(1, 3, 3)).astype("float32")
    padded = numpy.concatenate([x, numpy.zeros((1, 2, 3), "float32")], axis=1)
    numpy.testing.assert_allclose(model(padded).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "masking.nfz")
    loaded = neuroflow.models.load_model(tmp_path / "masking.nfz")
    numpy.testing.assert_allclose(loaded(padded).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)
    config = layers.Masking(mask_value=-2.0).get_config()
    assert layers.Masking.from_config(config).get_config() == config
