"""RandomCrop, RandomGrayscale, RandomInvert, Solarization, AutoContrast: Keras 3's values where they
are deterministic (fixtures/layers10_references.npz), the random paths' properties, gradients,
configs, functional shapes, inference identity and errors."""
import os

import numpy
import pytest

from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import config_round_trip

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "layers10_references.npz"))

AUGMENTATION = {
    "autocontrast": lambda: layers.AutoContrast(),
    "autocontrast_unit": lambda: layers.AutoContrast(value_range=(0, 1)),
    "grayscale_always": lambda: layers.RandomGrayscale(factor=1.0),
    "grayscale_channels_first": lambda: layers.RandomGrayscale(factor=1.0, data_format="channels_first"),
    "invert_always": lambda: layers.RandomInvert(factor=(1.0, 1.0)),
    "solarization_default": lambda: layers.Solarization(),
    "randomcrop_resized": lambda: layers.RandomCrop(7, 5),
    "randomcrop_centred": lambda: layers.RandomCrop(6, 4),
    "posterization_3bits": lambda: layers.RandomPosterization((3, 3)),
    "posterization_unit": lambda: layers.RandomPosterization((5, 5), value_range=(0, 1)),
    "degeneration_grey": lambda: layers.RandomColorDegeneration((1.0, 1.0)),
    "degeneration_saturate": lambda: layers.RandomColorDegeneration((-0.5, -0.5), data_format="channels_last"),
}


@pytest.mark.parametrize("case", sorted(AUGMENTATION))
def test_matches_keras(case):
    x = REFERENCES[f"{case}_x0"]
    numpy.testing.assert_allclose(AUGMENTATION[case]()(x, training=True).numpy(), REFERENCES[f"{case}_y0"],
                                  rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("case", sorted(AUGMENTATION))
def test_config_round_trip(case):
    layer = AUGMENTATION[case]()
    clone = config_round_trip(layer)
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


@pytest.mark.parametrize("make", [lambda: layers.RandomCrop(3, 4, seed=1), lambda: layers.RandomGrayscale(seed=2),
                                  lambda: layers.RandomInvert(seed=3), lambda: layers.Solarization(0.5, 0.5, seed=4),
                                  lambda: layers.RandomPosterization(4, seed=5),
                                  lambda: layers.RandomColorDegeneration(0.5, seed=6)])
def test_random_layers_are_the_identity_at_inference(rng, make):
    x = rng.uniform(0, 255, size=(2, 6, 8, 3)).astype("float32")
    numpy.testing.assert_array_equal(make()(x).numpy(), x)
    numpy.testing.assert_array_equal(make()(x, training=False).numpy(), x)


def test_random_crop_takes_one_window_per_batch(rng):
    x = numpy.arange(2 * 6 * 8 * 1, dtype="float32").reshape(2, 6, 8, 1)
    layer = layers.RandomCrop(3, 4, seed=0)
    seen = set()
    for _ in range(20):
        out = layer(x, training=True).numpy()
        assert out.shape == (2, 3, 4, 1)
        top, left = divmod(int(out[0, 0, 0, 0]), 8)
        numpy.testing.assert_array_equal(out, x[:, top:top + 3, left:left + 4])
        seen.add((top, left))
    assert len(seen) > 3
    assert layer.compute_output_shape((None, 6, 8, 1)) == (None, 3, 4, 1)


def test_random_draws_vary_per_image(rng):
    x = rng.uniform(0, 255, size=(64, 2, 2, 3)).astype("float32")
    grey = layers.RandomGrayscale(factor=0.5, seed=0)(x, training=True).numpy()
    is_grey = numpy.all(numpy.isclose(grey[..., :1], grey), axis=(1, 2, 3))
    assert 10 < is_grey.sum() < 54
    inverted = layers.RandomInvert(factor=1.0, seed=0)(x, training=True).numpy()
    flipped = numpy.all(numpy.isclose(inverted, 255 - x), axis=(1, 2, 3))
    assert 0 < flipped.sum() < 64
    solar = layers.Solarization(addition_factor=0.0, threshold_factor=1.0, seed=0)(x, training=True).numpy()
    assert numpy.all((numpy.isclose(solar, x)) | numpy.isclose(solar, 255 - x))


def test_posterization_and_degeneration_draws(rng):
    x = rng.uniform(0, 255, size=(32, 2, 2, 3)).astype("float32")
    out = layers.RandomPosterization((1, 8), seed=0)(x, training=True).numpy()
    bits_used = set()
    for image, original in zip(out, x):
        shift = next(s for s in range(7, -1, -1) if numpy.all(image % 2 ** s == 0))
        assert numpy.all(original - image >= 0) and numpy.all(original - image < 2 ** shift + 1)
        bits_used.add(8 - shift)
    assert len(bits_used) > 2 and max(bits_used) < 8   # b ~ U{1 .. 7}: upper excluded, as Keras' randint
    grey = numpy.broadcast_to(x @ numpy.array([[0.2989], [0.587], [0.114]], "float32"), x.shape)
    blended = layers.RandomColorDegeneration(0.5, seed=0)(x, training=True).numpy()
    factors = ((blended - x) / (grey - x))[:, 0, 0, 0]
    assert numpy.all(numpy.abs(factors) <= 0.5 + 1e-4) and factors.min() < 0 < factors.max()


@pytest.mark.parametrize("make", [lambda: layers.AutoContrast(value_range=(0, 1)),
                                  lambda: layers.RandomInvert(factor=(1.0, 1.0), value_range=(0, 1))])
def test_gradients(float64, rng, make):
    check_layer_gradients(make(), rng.uniform(0.1, 0.9, size=(2, 3, 4, 3)), training=True)


def test_random_crop_gradient(float64, rng):
    check_layer_gradients(layers.RandomCrop(4, 2), rng.normal(size=(1, 3, 3, 2)), training=True)  # the resize path


def test_functional_and_single_image(rng):
    inputs = layers.Input((6, 8, 3))
    model = models.Model(inputs, layers.AutoContrast()(layers.RandomGrayscale()(inputs)))
    assert model.output.shape == (None, 6, 8, 3)
    image = rng.uniform(0, 255, size=(6, 8, 3)).astype("float32")
    assert layers.RandomCrop(4, 4)(image, training=True).shape == (4, 4, 3)
    assert layers.AutoContrast()(image).shape == (6, 8, 3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`height` must be a positive integer"):
        layers.RandomCrop(0, 3)
    with pytest.raises(ValueError, match="`factor` must be a number in \\[0, 1\\]"):
        layers.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match="`factor` must be a number in \\[0, 1\\] or a pair"):
        layers.RandomInvert((0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="`threshold_factor`"):
        layers.Solarization(threshold_factor=2.0)
    with pytest.raises(ValueError, match="`value_range`"):
        layers.AutoContrast(value_range=5)
    with pytest.raises(ValueError, match="`factor` must be a number in \\[1, 8\\]"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="`factor` must be a number in \\[-1, 1\\]"):
        layers.RandomColorDegeneration(2.0)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        layers.RandomGrayscale(1.0)(numpy.zeros((1, 2, 2, 2)), training=True)
