"""SpatialDropout1D/2D, GaussianNoise, GaussianDropout: training-only noise of the right structure."""
import numpy
import pytest

from neuroflow import layers, models
from neuroflow.engine.gradcheck import check_layer_gradients
from tests.layers.helpers import config_round_trip, check_save_load_round_trip


def test_spatial_dropout2d_drops_whole_channels(rng):
    x = rng.uniform(1.0, 2.0, size=(4, 5, 6, 32)).astype("float32")
    layer = layers.SpatialDropout2D(0.5, seed=3)
    y = layer(x, training=True).numpy()
    ratio = y / x
    # One factor per (sample, channel): 0 (dropped) or 1 / (1 - rate) = 2 (kept), constant over pixels.
    numpy.testing.assert_allclose(ratio, ratio[:, :1, :1, :] * numpy.ones_like(ratio), rtol=1e-6)
    assert numpy.all(numpy.isclose(ratio, 0) | numpy.isclose(ratio, 2.0, rtol=1e-5))
    assert 0.2 < (ratio[:, 0, 0] == 0).mean() < 0.8
    numpy.testing.assert_array_equal(layer(x).numpy(), x)


def test_spatial_dropout_channels_first_and_1d(rng):
    x = rng.uniform(1.0, 2.0, size=(3, 16, 4, 5)).astype("float32")
    ratio = layers.SpatialDropout2D(0.5, data_format="channels_first", seed=1)(x, training=True).numpy() / x
    numpy.testing.assert_allclose(ratio, ratio[:, :, :1, :1] * numpy.ones_like(ratio), rtol=1e-6)
    x1 = rng.uniform(1.0, 2.0, size=(3, 7, 16)).astype("float32")
    ratio1 = layers.SpatialDropout1D(0.25, seed=2)(x1, training=True).numpy() / x1
    numpy.testing.assert_allclose(ratio1, ratio1[:, :1, :] * numpy.ones_like(ratio1), rtol=1e-6)
    assert numpy.all(numpy.isclose(ratio1, 0) | numpy.isclose(ratio1, 1 / 0.75, rtol=1e-5))


def test_gaussian_noise_only_in_training(rng):
    x = numpy.zeros((200, 50), dtype="float32")
    layer = layers.GaussianNoise(0.5, seed=0)
    noise = layer(x, training=True).numpy()
    assert abs(noise.std() - 0.5) < 0.01 and abs(noise.mean()) < 0.01
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    numpy.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_gaussian_dropout_has_mean_one_and_the_right_spread(rng):
    x = numpy.ones((400, 50), dtype="float32")
    y = layers.GaussianDropout(0.2, seed=0)(x, training=True).numpy()
    assert abs(y.mean() - 1.0) < 0.01 and abs(y.std() - numpy.sqrt(0.2 / 0.8)) < 0.01
    numpy.testing.assert_array_equal(layers.GaussianDropout(0.2)(x).numpy(), x)


@pytest.mark.parametrize("make, shape", [(lambda: layers.SpatialDropout2D(0.3, seed=1), (2, 3, 3, 4)),
                                         (lambda: layers.SpatialDropout1D(0.3, seed=1), (2, 3, 4)),
                                         (lambda: layers.GaussianNoise(0.3, seed=1), (2, 3)),
                                         (lambda: layers.GaussianDropout(0.3, seed=1), (2, 3))])
def test_gradients_at_inference(float64, rng, make, shape):
    check_layer_gradients(make(), rng.normal(size=shape))


def test_training_gradient_is_the_mask(float64, rng):
    from neuroflow import GradientTape, Tensor
    layer = layers.SpatialDropout2D(0.5, seed=4)
    x = Tensor(rng.normal(size=(2, 3, 3, 4)))
    with GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
    grad = tape.gradient(y, x).numpy()
    numpy.testing.assert_allclose(grad * x.numpy(), y.numpy(), rtol=1e-12)


@pytest.mark.parametrize("layer", [layers.SpatialDropout1D(0.2, seed=3),
                                   layers.SpatialDropout2D(0.4, data_format="channels_first"),
                                   layers.GaussianNoise(0.1, seed=5), layers.GaussianDropout(0.3)])
def test_config_round_trip_and_saving(tmp_path, rng, layer):
    config = config_round_trip(layer).get_config()
    assert "noise_shape" not in config or "Spatial" not in type(layer).__name__
    shape = {"SpatialDropout1D": (4, 3), "SpatialDropout2D": (2, 4, 4)}.get(type(layer).__name__, (5,))
    check_save_load_round_trip(tmp_path, layer, shape, rng)


def test_errors(rng):
    with pytest.raises(ValueError, match="rate"):
        layers.SpatialDropout2D(1.0)
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-1)
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.SpatialDropout2D(0.1)(rng.normal(size=(2, 3)))
    models.Sequential([layers.Input((4, 4, 2)), layers.SpatialDropout2D(0.1)]).summary()
