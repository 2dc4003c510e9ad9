"""Image resizing (keras.ops.image.resize): bilinear and nearest-neighbour, with gradients.

Bilinear resizing is linear in the image and separable: with half-pixel centres (TensorFlow's
`tf.image.resize`, PyTorch's `align_corners=False`, what Keras 3 uses), output row i reads the
input at

    s = (i + 0.5) * in_size / out_size - 0.5,   clamped to [0, in_size - 1],

as (1 - t) * row[floor(s)] + t * row[floor(s) + 1] with t = s - floor(s). That is a matrix A
(out_size x in_size) per spatial axis: out = A_h x A_w^T for every image and channel, and the
gradient is A_h^T g A_w. Two small matrix products replace any gather loop.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.utils.errors import unknown_name_error


def interpolation_matrix(in_size, out_size, dtype="float32"):
    """The (out_size, in_size) bilinear weights of one axis, half-pixel centres."""
    import numpy

    matrix = numpy.zeros((out_size, in_size), dtype="float64")
    source = (numpy.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
    source = numpy.clip(source, 0, in_size - 1)
    low = numpy.floor(source).astype(numpy.int64)
    high = numpy.minimum(low + 1, in_size - 1)
    weight_high = source - low
    rows = numpy.arange(out_size)
    numpy.add.at(matrix, (rows, low), 1.0 - weight_high)
    numpy.add.at(matrix, (rows, high), weight_high)
    return backend.xp.asarray(matrix.astype(dtype))


resize_bilinear = Op("resize_bilinear")


@resize_bilinear.forward
def _(x, size=(1, 1)):
    """(batch, height, width, channels) -> (batch, size[0], size[1], channels), bilinearly."""
    xp = backend.xp
    rows = interpolation_matrix(x.shape[1], size[0], x.dtype)
    columns = interpolation_matrix(x.shape[2], size[1], x.dtype)
    # out[n, i, j, c] = sum_h sum_w rows[i, h] x[n, h, w, c] columns[j, w]
    out = xp.einsum("ih,nhwc->niwc", rows, x, optimize=True)
    out = xp.einsum("jw,niwc->nijc", columns, out, optimize=True)
    return out, (rows, columns)


@resize_bilinear.vjp
def _(residuals, g, needs):
    rows, columns = residuals
    xp = backend.xp
    grad = xp.einsum("ih,nijc->nhjc", rows, g, optimize=True)
    return (xp.einsum("jw,nhjc->nhwc", columns, grad, optimize=True),)


resize_nearest = Op("resize_nearest")


@resize_nearest.forward
def _(x, size=(1, 1)):
    """Nearest neighbour with half-pixel centres: output i reads input floor((i + 0.5) * in / out)."""
    xp = backend.xp
    row_index = xp.minimum(((xp.arange(size[0]) + 0.5) * (x.shape[1] / size[0])).astype(xp.int64), x.shape[1] - 1)
    column_index = xp.minimum(((xp.arange(size[1]) + 0.5) * (x.shape[2] / size[1])).astype(xp.int64), x.shape[2] - 1)
    return x[:, row_index][:, :, column_index], (x.shape, row_index, column_index)


@resize_nearest.vjp
def _(residuals, g, needs):
    shape, row_index, column_index = residuals
    xp = backend.xp
    # Each input pixel collects the gradients of every output that copied it.
    by_rows = xp.zeros((shape[0], shape[1], g.shape[2], shape[3]), dtype=g.dtype)
    xp.add.at(by_rows, (slice(None), row_index), g)
    grad = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(grad, (slice(None), slice(None), column_index), by_rows)
    return (grad,)


_RESIZE_OPS = {"bilinear": resize_bilinear, "nearest": resize_nearest}


def resize(images, size, interpolation="bilinear", data_format=None):
    """Resizes a batch of images (or one image) to `size` = (height, width), as keras.ops.image.resize.

    Args:
        images: (batch, height, width, channels), or (height, width, channels); channels first
            with data_format='channels_first'.
        size: the output (height, width).
        interpolation: 'bilinear' or 'nearest'.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    from neuroflow import ops

    if interpolation not in _RESIZE_OPS:
        raise unknown_name_error("interpolation", interpolation, _RESIZE_OPS)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"resize: `size` must be two positive integers (height, width), got {size!r}")
    images = ops.convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"resize expects images of rank 3 or 4, got shape {images.shape}")
    single = images.ndim == 3
    if single:
        images = ops.expand_dims(images, 0)
    channels_first = (data_format or backend.image_data_format()) == "channels_first"
    if channels_first:
        images = ops.transpose(images, (0, 2, 3, 1))
    out = apply(_RESIZE_OPS[interpolation], (images,), {"size": size})
    if channels_first:
        out = ops.transpose(out, (0, 3, 1, 2))
    return ops.squeeze(out, 0) if single else out


random_flip = Op("random_flip")


@random_flip.forward
def _(images, horizontal=True, vertical=True, generator=None):
    """Flips each image of (batch, height, width, channels) left-right and / or upside down, each
    with probability 1/2, drawn per image from `generator` (a numpy Generator)."""
    n = images.shape[0]
    draws = generator.random((n, 2))
    flip_columns = backend.xp.asarray(draws[:, 0] < 0.5) if horizontal else None
    flip_rows = backend.xp.asarray(draws[:, 1] < 0.5) if vertical else None
    return _flip(images, flip_rows, flip_columns), (flip_rows, flip_columns)


@random_flip.vjp
def _(residuals, g, needs):
    flip_rows, flip_columns = residuals
    return (_flip(g, flip_rows, flip_columns),)  # a flip is its own inverse


def _flip(images, flip_rows, flip_columns):
    xp = backend.xp
    out = images
    if flip_columns is not None:
        out = xp.where(flip_columns[:, None, None, None], out[:, :, ::-1], out)
    if flip_rows is not None:
        out = xp.where(flip_rows[:, None, None, None], out[:, ::-1], out)
    return out if out is not images else images.copy()
