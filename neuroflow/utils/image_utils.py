"""Images as files and arrays through Pillow: load_img, img_to_array, array_to_img, save_img.

Pillow is an optional extra (`pip install 'neuroflow[image]'`); without it these functions raise an
ImportError that says so. Arrays are (height, width, channels), or channels first with
data_format="channels_first"; values stay in 0..255 as Keras keeps them.
"""
import numpy

from neuroflow import backend

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def pil_image():
    """Pillow's `PIL.Image` module.

    Raises:
        ImportError: Pillow is not installed, saying how to install it.
    """
    try:
        # Pillow is an optional extra: imported when an image is first handled, so neuroflow imports without it.
        from PIL import Image
    except ImportError as error:
        raise ImportError("Loading and saving images requires Pillow, which is not installed. Install it with "
                          "`pip install 'neuroflow[image]'` (or `pip install pillow`).") from error
    return Image


def _data_format(data_format):
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Invalid value for argument `data_format`: expected 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def resample_filter(interpolation):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation!r}")
    return getattr(pil_image().Resampling, interpolation.upper())


def convert_mode(img, color_mode):
    """`img` in the Pillow mode of Keras' color_mode ('grayscale', 'rgb', 'rgba')."""
    if color_mode not in COLOR_MODES:
        raise ValueError(f"Invalid value for argument `color_mode`: expected 'grayscale', 'rgb' or 'rgba'. "
                         f"Received: color_mode={color_mode!r}")
    mode = COLOR_MODES[color_mode]
    return img if img.mode == mode else img.convert(mode)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A Pillow image from a file, in `color_mode`, resized to `target_size` = (height, width) if given.

    keep_aspect_ratio crops the image to the target's aspect ratio (centered) before resizing.
    """
    Image = pil_image()
    with open(path, "rb") as handle:
        img = Image.open(handle)
        img.load()
    img = convert_mode(img, color_mode)
    if target_size is not None:
        height, width = target_size
        if img.size != (width, height):
            if keep_aspect_ratio:
                img = img.crop(crop_box(img.size[1], img.size[0], height, width))
            img = img.resize((width, height), resample_filter(interpolation))
    return img


def crop_box(height, width, target_height, target_width):
    """The centered (left, top, right, bottom) box of the target's aspect ratio inside the image."""
    crop_height = min(height, int(width * target_height / target_width))
    crop_width = min(width, int(height * target_width / target_height))
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return left, top, left + crop_width, top + crop_height


def img_to_array(img, data_format=None, dtype=None):
    """A Pillow image as an array (height, width, channels), grayscale with one channel."""
    data_format = _data_format(data_format)
    array = numpy.asarray(img, dtype=dtype or backend.floatx())
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"Unsupported image shape: {array.shape}")
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A Pillow image from a 3D array; `scale` stretches the values to 0..255 first.

    Raises:
        ValueError: not a 3D array, or a channel count other than 1, 3 or 4.
    """
    Image = pil_image()
    data_format = _data_format(data_format)
    x = numpy.asarray(backend.to_numpy(x), dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - numpy.min(x)
        peak = numpy.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"Unsupported channel number: {channels}")
    x = x.astype("uint8")
    if channels == 1:
        return Image.fromarray(x[:, :, 0], "L")
    return Image.fromarray(x, "RGB" if channels == 3 else "RGBA")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Writes an image array to a file (format from `file_format` or the file name); RGBA as JPEG drops alpha."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or
                               str(path).lower().endswith((".jpg", ".jpeg"))):
        img = img.convert("RGB")
    img.save(path, format="jpeg" if file_format == "jpg" else file_format, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resizes an image (or a batch of images) to `size` = (height, width) without distorting it:
    the largest centered crop of the target's aspect ratio is taken first, then resized.

    Raises:
        ValueError: `x` is not rank 3 or 4, or `size` is not two numbers.
    """
    Image = pil_image()
    array = numpy.asarray(backend.to_numpy(x))
    if array.ndim not in (3, 4):
        raise ValueError(f"Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, "
                         f"width, channels)`, but got input with incorrect rank, of shape {array.shape}.")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    height, width = (int(d) for d in size)
    images = array if array.ndim == 4 else array[None]
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    left, top, right, bottom = crop_box(images.shape[1], images.shape[2], height, width)
    images = images[:, top:bottom, left:right, :].astype("float32")
    resample = resample_filter(interpolation)
    out = numpy.stack([numpy.stack([numpy.asarray(Image.fromarray(image[:, :, c], "F").resize((width, height), resample))
                                    for c in range(image.shape[2])], axis=-1) for image in images])
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return out if array.ndim == 4 else out[0]
