"""Shared checks for the layer tests: config and native save/load round trips."""
import numpy

from neuroflow import layers, models


def config_round_trip(layer):
    """Rebuilds `layer` from its config and asserts the config survives unchanged."""
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    return clone


def check_save_load_round_trip(tmp_path, layer, input_shape, rng):
    """Saves a one-layer Sequential model in the native format, loads it, and compares predictions."""
    model = models.Sequential([layers.Input(input_shape), layer])
    x = rng.normal(size=(3,) + tuple(input_shape)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = models.load_model(path)
    assert type(loaded.layers[-1]) is type(layer)
    numpy.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    return loaded
