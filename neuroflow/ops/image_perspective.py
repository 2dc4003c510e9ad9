"""Perspective warps (keras.ops.image.perspective_transform): a homography, then map_coordinates.

The homography maps each output pixel (x, y) to the input point

    x_in = (a0 x + a1 y + a2) / (a6 x + a7 y + 1),   y_in = (a3 x + a4 y + a5) / (a6 x + a7 y + 1),

with a0..a7 solved from the four end_points -> start_points correspondences (an 8 x 8 linear
system per image). Sampling is map_coordinates' kernel with fill_mode 'constant' over the whole
batch, so the warp is differentiable in the images.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.image_crop_pad import image_axes
from neuroflow.ops.inspection import value_of
from neuroflow.ops.map_coordinates import sample, sample_vjp

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims, squeeze, transpose

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "transform coordinates built on the host from the given parameters, then moved"

_ORDERS = {"nearest": 0, "bilinear": 1}


def homography(start_points, end_points):
    """The (N, 8) coefficients a0..a7 taking end_points to start_points (both (N, 4, 2), (x, y) pairs)."""
    start = numpy.asarray(start_points, dtype="float64")
    end = numpy.asarray(end_points, dtype="float64")
    rows, targets = [], []
    for i in range(4):
        ex, ey, sx, sy = end[:, i, 0], end[:, i, 1], start[:, i, 0], start[:, i, 1]
        one, zero = numpy.ones_like(ex), numpy.zeros_like(ex)
        rows.append(numpy.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1))
        rows.append(numpy.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1))
        targets += [sx, sy]
    return numpy.linalg.solve(numpy.stack(rows, axis=1), numpy.stack(targets, axis=1)[..., None])[..., 0]


def _points(points, name):
    points = backend.to_numpy(value_of(points))  # the homography is solved on the host
    if points.ndim not in (2, 3) or points.shape[-2:] != (4, 2):
        raise ValueError(f"Invalid {name} shape: expected (4, 2) for a single image or (N, 4, 2) for a batch; "
                         f"received {name}.shape={points.shape}")
    return points[None] if points.ndim == 2 else points


perspective_op = Op("perspective_transform")


@perspective_op.forward
def _(images, coefficients=None, order=1, fill_value=0.0):
    """images (N, H, W, C) warped by the homographies `coefficients` ((N or 1, 8) a0..a7)."""
    xp = backend.xp
    batch, height, width, channels = images.shape
    if coefficients.shape[0] == 1 and batch > 1:
        coefficients = numpy.repeat(coefficients, batch, axis=0)
    columns, rows = numpy.meshgrid(numpy.arange(width, dtype="float64"), numpy.arange(height, dtype="float64"))
    a = coefficients[:, :, None, None]
    denominator = a[:, 6] * columns + a[:, 7] * rows + 1.0
    x_in = (a[:, 0] * columns + a[:, 1] * rows + a[:, 2]) / denominator
    y_in = (a[:, 3] * columns + a[:, 4] * rows + a[:, 5]) / denominator
    # One sampling over (N, H, W, C): the batch and channel coordinates are exact integers.
    shape = (batch, height, width, channels)
    coordinates = numpy.stack([numpy.broadcast_to(numpy.arange(batch, dtype="float64")[:, None, None, None], shape),
                               numpy.broadcast_to(y_in[..., None], shape), numpy.broadcast_to(x_in[..., None], shape),
                               numpy.broadcast_to(numpy.arange(channels, dtype="float64"), shape)])
    return sample(images, xp.asarray(coordinates.astype(images.dtype)), order, "constant", fill_value)


@perspective_op.vjp
def _(residuals, g, needs):
    return (sample_vjp(residuals, g),)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0, data_format=None):
    """Warps images so that start_points land on end_points (4 (x, y) corners each, per image or shared).

    interpolation: 'nearest' or 'bilinear'; outside the input reads fill_value (differentiable in images).
    """
    if interpolation not in _ORDERS:
        raise ValueError(f"perspective_transform expects interpolation in {tuple(_ORDERS)}; received "
                         f"interpolation={interpolation!r}")
    images = images if hasattr(images, "shape") and hasattr(images, "dtype") else convert_to_tensor(images)
    _, _, channels_axis = image_axes(images, data_format)
    start, end = _points(start_points, "start_points"), _points(end_points, "end_points")
    if start.shape != end.shape:
        raise ValueError(f"start_points and end_points must have the same shape; received start_points.shape="
                         f"{start.shape}, end_points.shape={end.shape}")
    unbatched = len(images.shape) == 3
    x = expand_dims(images, 0) if unbatched else images
    channels_first = channels_axis != len(images.shape) - 1
    if channels_first:
        x = transpose(x, (0, 2, 3, 1))
    options = {"coefficients": homography(start, end), "order": _ORDERS[interpolation], "fill_value": float(fill_value)}
    out = apply(perspective_op, (x,), options)
    if channels_first:
        out = transpose(out, (0, 3, 1, 2))
    return squeeze(out, 0) if unbatched else out
