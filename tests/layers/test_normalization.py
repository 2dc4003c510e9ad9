"""BatchNormalization and LayerNormalization: worked statistics, moving averages, gradients, saving."""
import numpy
import pytest

from neuroflow import layers, models
from neuroflow.ops import normalization as norm_ops
from neuroflow.testing import check_gradients, check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip


def _random_affine(layer, rng):
    gamma, beta = rng.normal(size=layer.gamma.shape), rng.normal(size=layer.beta.shape)
    layer.gamma.assign(gamma.astype(layer.gamma.value.dtype))
    layer.beta.assign(beta.astype(layer.beta.value.dtype))
    return gamma, beta


def test_training_uses_batch_statistics_and_updates_moving_averages(float64, rng):
    x = rng.normal(loc=3.0, scale=2.0, size=(8, 3, 2, 4))
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    layer(x)
    gamma, beta = _random_affine(layer, rng)
    y = layer(x, training=True).numpy()
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    numpy.testing.assert_allclose(y, (x - mean) / numpy.sqrt(var + 1e-3) * gamma + beta, rtol=1e-12)
    # moving = moving * momentum + batch * (1 - momentum), from the initial zeros / ones.
    numpy.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-12)
    numpy.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-12)
    layer(x * 2, training=True)
    numpy.testing.assert_allclose(layer.moving_mean.numpy(), 0.9 * 0.1 * mean + 0.1 * 2 * mean, rtol=1e-12)
    numpy.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 * (0.9 + 0.1 * var) + 0.1 * 4 * var, rtol=1e-12)


def test_inference_uses_moving_statistics_and_leaves_them_alone(float64, rng):
    x = rng.normal(size=(5, 3))
    layer = layers.BatchNormalization(epsilon=0.01)
    layer(x)
    gamma, beta = _random_affine(layer, rng)
    moving_mean, moving_var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    layer.moving_mean.assign(moving_mean)
    layer.moving_variance.assign(moving_var)
    for training in (None, False):
        y = layer(x, training=training).numpy()
        numpy.testing.assert_allclose(y, (x - moving_mean) / numpy.sqrt(moving_var + 0.01) * gamma + beta, rtol=1e-12)
    numpy.testing.assert_array_equal(layer.moving_mean.numpy(), moving_mean)


def test_channels_first_axis_and_weights(float64, rng):
    x = rng.normal(size=(6, 3, 2, 2))
    layer = layers.BatchNormalization(axis=1, center=False)
    y = layer(x, training=True).numpy()
    assert [w.name for w in layer.weights] == ["gamma", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma"]
    assert all(w.shape == (3,) for w in layer.weights)
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    numpy.testing.assert_allclose(y, (x - mean) / numpy.sqrt(var + 1e-3), rtol=1e-12)


def test_training_gradients_match_finite_differences(float64, rng):
    layer = layers.BatchNormalization(axis=-1, momentum=0.5)
    x = rng.normal(size=(4, 3, 2))
    layer(x)
    _random_affine(layer, rng)
    # The training output does not read the moving averages, so their updates on every
    # finite-difference call cannot change the objective: the check sees a fixed function.
    check_layer_gradients(layer, x, training=True)


def test_inference_gradients_match_finite_differences(float64, rng):
    layer = layers.BatchNormalization(axis=[1, 2])
    x = rng.normal(size=(3, 2, 3))
    layer(x)
    _random_affine(layer, rng)
    layer.moving_variance.assign(rng.uniform(0.5, 2, size=(2, 3)))
    check_layer_gradients(layer, x, training=False)


@pytest.mark.parametrize("axes", [(0,), (0, 2), (1, 2)])
def test_fused_op_gradient(float64, rng, axes):
    x = rng.normal(size=(4, 3, 5))
    shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))

    def function(x, gamma, beta):
        return norm_ops._normalize(x, gamma, beta, shape, axes, 1e-3, None, None)

    check_gradients(function, x, rng.normal(size=shape), rng.normal(size=shape))


def test_fit_updates_moving_statistics_and_predict_uses_them(rng):
    model = models.Sequential([layers.Input((4,)), layers.BatchNormalization(momentum=0.5), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(loc=5.0, scale=3.0, size=(64, 4)).astype("float32")
    model.fit(x, rng.normal(size=(64, 1)), batch_size=16, epochs=3, verbose=0)
    bn = model.layers[0]
    numpy.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(axis=0), rtol=0.2)
    assert bn.moving_variance.numpy().mean() > 3.0
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2


def test_config_round_trip_and_saving_keeps_moving_statistics(tmp_path, rng):
    layer = layers.BatchNormalization(axis=1, momentum=0.8, epsilon=1e-4, center=False, gamma_regularizer="l2",
                                      moving_variance_initializer="zeros", beta_constraint="non_neg")
    config_round_trip(layer)
    bn = layers.BatchNormalization()
    model = models.Sequential([layers.Input((3, 2)), bn])
    bn.moving_mean.assign(numpy.array([0.5, -1.0], dtype="float32"))
    bn.moving_variance.assign(numpy.array([2.0, 0.25], dtype="float32"))
    path = tmp_path / "bn.keras"
    model.save(path)
    loaded = models.load_model(path)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    numpy.testing.assert_array_equal(loaded.layers[0].moving_variance.numpy(), [2.0, 0.25])


def test_summary_and_errors(capsys, rng):
    models.Sequential([layers.Input((5, 5, 3)), layers.BatchNormalization(), layers.LayerNormalization()]).summary()
    text = capsys.readouterr().out
    assert text.count("(None, 5, 5, 3)") == 2 and "12" in text and "Non-trainable params: 6" in text
    layer = layers.BatchNormalization(name="bn")
    layer(rng.normal(size=(2, 3)))
    with pytest.raises(ValueError, match=r"bn.*axis 1.*value 3.*\(2, 4\)"):
        layer(rng.normal(size=(2, 4)))
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        layers.BatchNormalization(axis=3)(rng.normal(size=(2, 3)))
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)


def test_layer_normalization_values(float64, rng):
    x = rng.normal(loc=2.0, size=(3, 4, 5))
    layer = layers.LayerNormalization(axis=[1, 2], epsilon=1e-3)
    layer(x)
    gamma, beta = _random_affine(layer, rng)
    assert gamma.shape == (4, 5)
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    numpy.testing.assert_allclose(layer(x).numpy(), (x - mean) / numpy.sqrt(var + 1e-3) * gamma + beta, rtol=1e-12)
    plain = layers.LayerNormalization(center=False, scale=False)
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    numpy.testing.assert_allclose(plain(x).numpy(), (x - mean) / numpy.sqrt(var + 1e-3), rtol=1e-12)
    assert not plain.weights


@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_layer_normalization_gradients(float64, rng, axis):
    layer = layers.LayerNormalization(axis=axis)
    x = rng.normal(size=(2, 3, 4))
    layer(x)
    _random_affine(layer, rng)
    check_layer_gradients(layer, x)


def test_layer_normalization_config_and_saving(tmp_path, rng):
    config_round_trip(layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False, gamma_regularizer="l1"))
    check_save_load_round_trip(tmp_path, layers.LayerNormalization(), (3, 4), rng)


# ---- UnitNormalization -------------------------------------------------------------------------

def test_unit_normalization_matches_keras_and_loops():
    rs = numpy.random.RandomState(0)
    a = numpy.round(rs.normal(size=(2, 3, 4)), 2).astype("float32")
    # keras.layers.UnitNormalization()(a)[0, 0] and UnitNormalization(axis=[1, 2])(a)[0, 0] (Keras 3.15, torch)
    numpy.testing.assert_allclose(layers.UnitNormalization()(a).numpy()[0, 0], [0.57914, 0.13162, 0.32247, 0.73708],
                                  atol=1e-5)
    numpy.testing.assert_allclose(layers.UnitNormalization(axis=[1, 2])(a).numpy()[0, 0],
                                  [0.42789, 0.09725, 0.23826, 0.54459], atol=1e-5)
    expected = numpy.empty_like(a)
    for n in range(2):
        for i in range(4):
            column = a[n, :, i]
            expected[n, :, i] = column / max(numpy.sqrt((column ** 2).sum()), 1e-12)
    numpy.testing.assert_allclose(layers.UnitNormalization(axis=1)(a).numpy(), expected, rtol=1e-6)
    # Keras gives zeros for a zero vector (the norm is floored at 1e-12, not backend.epsilon()).
    assert layers.UnitNormalization()(numpy.zeros((1, 3), "float32")).numpy().tolist() == [[0.0, 0.0, 0.0]]
    tiny = numpy.array([[3e-9, 4e-9]])
    numpy.testing.assert_allclose(layers.UnitNormalization(dtype="float64")(tiny).numpy(), [[0.6, 0.8]], rtol=1e-9)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization_gradients(float64, rng, axis):
    check_layer_gradients(layers.UnitNormalization(axis=axis), rng.normal(size=(2, 3, 4)))


def test_unit_normalization_models_config_and_keras_saving(tmp_path, rng, capsys):
    layer = layers.UnitNormalization(axis=[1, 2])
    assert config_round_trip(layer).get_config()["axis"] == [1, 2]
    assert layers.UnitNormalization().get_config()["axis"] == -1
    check_save_load_round_trip(tmp_path, layer, (3, 4), rng)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = x[:, :1]
    inputs = layers.Input((5,))
    functional = models.Model(inputs, layers.Dense(1)(layers.UnitNormalization()(layers.Dense(4)(inputs))))
    sequential = models.Sequential([layers.Input((5,)), layers.Dense(4), layers.UnitNormalization(), layers.Dense(1)])
    for model in (functional, sequential):
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=6, batch_size=8, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
    sequential.summary()
    assert "UnitNormalization" in capsys.readouterr().out
    assert layers.UnitNormalization().compute_output_shape((None, 7, 2)) == (None, 7, 2)


def test_unit_normalization_errors_name_the_problem(rng):
    with pytest.raises(TypeError, match="UnitNormalization.*axis.*int or a list/tuple of ints.*'last'"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(ValueError, match="UnitNormalization.*axis 3 is out of range.*rank 3"):
        layers.UnitNormalization(axis=[1, 3])(rng.normal(size=(2, 3, 4)))
