"""Adaptive pooling (keras.ops.nn.adaptive_average_pool / adaptive_max_pool): a fixed output size.

Output index i of a spatial axis of length L pooled to n reads the window

    [floor(i L / n), ceil((i + 1) L / n)),

PyTorch's AdaptiveAvgPool / AdaptiveMaxPool windows, which Keras 3 uses. Windows are rectangular,
so the pooling runs one spatial axis at a time (a mean of means over equal-length windows is the
mean over the rectangle; likewise for the max), each as slices, reductions and one concatenation:
differentiable through those ops.
"""
import math

from neuroflow import backend
from neuroflow.ops.reduction import max as _max
from neuroflow.ops.reduction import mean as _mean

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import concatenate, getitem


def _windows(length, size):
    return [(math.floor(i * length / size), math.ceil((i + 1) * length / size)) for i in range(size)]


def _adaptive_pool(inputs, output_size, data_format, reduce, name):
    rank = len(inputs.shape) - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"{name} expects a 3-D, 4-D or 5-D input (batch, spatial..., channels); received "
                         f"inputs.shape={tuple(inputs.shape)}")
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"{name} expects `output_size` to be a positive int or {rank} positive ints for a "
                         f"{rank + 2}-D input; received output_size={output_size!r}")
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first'; received {data_format!r}")
    first_spatial = 1 if data_format == "channels_last" else 2
    out = inputs
    for offset, size in enumerate(sizes):
        axis = first_spatial + offset
        pieces = []
        for start, stop in _windows(inputs.shape[axis], size):
            index = [slice(None)] * len(inputs.shape)
            index[axis] = slice(start, stop)
            pieces.append(reduce(getitem(out, tuple(index)), axis=axis, keepdims=True))
        out = concatenate(pieces, axis=axis) if len(pieces) > 1 else pieces[0]
    return out


def adaptive_average_pool(inputs, output_size, data_format=None):
    """The mean over each adaptive window; output spatial shape `output_size` (int or one per spatial axis)."""
    return _adaptive_pool(inputs, output_size, data_format, _mean, "adaptive_average_pool")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """The maximum over each adaptive window; output spatial shape `output_size` (int or one per spatial axis)."""
    return _adaptive_pool(inputs, output_size, data_format, _max, "adaptive_max_pool")
