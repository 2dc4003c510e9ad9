"""keras.ops.image additions: gradient checks, data formats, errors and placeholders.

Values against Keras are in test_nn_linalg_image_parity.py.
"""
import numpy
import pytest

import neuroflow
from neuroflow.ops import image
from tests.ops.op_checks import check_grad, uniform

np = numpy


@pytest.mark.parametrize("function", [
    lambda x: image.crop_images(x, 1, 2, target_height=3, target_width=2),
    lambda x: image.pad_images(x, 1, 0, bottom_padding=2, right_padding=1),
    lambda x: image.extract_patches(x, 2),
    lambda x: image.extract_patches(x, (2, 3), strides=1, padding="same"),
    image.rgb_to_grayscale,
    image.gaussian_blur,
    lambda x: image.gaussian_blur(x, kernel_size=(5, 5), sigma=(2.0, 0.7)),
    image.sobel_edges,
], ids=["crop", "pad", "patches", "patches_same", "grayscale", "blur", "blur_5x5", "sobel"])
def test_gradients(function):
    check_grad(function, uniform(2, 5, 6, 3))


def test_hsv_gradients():
    # Away from the ties of the piecewise definitions: distinct channels, hues off the sixths.
    rgb = uniform(1, 3, 4, 3, low=0.05, high=0.95)
    check_grad(image.rgb_to_hsv, rgb)
    check_grad(image.hsv_to_rgb, np.stack([uniform(1, 3, 4, low=0.02, high=0.98, seed=1),
                                           uniform(1, 3, 4, low=0.1, high=0.9, seed=2),
                                           uniform(1, 3, 4, low=0.1, high=0.9, seed=3)], axis=-1))


def test_hsv_round_trip():
    rgb = uniform(2, 3, 4, 3, low=0.0, high=1.0)
    np.testing.assert_allclose(image.hsv_to_rgb(image.rgb_to_hsv(rgb)).numpy(), rgb, atol=1e-12)


@pytest.mark.parametrize("mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
def test_map_coordinates_gradient(mode):
    coordinates = uniform(2, 3, 4, low=-1.7, high=6.7, seed=1)
    check_grad(lambda x: image.map_coordinates(x, coordinates, 1, fill_mode=mode, fill_value=0.5), uniform(5, 6))
    check_grad(lambda x: image.map_coordinates(x, coordinates, 0, fill_mode=mode), uniform(5, 6))


def test_map_coordinates_reads_integers_exactly():
    x = uniform(4, 5)
    rows, columns = np.meshgrid(np.arange(4.0), np.arange(5.0), indexing="ij")
    np.testing.assert_allclose(image.map_coordinates(x, np.stack([rows, columns]), 1).numpy(), x)


@pytest.mark.parametrize("function", [
    lambda x, f: image.crop_images(x, 1, 2, target_height=3, target_width=2, data_format=f),
    lambda x, f: image.pad_images(x, 1, 0, target_height=8, target_width=7, data_format=f),
    lambda x, f: image.rgb_to_hsv(x, data_format=f),
    lambda x, f: image.hsv_to_rgb(x, data_format=f),
    lambda x, f: image.rgb_to_grayscale(x, data_format=f),
    lambda x, f: image.gaussian_blur(x, data_format=f),
    lambda x, f: image.extract_patches(x, 2, data_format=f),
], ids=["crop", "pad", "rgb_to_hsv", "hsv_to_rgb", "grayscale", "blur", "patches"])
def test_channels_first_is_channels_last_transposed(function):
    x = uniform(2, 5, 6, 3, low=0.0, high=1.0)
    last = function(x, "channels_last").numpy()
    first = function(np.moveaxis(x, -1, 1), "channels_first").numpy()
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last, atol=1e-12)


def test_errors_name_the_argument():
    x = np.zeros((2, 5, 6, 3))
    with pytest.raises(ValueError, match="Must specify exactly two of top_cropping, bottom_cropping, target_height"):
        image.crop_images(x, 1, 1)
    with pytest.raises(ValueError, match="top_padding must be >= 0; received top_padding=-1"):
        image.pad_images(x, None, 0, bottom_padding=3, target_height=7, target_width=6)
    with pytest.raises(ValueError, match=r"expected rank 3 \(single image\) or rank 4"):
        image.rgb_to_grayscale(np.zeros((5, 6)))
    with pytest.raises(ValueError, match="rgb_to_hsv expects float images; received images.dtype=int64"):
        image.rgb_to_hsv(np.zeros((5, 6, 3), dtype="int64"))
    with pytest.raises(ValueError, match="fill_mode in"):
        image.map_coordinates(np.zeros((3, 3)), np.zeros((2, 1, 1)), 1, fill_mode="edge")
    with pytest.raises(ValueError, match=r"coordinates.shape\[0\] == the rank of inputs \(2\)"):
        image.map_coordinates(np.zeros((3, 3)), np.zeros((3, 1, 1)), 1)


@pytest.mark.parametrize("function,expected", [
    (lambda x: image.crop_images(x, 1, 2, target_height=3, target_width=2), (None, 3, 2, 3)),
    (lambda x: image.pad_images(x, 1, 2, target_height=8, target_width=9), (None, 8, 9, 3)),
    (lambda x: image.extract_patches(x, 2), (None, 2, 3, 12)),
    (image.rgb_to_grayscale, (None, 5, 6, 1)),
    (image.rgb_to_hsv, (None, 5, 6, 3)),
    (image.hsv_to_rgb, (None, 5, 6, 3)),
    (image.gaussian_blur, (None, 5, 6, 3)),
    (image.sobel_edges, (None, 5, 6, 3, 2)),
], ids=["crop", "pad", "patches", "grayscale", "rgb_to_hsv", "hsv_to_rgb", "blur", "sobel"])
def test_on_placeholders(function, expected):
    assert tuple(function(neuroflow.Input((5, 6, 3))).shape) == expected


def test_ssim_gradient_identity_and_placeholders():
    a, b = uniform(2, 8, 9, 2, low=0, high=1), uniform(2, 8, 9, 2, low=0, high=1, seed=1)
    check_grad(lambda x, y: image.ssim(x, y, filter_size=5), a, b)
    np.testing.assert_allclose(image.ssim(a, a, filter_size=5).numpy(), [1.0, 1.0], rtol=1e-12)
    assert image.ssim(a[0], b[0], filter_size=5).shape == ()
    assert tuple(image.ssim(neuroflow.Input((12, 12, 3)), neuroflow.Input((12, 12, 3))).shape) == (None,)
    with pytest.raises(ValueError, match=r"Invalid image2 rank.*image2.shape=\(8, 9\)"):
        image.ssim(a[0], a[0, :, :, 0])


def test_extract_patches_3d_gradient_formats_and_placeholders():
    x = uniform(1, 4, 5, 4, 2)
    check_grad(lambda v: image.extract_patches_3d(v, 2, strides=1, padding="same"), x)
    last = image.extract_patches_3d(x, (2, 2, 3), strides=(1, 2, 1)).numpy()
    first = image.extract_patches_3d(np.moveaxis(x, -1, 1), (2, 2, 3), strides=(1, 2, 1), data_format="channels_first")
    np.testing.assert_array_equal(np.moveaxis(first.numpy(), 1, -1), last)
    assert tuple(image.extract_patches_3d(neuroflow.Input((4, 6, 6, 3)), 2).shape) == (None, 2, 3, 3, 24)
    with pytest.raises(ValueError, match=r"size must be an int >= 1 or a tuple of 3 such ints, got \(2, 2\)"):
        image.extract_patches_3d(x, (2, 2))


def test_perspective_transform_gradient_identity_and_errors():
    corners = np.array([[0, 0], [5, 0], [0, 4], [5, 4]], dtype=float)
    x = uniform(2, 5, 6, 2)
    np.testing.assert_allclose(image.perspective_transform(x, corners, corners).numpy(), x, atol=1e-12)
    moved = corners + np.array([[0.3, 0.1], [-0.2, 0.4], [0.1, -0.3], [0.2, 0.2]])
    check_grad(lambda t: image.perspective_transform(t, corners, moved), x)
    with pytest.raises(ValueError, match=r"Invalid end_points shape: expected \(4, 2\)"):
        image.perspective_transform(x, corners, corners[:3])
    with pytest.raises(ValueError, match="interpolation in"):
        image.perspective_transform(x, corners, corners, interpolation="cubic")
    assert tuple(image.perspective_transform(neuroflow.Input((5, 6, 2)), corners, moved).shape) == (None, 5, 6, 2)


def test_elastic_transform():
    x = uniform(2, 8, 9, 3)
    # alpha = 0 leaves every pixel in place; a fixed seed repeats the field.
    np.testing.assert_allclose(image.elastic_transform(x, alpha=0.0, seed=1).numpy(), x, atol=1e-12)
    first = image.elastic_transform(x, alpha=2.0, sigma=1.0, seed=3).numpy()
    np.testing.assert_array_equal(image.elastic_transform(x, alpha=2.0, sigma=1.0, seed=3).numpy(), first)
    assert not np.allclose(first, x)
    check_grad(lambda t: image.elastic_transform(t, alpha=2.0, sigma=1.0, seed=3), x)
    channels_first = image.elastic_transform(np.moveaxis(x, -1, 1), alpha=2.0, sigma=1.0, seed=3, data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(channels_first.numpy(), 1, -1), first, atol=1e-12)
    assert tuple(image.elastic_transform(neuroflow.Input((8, 9, 3)), seed=0).shape) == (None, 8, 9, 3)
    with pytest.raises(ValueError, match="fill_mode in"):
        image.elastic_transform(x, fill_mode="edge")
