"""Elastic distortion of images (keras.ops.image.elastic_transform; Simard et al., 2003).

Each pixel is displaced by alpha times a smooth random field: two standard normal fields scaled
by sigma and blurred by a Gaussian of that sigma (kernel size int(6 sigma) | 1, zero padding), as
Keras does. The image is then read at the displaced coordinates with map_coordinates' kernel, so
the output is differentiable in the images (the field itself is random, not learned).
"""
import numpy

from neuroflow import backend
from neuroflow import random as nf_random
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.image_crop_pad import image_axes
from neuroflow.ops.map_coordinates import FILL_MODES, sample, sample_vjp

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims, squeeze, transpose

HOST_NUMPY = "displacement grids built from host draws, then moved"  # numpy here works on host data (tests/test_backend_seam.py)

_ORDERS = {"nearest": 0, "bilinear": 1}


def _blur(field, sigma):
    """field (N, H, W) convolved with a normalized Gaussian along both spatial axes, zero padding."""
    size = int(6 * sigma) | 1
    taps = numpy.arange(size) - (size - 1) / 2
    weights = numpy.exp(-0.5 * (taps / sigma) ** 2)
    weights /= weights.sum()
    half = (size - 1) // 2
    for axis in (1, 2):
        widths = [(0, 0)] * 3
        widths[axis] = (half, size - 1 - half)
        padded = numpy.pad(field, widths)
        length = field.shape[axis]
        field = sum(w * numpy.take(padded, numpy.arange(i, i + length), axis=axis) for i, w in enumerate(weights))
    return field


def _generator(seed):
    if isinstance(seed, nf_random.SeedGenerator):
        return seed.rng
    return nf_random.generator(seed)


elastic_op = Op("elastic_transform")


@elastic_op.forward
def _(images, alpha=20.0, sigma=5.0, order=1, fill_mode="reflect", fill_value=0.0, seed=None):
    """images (N, H, W, C) read at (y + alpha dy, x + alpha dx), the fields drawn for this batch."""
    batch, height, width, channels = images.shape
    rng = _generator(seed)
    dx = _blur(rng.normal(size=(batch, height, width)) * sigma, sigma)
    dy = _blur(rng.normal(size=(batch, height, width)) * sigma, sigma)
    columns, rows = numpy.meshgrid(numpy.arange(width, dtype="float64"), numpy.arange(height, dtype="float64"))
    shape = (batch, height, width, channels)
    coordinates = numpy.stack([numpy.broadcast_to(numpy.arange(batch, dtype="float64")[:, None, None, None], shape),
                               numpy.broadcast_to((rows + alpha * dy)[..., None], shape),
                               numpy.broadcast_to((columns + alpha * dx)[..., None], shape),
                               numpy.broadcast_to(numpy.arange(channels, dtype="float64"), shape)])
    return sample(images, backend.xp.asarray(coordinates.astype(images.dtype)), order, fill_mode, fill_value)


@elastic_op.vjp
def _(residuals, g, needs):
    return (sample_vjp(residuals, g),)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                      seed=None, data_format=None):
    """Displaces every pixel by alpha times a Gaussian-smoothed (sigma) random field, then resamples.

    Args:
        images: (H, W, C) or (N, H, W, C) ('channels_first': channels before the spatial axes).
        alpha: the displacement scale; sigma: the smoothness of the field (and its amplitude).
        interpolation: 'nearest' or 'bilinear'; fill_mode: 'constant' (fill_value), 'nearest',
            'wrap', 'mirror' or 'reflect' for reads outside the image.
        seed: None (the package generator), an int (the same field every call) or a SeedGenerator.
    """
    if interpolation not in _ORDERS:
        raise ValueError(f"elastic_transform expects interpolation in {tuple(_ORDERS)}; received "
                         f"interpolation={interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"elastic_transform expects fill_mode in {FILL_MODES}; received fill_mode={fill_mode!r}")
    images = images if hasattr(images, "shape") and hasattr(images, "dtype") else convert_to_tensor(images)
    _, _, channels_axis = image_axes(images, data_format)
    unbatched = len(images.shape) == 3
    x = expand_dims(images, 0) if unbatched else images
    channels_first = channels_axis != len(images.shape) - 1
    if channels_first:
        x = transpose(x, (0, 2, 3, 1))
    options = {"alpha": float(alpha), "sigma": float(sigma), "order": _ORDERS[interpolation], "fill_mode": fill_mode,
               "fill_value": float(fill_value), "seed": seed}
    out = apply(elastic_op, (x,), options)
    if channels_first:
        out = transpose(out, (0, 3, 1, 2))
    return squeeze(out, 0) if unbatched else out
