import numpy
import pytest

from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients


def test_normalization_adapt_standardizes_each_feature(rng):
    data = rng.normal(loc=[5.0, -2.0, 0.0], scale=[2.0, 0.5, 1.0], size=(500, 3))
    normalizer = layers.Normalization()
    normalizer.adapt(data)
    numpy.testing.assert_allclose(normalizer.mean.numpy(), data.mean(axis=0), rtol=1e-5)
    numpy.testing.assert_allclose(normalizer.variance.numpy(), data.var(axis=0), rtol=1e-5)
    out = normalizer(data).numpy()
    numpy.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    numpy.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)
    inverse = layers.Normalization(mean=normalizer.mean.numpy(), variance=normalizer.variance.numpy(), invert=True)
    numpy.testing.assert_allclose(inverse(out).numpy(), data, rtol=1e-4, atol=1e-4)
    assert normalizer.trainable_weights == []


def test_normalization_inside_a_model_and_saved(rng, tmp_path):
    x = rng.normal(loc=100.0, scale=10.0, size=(64, 4)).astype("float32")
    normalizer = layers.Normalization()
    normalizer.adapt(x)
    model = models.Sequential([layers.Input(shape=(4,)), normalizer, layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    model.save(tmp_path / "m.nfz")
    loaded = models.load_model(tmp_path / "m.nfz")
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_fixed_statistics_need_both():
    with pytest.raises(ValueError, match="both"):
        layers.Normalization(mean=[0.0])


def test_image_statistics_per_channel_have_keras_variable_shapes(rng):
    images = rng.normal(loc=[1.0, -3.0], scale=[2.0, 0.5], size=(40, 4, 5, 2))
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(images)
    # One value per channel (Keras' variable shape), broadcast over height and width in call.
    assert normalizer.mean.shape == (2,) and normalizer.variance.shape == (2,) and int(normalizer.count.numpy()) == 40
    numpy.testing.assert_allclose(normalizer.mean.numpy(), images.mean(axis=(0, 1, 2)), rtol=1e-5)
    out = normalizer(images).numpy()
    numpy.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    numpy.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)


def test_given_statistics_are_constants_not_weights():
    fixed = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    numpy.testing.assert_allclose(fixed(numpy.array([[3.0, 5.0]])).numpy(), [[1.0, 1.0]])
    assert fixed.weights == []
    with pytest.raises(ValueError, match="adapt"):
        fixed.adapt(numpy.ones((4, 2)))


def test_rescaling_identity_repeat_permute(float64, rng):
    x = rng.normal(size=(2, 3))
    numpy.testing.assert_allclose(layers.Rescaling(0.5, offset=1.0)(x).numpy(), x * 0.5 + 1.0)
    numpy.testing.assert_array_equal(layers.Identity()(x).numpy(), x)
    repeated = layers.RepeatVector(4)(x).numpy()
    assert repeated.shape == (2, 4, 3) and (repeated[:, 2] == x).all()
    y = rng.normal(size=(2, 3, 5))
    assert layers.Permute((2, 1))(y).shape == (2, 5, 3)
    check_layer_gradients(layers.RepeatVector(2), x)
    check_layer_gradients(layers.Permute((2, 1)), y)
    check_layer_gradients(layers.Rescaling(3.0), x)
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((0, 1))


def test_gradient_through_normalization(float64, rng):
    normalizer = layers.Normalization()
    normalizer.adapt(rng.normal(size=(20, 3)))
    check_layer_gradients(normalizer, rng.normal(size=(4, 3)))


@pytest.mark.parametrize("make", [lambda: layers.Rescaling(2.0, offset=0.5), lambda: layers.RepeatVector(3),
                                  lambda: layers.Permute((2, 1)), lambda: layers.Identity(),
                                  lambda: layers.Normalization(axis=-1, mean=[1.0, 2.0], variance=[1.0, 4.0])])
def test_config_round_trip(make):
    layer = make()
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
