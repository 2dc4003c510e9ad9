"""SpatialDropout1D/2D, GaussianNoise, GaussianDropout: training-only noise of the right structure."""
import re

import numpy
import pytest

from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip


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


# ---- AlphaDropout ------------------------------------------------------------------------------

def test_alpha_dropout_values_in_training_and_identity_at_inference(rng):
    x = rng.normal(size=(300, 60)).astype("float32")
    layer = layers.AlphaDropout(0.2, seed=1)
    y = layer(x, training=True).numpy()
    # Keras 3.15 (torch), AlphaDropout(0.2): dropped units -> -1.2361598, kept -> a * x + b with
    # b = 0.30904001 and a + b = 1.1879435 (read off its outputs for zeros and ones).
    a, b = 1.1879435 - 0.30904001, 0.30904001
    dropped = numpy.isclose(y, -1.2361598, atol=1e-5)
    numpy.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(dropped.mean() - 0.2) < 0.01
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    numpy.testing.assert_array_equal(layers.AlphaDropout(0.0)(x, training=True).numpy(), x)


def test_alpha_dropout_noise_shape_and_seed(rng):
    x = rng.normal(size=(4, 6, 8)).astype("float32")
    y = layers.AlphaDropout(0.5, noise_shape=(None, 1, 8), seed=3)(x, training=True).numpy()
    dropped = numpy.isclose(y, -0.77919393, atol=1e-6)  # a * alpha' + b at rate 0.5
    assert (dropped == dropped[:, :1, :]).all() and 0 < dropped.mean() < 1
    again = layers.AlphaDropout(0.5, noise_shape=(None, 1, 8), seed=3)(x, training=True).numpy()
    numpy.testing.assert_array_equal(again, y)


def test_alpha_dropout_trains_in_traced_fit_with_fresh_masks(rng):
    x = rng.normal(size=(64, 8)).astype("float32")
    y = x[:, :1] * 2.0
    inputs = layers.Input((8,))
    outputs = layers.Dense(1)(layers.AlphaDropout(0.1, seed=2)(layers.Dense(16, activation="selu")(inputs)))
    for model in (models.Model(inputs, outputs),
                  models.Sequential([layers.Input((8,)), layers.Dense(16, activation="selu"),
                                     layers.AlphaDropout(0.1, seed=2), layers.Dense(1)])):
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
        # Inference is deterministic: the layer is the identity there.
        numpy.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- ActivityRegularization --------------------------------------------------------------------

def test_activity_regularization_adds_the_keras_penalty():
    x = numpy.array([[1.0, -2.0], [3.0, 0.5]], dtype="float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    # (0.1 * 6.5 + 0.01 * 14.25) / batch 2; keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    # gives layer.losses == [0.39625] and the same figure from evaluate() (Keras 3.15, torch).
    assert len(layer.losses) == 1 and float(layer.losses[0].numpy()) == pytest.approx(0.39625, rel=1e-6)
    model = models.Sequential([layers.Input((2,)), layers.ActivityRegularization(l1=0.1, l2=0.01)])
    model.compile(loss="mse")
    assert model.evaluate(x, x, batch_size=2, verbose=0) == pytest.approx(0.39625, rel=1e-6)
    assert float(layers.ActivityRegularization()(x) is not None) and layers.ActivityRegularization().l1 == 0.0


def test_activity_regularization_shrinks_activations_in_fit(rng):
    x = rng.normal(size=(64, 4)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")

    def activation_size(strength):
        inputs = layers.Input((4,))
        hidden = layers.Dense(8, kernel_initializer="ones", name="hidden")(inputs)
        outputs = layers.Dense(1)(layers.ActivityRegularization(l2=strength)(hidden))
        model = models.Model(inputs, outputs)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=5, batch_size=16, verbose=0)
        probe = models.Model(inputs, model.get_layer("hidden").output)
        return float(numpy.square(probe.predict(x, verbose=0)).mean())

    assert activation_size(0.5) < 0.7 * activation_size(0.0)


def test_activity_regularization_gradient_of_the_penalty(float64, rng):
    from neuroflow.testing import check_gradients

    def penalty(t):
        layer = layers.ActivityRegularization(l1=0.3, l2=0.2)
        layer(t)
        return layer.losses[0]

    x = rng.normal(size=(3, 4))
    check_gradients(penalty, x)
    assert float(penalty(x).numpy()) == pytest.approx((0.3 * numpy.abs(x).sum() + 0.2 * (x ** 2).sum()) / 3)


@pytest.mark.parametrize("make, shape", [(lambda: layers.AlphaDropout(0.3, seed=1), (2, 3)),
                                         (lambda: layers.ActivityRegularization(0.1, 0.2), (2, 3))])
def test_new_layers_gradients(float64, rng, make, shape):
    check_layer_gradients(make(), rng.normal(size=shape))


@pytest.mark.parametrize("layer", [layers.AlphaDropout(0.3, noise_shape=(None, 1), seed=4),
                                   layers.ActivityRegularization(l1=0.01, l2=0.02)])
def test_new_layers_config_round_trip_and_keras_saving(tmp_path, rng, layer):
    config = config_round_trip(layer).get_config()
    assert "activity_regularizer" not in config
    loaded = check_save_load_round_trip(tmp_path, layer, (5,), rng)
    assert loaded.layers[-1].get_config() == {**config, "name": loaded.layers[-1].name}


def test_new_layers_errors_name_the_problem(capsys):
    with pytest.raises(ValueError, match="AlphaDropout.*rate.*\\[0, 1\\).*1.5"):
        layers.AlphaDropout(1.5)
    with pytest.raises(ValueError, match="AlphaDropout.*noise_shape"):
        layers.AlphaDropout(0.1, noise_shape=5)
    with pytest.raises(ValueError, match="AlphaDropout.*noise_shape.*2 axes"):
        layers.AlphaDropout(0.1, noise_shape=(None, 1))(numpy.ones((2, 3, 4)), training=True)
    with pytest.raises(ValueError, match="ActivityRegularization.*l1.*non-negative.*-1"):
        layers.ActivityRegularization(l1=-1)
    with pytest.raises(ValueError, match="ActivityRegularization.*l2"):
        layers.ActivityRegularization(l2="big")
    models.Sequential([layers.Input((3, 4)), layers.AlphaDropout(0.1), layers.ActivityRegularization(0.1)]).summary()
    text = capsys.readouterr().out
    assert re.search(r"alpha_dropout(_\d+)? \(AlphaDropout\)", text) and text.count("(None, 3, 4)") == 2
