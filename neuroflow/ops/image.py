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
from neuroflow.engine.tensor import convert_to_tensor

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims_op as _expand_dims
from neuroflow.ops.shape import squeeze_op as _squeeze
from neuroflow.ops.shape import transpose_op as _transpose
from neuroflow.utils.errors import unknown_name_error

# isort: split
# Issue 10: the rest of keras.ops.image, each in its family file; this module is also the namespace.
from neuroflow.ops.image_color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv  # noqa: F401 - the namespace
from neuroflow.ops.image_crop_pad import crop_images, extract_patches, extract_patches_3d, pad_images  # noqa: F401 - the namespace
from neuroflow.ops.image_elastic import elastic_transform  # noqa: F401 - the namespace
from neuroflow.ops.image_filters import gaussian_blur, sobel_edges  # noqa: F401 - the namespace
from neuroflow.ops.image_perspective import perspective_transform  # noqa: F401 - the namespace
from neuroflow.ops.image_quality import ssim  # noqa: F401 - the namespace
from neuroflow.ops.image_scale import scale_and_translate  # noqa: F401 - the namespace (api10)
from neuroflow.ops.map_coordinates import map_coordinates  # noqa: F401 - the namespace

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "bilinear interpolation matrices built once on the host, then moved"


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
    backend.scatter_add(by_rows, (slice(None), row_index), g)
    grad = xp.zeros(shape, dtype=g.dtype)
    backend.scatter_add(grad, (slice(None), slice(None), column_index), by_rows)
    return (grad,)


_RESIZE_OPS = {"bilinear": resize_bilinear, "nearest": resize_nearest}


def on_image_batch(images, data_format, transform, what="images"):
    """`transform` applied to a (batch, height, width, channels) view of a batch or a single image.

    Rank-3 input is one image; data_format (None: backend.image_data_format()) 'channels_first'
    input is transposed there and back. Every step is an op, so gradients flow through.
    """
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"{what} expects images of rank 3 or 4, got shape {images.shape}")
    single = images.ndim == 3
    if single:
        images = _expand_dims(images, axis=0)
    channels_first = (data_format or backend.image_data_format()) == "channels_first"
    if channels_first:
        images = _transpose(images, axes=(0, 2, 3, 1))
    out = transform(images)
    if channels_first:
        out = _transpose(out, axes=(0, 3, 1, 2))
    return _squeeze(out, axis=0) if single else out


def resize(images, size, interpolation="bilinear", data_format=None):
    """Resizes a batch of images (or one image) to `size` = (height, width), as keras.ops.image.resize.

    Args:
        images: (batch, height, width, channels), or (height, width, channels); channels first
            with data_format='channels_first'.
        size: the output (height, width).
        interpolation: 'bilinear' or 'nearest'.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    if interpolation not in _RESIZE_OPS:
        raise unknown_name_error("interpolation", interpolation, _RESIZE_OPS)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"resize: `size` must be two positive integers (height, width), got {size!r}")
    return on_image_batch(images, data_format, lambda batch: apply(_RESIZE_OPS[interpolation], (batch,), {"size": size}),
                          "resize")


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


# ---- affine resampling: RandomRotation, RandomZoom, RandomTranslation -------------------------
#
# keras.ops.image.affine_transform's convention: a transform [a0, a1, a2, b0, b1, b2, c0, c1] maps
# each OUTPUT pixel (x = column, y = row) to the INPUT point it reads,
#
#     x_in = a0 x + a1 y + a2,    y_in = b0 x + b1 y + b2     (c0 = c1 = 0: no perspective),
#
# sampled bilinearly from the four pixels around (y_in, x_in), weights (1 - t)(1 - s) ... with
# t = y_in - floor(y_in), s = x_in - floor(x_in); or from the nearest pixel (rounded half to even).
# Corners outside the image are read through the fill mode: 'reflect' (d c b a | a b c d | d c b a),
# 'mirror' (d c b | a b c d | c b a), 'wrap' (a b c d | a b c d), 'nearest' (a a | a b c d | d d),
# or 'constant' (the corner contributes fill_value). The output is linear in the image: its vjp
# scatters g * weight back onto the pixels each output read (xp.add.at sums repeated reads).

FILL_MODES = ("reflect", "wrap", "constant", "nearest", "mirror")
AFFINE_INTERPOLATIONS = ("bilinear", "nearest")


def _fix_index(index, size, fill_mode):
    """In-range indices for possibly out-of-range integer `index` along an axis of `size` pixels."""
    xp = backend.xp
    if fill_mode == "reflect":  # period 2 * size, the edge pixel repeated
        index = index % (2 * size)
        return xp.where(index >= size, 2 * size - 1 - index, index)
    if fill_mode == "mirror":  # period 2 * (size - 1), the edge pixel not repeated
        if size == 1:
            return xp.zeros_like(index)
        index = index % (2 * (size - 1))
        return xp.where(index >= size, 2 * (size - 1) - index, index)
    if fill_mode == "wrap":
        return index % size
    return xp.clip(index, 0, size - 1)  # 'nearest', and 'constant' (whose outside reads are masked)


def _sample_plan(shape, transforms, interpolation, fill_mode):
    """The pixels each output reads and their weights: a list of (flat index, weight) per corner.

    shape: (batch, height, width, channels); transforms: (batch, 8) float64 (xp array).
    Flat indices address the (batch * height * width) pixels; weights are (batch, height, width)
    and are zero where fill_mode='constant' puts a corner outside the image.
    """
    xp = backend.xp
    n, height, width = shape[0], shape[1], shape[2]
    rows = xp.arange(height, dtype="float64")[None, :, None]
    columns = xp.arange(width, dtype="float64")[None, None, :]
    t = [transforms[:, k][:, None, None] for k in range(6)]
    x_in = t[0] * columns + t[1] * rows + t[2]
    y_in = t[3] * columns + t[4] * rows + t[5]
    if interpolation == "nearest":
        nodes_y = [(xp.rint(y_in).astype(xp.int64), 1.0)]
        nodes_x = [(xp.rint(x_in).astype(xp.int64), 1.0)]
    else:
        y0, x0 = xp.floor(y_in), xp.floor(x_in)
        ty, tx = y_in - y0, x_in - x0
        y0, x0 = y0.astype(xp.int64), x0.astype(xp.int64)
        nodes_y = [(y0, 1.0 - ty), (y0 + 1, ty)]
        nodes_x = [(x0, 1.0 - tx), (x0 + 1, tx)]
    base = (xp.arange(n, dtype=xp.int64) * (height * width))[:, None, None]
    plan = []
    for iy, wy in nodes_y:
        for ix, wx in nodes_x:
            weight = xp.broadcast_to(xp.asarray(wy * wx, dtype="float64"), x_in.shape)
            if fill_mode == "constant":
                inside = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                weight = xp.where(inside, weight, 0.0)
            flat = base + _fix_index(iy, height, fill_mode) * width + _fix_index(ix, width, fill_mode)
            plan.append((flat, weight))
    return plan


def _resample(images, plan, fill_value, fill_mode):
    """sum over corners of weight * image[corner] (+ fill_value * the weight of corners outside)."""
    n, height, width, channels = images.shape
    pixels = images.reshape(n * height * width, channels)
    out = None
    total = None
    for flat, weight in plan:
        term = pixels[flat] * weight[..., None].astype(images.dtype)
        out = term if out is None else out + term
        total = weight if total is None else total + weight
    if fill_mode == "constant" and fill_value != 0:
        # The weights of a bilinear read sum to 1; what the outside corners held goes to fill_value.
        out = out + ((1.0 - total) * fill_value)[..., None].astype(images.dtype)
    return out


def _resample_vjp(shape, plan, g):
    xp = backend.xp
    n, height, width, channels = shape
    grad = xp.zeros((n * height * width, channels), dtype=g.dtype)
    for flat, weight in plan:
        backend.scatter_add(grad, flat.reshape(-1), (g * weight[..., None].astype(g.dtype)).reshape(-1, channels))
    return grad.reshape(shape)


def _check_affine_options(interpolation, fill_mode):
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise unknown_name_error("interpolation", interpolation, AFFINE_INTERPOLATIONS)
    if fill_mode not in FILL_MODES:
        raise unknown_name_error("fill_mode", fill_mode, FILL_MODES)


def _as_transforms(transform, batch):
    """(batch, 8) float64 from a transform of 6 or 8 numbers, or one such row per image."""
    import numpy

    transform = numpy.asarray(backend.to_numpy(transform) if hasattr(transform, "shape") else transform,
                              dtype="float64")
    if transform.ndim == 1:
        transform = numpy.broadcast_to(transform, (batch, transform.shape[0]))
    if transform.ndim != 2 or transform.shape[1] not in (6, 8) or transform.shape[0] != batch:
        raise ValueError(f"affine_transform: `transform` must have shape (8,) or ({batch}, 8), got {transform.shape}")
    if transform.shape[1] == 8 and numpy.any(transform[:, 6:] != 0):
        raise NotImplementedError("affine_transform: perspective terms (c0, c1) must be 0")
    return backend.xp.asarray(transform[:, :6])


affine_transform_op = Op("affine_transform")


@affine_transform_op.forward
def _(images, transform=None, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Resamples (batch, height, width, channels) images through fixed per-image affine transforms."""
    plan = _sample_plan(images.shape, _as_transforms(transform, images.shape[0]), interpolation, fill_mode)
    return _resample(images, plan, fill_value, fill_mode), (images.shape, plan)


@affine_transform_op.vjp
def _(residuals, g, needs):
    shape, plan = residuals
    return (_resample_vjp(shape, plan, g),)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                     data_format=None):
    """Applies affine transforms to images, as keras.ops.image.affine_transform.

    Args:
        images: (batch, height, width, channels) or one (height, width, channels) image; channels
            first with data_format='channels_first'.
        transform: [a0, a1, a2, b0, b1, b2, c0, c1] (c0 = c1 = 0), or one such row per image: output
            pixel (x, y) reads the input at (a0 x + a1 y + a2, b0 x + b1 y + b2).
        interpolation: 'bilinear' or 'nearest'.
        fill_mode: 'constant' (default), 'reflect', 'mirror', 'wrap' or 'nearest'.
        fill_value: what 'constant' reads outside the image.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    _check_affine_options(interpolation, fill_mode)

    def transformed(batch):
        return apply(affine_transform_op, (batch,), {"transform": _as_transforms(transform, batch.shape[0]),
                                                     "interpolation": interpolation, "fill_mode": fill_mode,
                                                     "fill_value": float(fill_value)})

    return on_image_batch(images, data_format, transformed, "affine_transform")


def rotation_transforms(angles, height, width):
    """Keras' rotation about the image centre by `angles` (radians, counter-clockwise), (batch, 6).

    With (cx, cy) = ((width - 1) / 2, (height - 1) / 2):
    x_in = cos a x - sin a y + cx - cx cos a + cy sin a,  y_in = sin a x + cos a y + cy - cx sin a - cy cos a.
    """
    xp = backend.xp
    angles = xp.asarray(angles, dtype="float64")
    cos, sin = xp.cos(angles), xp.sin(angles)
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    return xp.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos], axis=1)


def zoom_transforms(height_zooms, width_zooms, height, width):
    """Keras' zoom about the centre: x_in = zx x + (width - 1) / 2 (1 - zx) (zx < 1 zooms in), (batch, 6)."""
    xp = backend.xp
    zy, zx = xp.asarray(height_zooms, dtype="float64"), xp.asarray(width_zooms, dtype="float64")
    zeros = xp.zeros_like(zx)
    return xp.stack([zx, zeros, (width - 1) / 2.0 * (1.0 - zx), zeros, zy, (height - 1) / 2.0 * (1.0 - zy)], axis=1)


def translation_transforms(dy, dx):
    """A shift of the content by (dy, dx) pixels (down and right when positive): x_in = x - dx, (batch, 6)."""
    xp = backend.xp
    dy, dx = xp.asarray(dy, dtype="float64"), xp.asarray(dx, dtype="float64")
    ones, zeros = xp.ones_like(dx), xp.zeros_like(dx)
    return xp.stack([ones, zeros, -dx, zeros, ones, -dy], axis=1)


random_affine = Op("random_affine")


@random_affine.forward
def _(images, kind="rotation", lower=(0.0,), upper=(0.0,), interpolation="bilinear", fill_mode="reflect",
      fill_value=0.0, generator=None):
    """Draws one transform per image from `generator` (a numpy Generator) and resamples.

    kind='rotation': angle ~ U(lower[0], upper[0]) * 2 pi (fractions of a turn, as Keras' factor).
    kind='zoom': zy ~ 1 + U(lower[0], upper[0]); zx ~ 1 + U(lower[1], upper[1]), or zx = zy when
        lower, upper have one entry.
    kind='translation': dy ~ U(lower[0], upper[0]) * height, then dx ~ U(lower[1], upper[1]) * width.
    """
    n, height, width = images.shape[0], images.shape[1], images.shape[2]
    if kind == "rotation":
        transforms = rotation_transforms(generator.uniform(lower[0], upper[0], size=n) * 2.0 * 3.141592653589793,
                                         height, width)
    elif kind == "zoom":
        zy = 1.0 + generator.uniform(lower[0], upper[0], size=n)
        zx = 1.0 + generator.uniform(lower[1], upper[1], size=n) if len(lower) > 1 else zy
        transforms = zoom_transforms(zy, zx, height, width)
    else:
        dy = generator.uniform(lower[0], upper[0], size=n) * height
        dx = generator.uniform(lower[1], upper[1], size=n) * width
        transforms = translation_transforms(dy, dx)
    plan = _sample_plan(images.shape, transforms, interpolation, fill_mode)
    return _resample(images, plan, fill_value, fill_mode), (images.shape, plan)


@random_affine.vjp
def _(residuals, g, needs):
    shape, plan = residuals
    return (_resample_vjp(shape, plan, g),)


# ---- colour: RandomContrast, RandomBrightness ----------------------------------------------------

random_contrast = Op("random_contrast")


@random_contrast.forward
def _(images, lower=0.0, upper=0.0, value_range=(0.0, 255.0), generator=None):
    """Per image f ~ U(1 - lower, 1 + upper); per image and channel m = the mean over height and width;

        out = clip((x - m) f + m, value_range)

    on (batch, height, width, channels). The gradient is, with g masked where the clip bites,
    g f + (1 - f) mean_hw(g).
    """
    xp = backend.xp
    factor = generator.uniform(1.0 - lower, 1.0 + upper, size=(images.shape[0], 1, 1, 1))
    factor = xp.asarray(factor.astype(images.dtype))
    mean = xp.mean(images, axis=(1, 2), keepdims=True)
    adjusted = (images - mean) * factor + mean
    low, high = images.dtype.type(value_range[0]), images.dtype.type(value_range[1])
    inside = (adjusted >= low) & (adjusted <= high)
    return xp.clip(adjusted, low, high), (factor, inside)


@random_contrast.vjp
def _(residuals, g, needs):
    factor, inside = residuals
    g = g * inside
    return (g * factor + (1 - factor) * backend.xp.mean(g, axis=(1, 2), keepdims=True),)


random_brightness = Op("random_brightness")


@random_brightness.forward
def _(images, lower=0.0, upper=0.0, value_range=(0.0, 255.0), generator=None):
    """Per image delta ~ U(lower, upper) * (high - low); out = clip(x + delta, low, high), low, high = value_range.

    Works on any layout (the draw has shape (batch, 1, ..., 1)). The gradient is g where the clip
    does not bite.
    """
    xp = backend.xp
    low, high = value_range
    delta = generator.uniform(lower, upper, size=(images.shape[0],) + (1,) * (images.ndim - 1)) * (high - low)
    adjusted = images + xp.asarray(delta.astype(images.dtype))
    low, high = images.dtype.type(low), images.dtype.type(high)
    inside = (adjusted >= low) & (adjusted <= high)
    return xp.clip(adjusted, low, high), inside


@random_brightness.vjp
def _(inside, g, needs):
    return (g * inside,)
