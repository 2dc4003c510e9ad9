"""load_img / img_to_array / array_to_img / save_img / smart_resize through Pillow, and the message
when Pillow is missing."""
import builtins

import numpy
import pytest

from neuroflow import utils
from neuroflow.preprocessing import image as preprocessing_image
from neuroflow.utils import array_to_img, img_to_array, load_img, save_img

pytest.importorskip("PIL")


def gradient_image(height=6, width=8):
    y, x = numpy.mgrid[0:height, 0:width]
    return numpy.stack([x * 30, y * 40, numpy.full_like(x, 200)], axis=-1).astype("float32")


def test_save_and_load_round_trip_png(tmp_path):
    array = gradient_image()
    path = tmp_path / "g.png"
    save_img(path, array, scale=False)
    img = load_img(path)
    assert img.size == (8, 6) and img.mode == "RGB"
    back = img_to_array(img)
    assert back.dtype == numpy.float32 and back.shape == (6, 8, 3)
    numpy.testing.assert_array_equal(back, array)


def test_color_modes_target_size_and_channels_first(tmp_path):
    path = tmp_path / "g.png"
    save_img(path, gradient_image(), scale=False)
    gray = img_to_array(load_img(path, color_mode="grayscale"))
    assert gray.shape == (6, 8, 1)
    rgba = img_to_array(load_img(path, color_mode="rgba", target_size=(3, 4)))
    assert rgba.shape == (3, 4, 4)
    kept = load_img(path, target_size=(4, 4), keep_aspect_ratio=True)
    assert kept.size == (4, 4)
    first = img_to_array(load_img(path), data_format="channels_first")
    assert first.shape == (3, 6, 8)
    assert array_to_img(first, data_format="channels_first", scale=False).size == (8, 6)


def test_array_to_img_scales_to_0_255():
    img = array_to_img(numpy.linspace(0, 1, 12, dtype="float32").reshape(3, 4, 1))
    values = numpy.asarray(img)
    assert img.mode == "L" and values.min() == 0 and values.max() == 255


def test_jpeg_drops_alpha(tmp_path):
    save_img(tmp_path / "a.jpg", numpy.full((4, 4, 4), 100, "float32"), scale=False)
    assert load_img(tmp_path / "a.jpg", color_mode="rgba").size == (4, 4)


def test_smart_resize_crops_to_aspect_ratio_then_resizes():
    image = gradient_image(6, 12)
    out = utils.smart_resize(image, (4, 4))
    assert out.shape == (4, 4, 3)
    batch = preprocessing_image.smart_resize(numpy.stack([image, image]), (3, 3), interpolation="nearest")
    assert batch.shape == (2, 3, 3, 3)
    # The centred 6x6 crop spans columns 3..8, so the first channel (x * 30) stays inside 90..240.
    assert 90 <= batch[..., 0].min() and batch[..., 0].max() <= 240


def test_errors_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(numpy.zeros((2, 2)))
    with pytest.raises(ValueError, match="channel"):
        array_to_img(numpy.zeros((2, 2, 2)))
    save_img(tmp_path / "g.png", gradient_image(), scale=False)
    with pytest.raises(ValueError, match="color_mode"):
        load_img(tmp_path / "g.png", color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        load_img(tmp_path / "g.png", target_size=(2, 2), interpolation="cubic-ish")
    with pytest.raises(ValueError, match="data_format"):
        img_to_array(load_img(tmp_path / "g.png"), data_format="nhwc")


def test_missing_pillow_says_how_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ImportError, match=r"neuroflow\[image\]"):
        array_to_img(numpy.zeros((2, 2, 3)))
    with pytest.raises(ImportError, match="pillow"):
        utils.image_dataset_from_directory("anywhere")
