"""Cropping, padding and patch extraction of images (keras.ops.image.crop_images / pad_images / extract_patches).

All three are slices, zero padding or an identity-kernel convolution, so each is differentiable
through the ops it is made of (getitem, pad, conv).
"""
import numpy

from neuroflow import backend
from neuroflow.ops.convolution.standard import conv

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import concatenate, expand_dims, getitem, pad, squeeze, transpose
from neuroflow.ops.window import normalize_tuple, output_spatial, spatial_pads

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the patch-extraction kernel built on the host, then moved"


def image_axes(images, data_format):
    """(height axis, width axis, channels axis) of a rank-3 or rank-4 image input."""
    rank = len(images.shape)
    if rank not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images); "
                         f"received images.shape={tuple(images.shape)}")
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first'; received {data_format!r}")
    if data_format == "channels_last":
        return rank - 3, rank - 2, rank - 1
    return rank - 2, rank - 1, rank - 3


def _two_of_three(names, values):
    if list(values).count(None) != 1:
        given = ", ".join(f"{name}={value}" for name, value in zip(names, values))
        raise ValueError(f"Must specify exactly two of {', '.join(names)}; received {given}")
    for name, value in zip(names, values):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0; received {name}={value}")


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """images[top : top + target_height, left : left + target_width] on the spatial axes.

    Exactly two of (top_cropping, bottom_cropping, target_height) and two of (left_cropping,
    right_cropping, target_width) are given; the third follows from the image size.
    """
    rows, columns, _ = image_axes(images, data_format)
    _two_of_three(("top_cropping", "bottom_cropping", "target_height"), (top_cropping, bottom_cropping, target_height))
    _two_of_three(("left_cropping", "right_cropping", "target_width"), (left_cropping, right_cropping, target_width))
    height, width = images.shape[rows], images.shape[columns]
    top = height - target_height - bottom_cropping if top_cropping is None else top_cropping
    target_height = height - bottom_cropping - top if target_height is None else target_height
    left = width - target_width - right_cropping if left_cropping is None else left_cropping
    target_width = width - right_cropping - left if target_width is None else target_width
    for name, value in (("top_cropping", top), ("target_height", target_height), ("left_cropping", left),
                        ("target_width", target_width)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0; received {name}={value} for images.shape={tuple(images.shape)}")
    index = [slice(None)] * len(images.shape)
    index[rows] = slice(top, top + target_height)
    index[columns] = slice(left, left + target_width)
    return getitem(images, tuple(index))


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Zero padding of the spatial axes to (top, bottom) rows and (left, right) columns.

    Exactly two of (top_padding, bottom_padding, target_height) and two of (left_padding,
    right_padding, target_width) are given; the third follows from the image size.
    """
    rows, columns, _ = image_axes(images, data_format)
    _two_of_three(("top_padding", "bottom_padding", "target_height"), (top_padding, bottom_padding, target_height))
    _two_of_three(("left_padding", "right_padding", "target_width"), (left_padding, right_padding, target_width))
    height, width = images.shape[rows], images.shape[columns]
    top = target_height - bottom_padding - height if top_padding is None else top_padding
    bottom = target_height - top - height if bottom_padding is None else bottom_padding
    left = target_width - right_padding - width if left_padding is None else left_padding
    right = target_width - left - width if right_padding is None else right_padding
    for name, value in (("top_padding", top), ("bottom_padding", bottom), ("left_padding", left),
                        ("right_padding", right)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0; received {name}={value} for images.shape={tuple(images.shape)}")
    widths = [(0, 0)] * len(images.shape)
    widths[rows], widths[columns] = (top, bottom), (left, right)
    return pad(images, widths)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Each size[0] x size[1] patch flattened into the channel axis: (N, H', W', ph * pw * C).

    The patch's values are ordered (row, column, channel), as in Keras; strides default to size
    (non-overlapping patches). Computed as a convolution with an identity kernel, so it is
    differentiable.
    """
    if isinstance(size, (tuple, list)) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    if isinstance(size, int):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"extract_patches expects `size` to be an int or a tuple of 2 or 3 ints; "
                         f"received size={size!r}")
    _, _, channels_axis = image_axes(images, data_format)
    channels = images.shape[channels_axis]
    depth = size[0] * size[1] * channels
    kernel = numpy.eye(depth, dtype=str(images.dtype)).reshape(size[0], size[1], channels, depth)
    unbatched = len(images.shape) == 3
    if unbatched:
        images = expand_dims(images, 0)
    patches = conv(images, backend.xp.asarray(kernel), strides=strides or tuple(size), padding=padding,
                   data_format=data_format or backend.image_data_format(), dilation_rate=dilation_rate)
    return squeeze(patches, 0) if unbatched else patches


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Each pd x ph x pw block of a volume flattened into the channel axis: (N, D', H', W', pd ph pw C).

    Values are ordered (depth, row, column, channel); strides default to size. Built from strided
    slices (one per block offset) and a concatenation, so it is differentiable.
    """
    size = normalize_tuple(size, 3, "size")
    strides = normalize_tuple(strides or size, 3, "strides")
    dilation = normalize_tuple(dilation_rate, 3, "dilation_rate")
    if len(volumes.shape) not in (4, 5):
        raise ValueError("extract_patches_3d expects a 4-D (single volume) or 5-D (batch) input; received "
                         f"volumes.shape={tuple(volumes.shape)}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; received padding={padding!r}")
    data_format = data_format or backend.image_data_format()
    unbatched = len(volumes.shape) == 4
    x = expand_dims(volumes, 0) if unbatched else volumes
    if data_format == "channels_first":
        x = transpose(x, (0, 2, 3, 4, 1))
    spatial = tuple(x.shape[1:4])
    if padding == "same":
        pads = spatial_pads(spatial, size, strides, dilation, "same")
        x = pad(x, ((0, 0),) + tuple(pads) + ((0, 0),))
        spatial = tuple(x.shape[1:4])
    counts = output_spatial(spatial, size, strides, dilation, ((0, 0),) * 3)
    pieces = []
    for offsets in numpy.ndindex(*size):
        index = (slice(None),) + tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                                       for o, d, n, s in zip(offsets, dilation, counts, strides)) + (slice(None),)
        pieces.append(getitem(x, index))
    out = concatenate(pieces, axis=-1)
    if data_format == "channels_first":
        out = transpose(out, (0, 4, 1, 2, 3))
    return squeeze(out, 0) if unbatched else out
