"""Image resizing against a naive per-pixel definition, Keras 3's outputs, and finite differences."""
import math
import pathlib

import numpy
import pytest

from neuroflow import layers, ops
from neuroflow.ops import image
from neuroflow.testing import check_gradients

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


# ---- affine_transform / random_affine / random_contrast / random_brightness ----------------------

def _fresh(seed=0):
    """A fresh generator per call: finite differences then see the same draw every time."""
    return numpy.random.default_rng(seed)


AFFINE_IMAGE = numpy.arange(20, dtype="float32").reshape(1, 4, 5, 1)
AFFINE_T = [0.8, 0.1, 0.6, -0.2, 1.3, -0.93, 0, 0]


@pytest.mark.parametrize("interpolation, fill_mode, expected", [
    # keras.ops.image.affine_transform(AFFINE_IMAGE, AFFINE_T, interpolation, fill_mode, fill_value=-1.0)
    # [0, :, :, 0] with Keras 3.15.1 (torch backend)
    ("bilinear", "constant", [[-0.888, -1, -1, -1, -1], [2.55, 2.35, 2.201, 2.157, 1.793],
                              [9.15, 8.95, 8.75, 8.55, 8.35], [15.75, 15.55, 15.35, 15.15, 13.265]]),
    ("bilinear", "reflect", [[0.6, 2.05, 3.85, 5.65, 7.45], [2.55, 2.35, 2.3, 3.1, 3.9],
                             [9.15, 8.95, 8.75, 8.55, 8.35], [15.75, 15.55, 15.35, 15.15, 14.85]]),
    ("bilinear", "wrap", [[14.55, 15.75, 15.55, 15.35, 15.15], [2.55, 2.35, 2.75, 6.55, 10.35],
                          [9.15, 8.95, 8.75, 8.55, 8.35], [15.75, 15.55, 15.35, 15.15, 14.45]]),
    ("bilinear", "nearest", [[0.6, 1.4, 2.2, 3.0, 3.8], [2.55, 2.35, 2.3, 3.1, 3.9],
                             [9.15, 8.95, 8.75, 8.55, 8.35], [15.75, 15.55, 15.35, 15.15, 14.85]]),
    ("nearest", "reflect", [[1, 1, 2, 8, 9], [1, 2, 2, 3, 4], [11, 7, 7, 8, 9], [16, 17, 17, 13, 14]]),
])
def test_affine_transform_matches_keras(interpolation, fill_mode, expected):
    out = image.affine_transform(AFFINE_IMAGE, AFFINE_T, interpolation=interpolation, fill_mode=fill_mode,
                                 fill_value=-1.0)
    numpy.testing.assert_allclose(out.numpy()[0, :, :, 0], expected, atol=2e-4)
    channels_first = image.affine_transform(AFFINE_IMAGE.transpose(0, 3, 1, 2), AFFINE_T, interpolation=interpolation,
                                            fill_mode=fill_mode, fill_value=-1.0, data_format="channels_first")
    numpy.testing.assert_allclose(channels_first.numpy()[0, 0], expected, atol=2e-4)


def _loop_affine(img, t, fill_mode, fill_value):
    """Bilinear sampling of one (H, W, C) image, pixel by pixel: the definition the op vectorizes."""
    height, width, _ = img.shape

    def read(r, c):
        if fill_mode == "constant":
            return img[r, c] if 0 <= r < height and 0 <= c < width else numpy.full(img.shape[2], fill_value)
        if fill_mode == "nearest":
            return img[min(max(r, 0), height - 1), min(max(c, 0), width - 1)]
        if fill_mode == "wrap":
            return img[r % height, c % width]
        r, c = r % (2 * height), c % (2 * width)  # reflect: the edge pixel repeated
        return img[r if r < height else 2 * height - 1 - r, c if c < width else 2 * width - 1 - c]

    out = numpy.zeros_like(img)
    for y in range(height):
        for x in range(width):
            xs, ys = t[0] * x + t[1] * y + t[2], t[3] * x + t[4] * y + t[5]
            x0, y0 = int(numpy.floor(xs)), int(numpy.floor(ys))
            sx, sy = xs - x0, ys - y0
            out[y, x] = ((1 - sy) * ((1 - sx) * read(y0, x0) + sx * read(y0, x0 + 1))
                         + sy * ((1 - sx) * read(y0 + 1, x0) + sx * read(y0 + 1, x0 + 1)))
    return out


@pytest.mark.parametrize("fill_mode", ["constant", "reflect", "wrap", "nearest"])
def test_affine_transform_per_image_matches_a_pixel_loop(fill_mode):
    images = numpy.random.default_rng(3).normal(size=(2, 5, 6, 2))
    transforms = numpy.array([[0.6, -0.9, 3.1, 0.9, 0.6, -1.7, 0, 0], [1.4, 0.2, -2.2, -0.3, 0.7, 2.45, 0, 0]])
    out = image.affine_transform(images, transforms, fill_mode=fill_mode, fill_value=0.25).numpy()
    for n in range(2):
        numpy.testing.assert_allclose(out[n], _loop_affine(images[n], transforms[n], fill_mode, 0.25), atol=1e-12)


def test_affine_transform_refuses_unknown_names_and_perspective():
    with pytest.raises(ValueError, match="fill_mode"):
        image.affine_transform(AFFINE_IMAGE, AFFINE_T, fill_mode="reflekt")
    with pytest.raises(ValueError, match="interpolation"):
        image.affine_transform(AFFINE_IMAGE, AFFINE_T, interpolation="bicubic")
    with pytest.raises(NotImplementedError, match="perspective"):
        image.affine_transform(AFFINE_IMAGE, [1, 0, 0, 0, 1, 0, 0.1, 0])


@pytest.mark.parametrize("kwargs", [
    {"kind": "rotation", "lower": (-0.3,), "upper": (0.3,), "fill_mode": "reflect"},
    {"kind": "rotation", "lower": (-0.3,), "upper": (0.3,), "fill_mode": "constant", "fill_value": 0.5},
    {"kind": "zoom", "lower": (-0.4, 0.1), "upper": (0.3, 0.5), "fill_mode": "wrap"},
    {"kind": "translation", "lower": (-0.3, -0.3), "upper": (0.3, 0.3), "fill_mode": "nearest"},
    {"kind": "rotation", "lower": (-0.3,), "upper": (0.3,), "interpolation": "nearest"},
])
def test_random_affine_gradients(kwargs):
    x = numpy.random.default_rng(1).normal(size=(3, 4, 5, 2))
    check_gradients(lambda t: image.random_affine(t, generator=_fresh(), **kwargs), x)


def test_random_affine_draws_keras_transforms_per_image():
    images = numpy.random.default_rng(2).normal(size=(3, 5, 6, 1))
    angles = _fresh().uniform(-0.2, 0.2, size=3) * 2 * numpy.pi  # the op's draw, repeated
    out = image.random_affine(images, kind="rotation", lower=(-0.2,), upper=(0.2,), fill_mode="constant",
                              generator=_fresh()).numpy()
    expected = image.affine_transform(images, image.rotation_transforms(angles, 5, 6), fill_mode="constant").numpy()
    numpy.testing.assert_array_equal(out, expected)
    assert not numpy.allclose(out[0], out[1])


def test_random_contrast_and_brightness_values_and_gradients():
    x = numpy.random.default_rng(4).uniform(0, 1, size=(3, 4, 5, 2))
    factor = _fresh().uniform(1 - 0.4, 1 + 0.6, size=(3, 1, 1, 1))  # the op's draw, repeated
    mean = x.mean(axis=(1, 2), keepdims=True)
    out = image.random_contrast(x, lower=0.4, upper=0.6, value_range=(0.0, 1.0), generator=_fresh()).numpy()
    numpy.testing.assert_allclose(out, numpy.clip((x - mean) * factor + mean, 0, 1))
    delta = _fresh().uniform(-0.5, 0.5, size=(3, 1, 1, 1)) * 2.0
    out = image.random_brightness(x, lower=-0.5, upper=0.5, value_range=(-1.0, 1.0), generator=_fresh()).numpy()
    numpy.testing.assert_allclose(out, numpy.clip(x + delta, -1, 1))
    # Wide value ranges: the clip does not bite, so the functions are smooth at x.
    check_gradients(lambda t: image.random_contrast(t, lower=0.4, upper=0.6, value_range=(-9.0, 9.0),
                                                    generator=_fresh()), x)
    check_gradients(lambda t: image.random_brightness(t, lower=-0.5, upper=0.5, value_range=(-9.0, 9.0),
                                                      generator=_fresh()), x)


def test_clipped_values_get_no_gradient():
    from neuroflow.engine.tape import GradientTape
    from neuroflow.engine.tensor import Variable

    v = Variable(numpy.array([[[[0.1], [0.9]]]]), dtype="float64")
    with GradientTape() as tape:
        out = image.random_brightness(v, lower=0.5, upper=0.5, value_range=(0.0, 1.0), generator=_fresh())
    numpy.testing.assert_allclose(out.numpy().ravel(), [0.6, 1.0])
    numpy.testing.assert_array_equal(tape.gradient(out, v).numpy().ravel(), [1.0, 0.0])
