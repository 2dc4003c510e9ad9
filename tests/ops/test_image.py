"""Image resizing against a naive per-pixel definition, Keras 3's outputs, and finite differences."""
import math
import pathlib

import numpy
import pytest

from neuroflow import layers, ops
from neuroflow.engine.gradcheck import check_gradients

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "resize.npz"


def naive_bilinear(images, height, width):
    """Each output pixel from its four neighbours, half-pixel centres, one pixel at a time."""
    n, h, w, c = images.shape
    out = numpy.zeros((n, height, width, c))
    for i in range(height):
        for j in range(width):
            y = min(max((i + 0.5) * h / height - 0.5, 0.0), h - 1)
            x = min(max((j + 0.5) * w / width - 0.5, 0.0), w - 1)
            y0, x0 = math.floor(y), math.floor(x)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            ty, tx = y - y0, x - x0
            out[:, i, j] = ((1 - ty) * (1 - tx) * images[:, y0, x0] + (1 - ty) * tx * images[:, y0, x1]
                            + ty * (1 - tx) * images[:, y1, x0] + ty * tx * images[:, y1, x1])
    return out


@pytest.mark.parametrize("size", [(10, 14), (3, 4), (8, 5), (5, 7)])
def test_bilinear_matches_the_per_pixel_definition(size):
    images = numpy.random.default_rng(1).normal(size=(2, 5, 7, 3))
    out = ops.image.resize(images, size, interpolation="bilinear").numpy()
    numpy.testing.assert_allclose(out, naive_bilinear(images, *size), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("size", [(10, 14), (3, 4), (8, 5)])
def test_resize_matches_keras(interpolation, size):
    fixture = numpy.load(FIXTURE)
    out = ops.image.resize(fixture["images"], size, interpolation=interpolation)
    assert out.dtype == "float32"
    numpy.testing.assert_allclose(out.numpy(), fixture[f"{interpolation}_{size[0]}x{size[1]}"], atol=2e-6)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("size", [(7, 9), (2, 3)])
def test_resize_gradients(interpolation, size):
    images = numpy.random.default_rng(2).normal(size=(2, 4, 5, 2))
    check_gradients(lambda x: ops.image.resize(x, size, interpolation=interpolation), images)


def test_channels_first_and_single_images():
    images = numpy.random.default_rng(3).normal(size=(2, 5, 7, 3))
    expected = naive_bilinear(images, 9, 4)
    channels_first = ops.image.resize(numpy.transpose(images, (0, 3, 1, 2)), (9, 4), data_format="channels_first")
    numpy.testing.assert_allclose(numpy.transpose(channels_first.numpy(), (0, 2, 3, 1)), expected, atol=1e-12)
    single = ops.image.resize(images[1], (9, 4))
    numpy.testing.assert_allclose(single.numpy(), expected[1], atol=1e-12)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="interpolation.*'bicubic'.*bilinear"):
        ops.image.resize(numpy.zeros((1, 4, 4, 1)), (8, 8), interpolation="bicubic")
    with pytest.raises(ValueError, match="size"):
        ops.image.resize(numpy.zeros((1, 4, 4, 1)), (8, 0))


def test_upsampling2d_bilinear_matches_keras_and_round_trips():
    fixture = numpy.load(FIXTURE)
    layer = layers.UpSampling2D(size=(2, 3), interpolation="bilinear")
    numpy.testing.assert_allclose(layer(fixture["images"]).numpy(), fixture["upsampling2d_bilinear_2x3"], atol=2e-6)
    clone = layers.UpSampling2D.from_config(layer.get_config())
    assert clone.interpolation == "bilinear"
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="lanczos9")
