"""Convolution and pooling through CuPy's cuDNN bindings, where the cupy backend has them.

**Not yet run on a GPU.** The calls below follow CuPy 13's `cupy.cudnn` (convolution_forward,
convolution_backward_data, convolution_backward_filter, pooling_forward, pooling_backward) and its
constants in `cupy.cuda.cudnn`; CPU tests check the plumbing (argument order, padding, strides,
dilation, groups, layouts, shapes, gradients) against the im2col path through the stand-in
device's emulation of those functions (neuroflow/testing/cudnn_standin.py), which implements
their documented semantics independently. benchmarks/gpu_check.sh compares both paths on a GPU.

Where cuDNN is missing (CuPy without the cuDNN library, CuPy 14, which removed these bindings, a
dtype cuDNN lacks, 3-D windows, inside `device_kernels.unfused()`), `bindings()` is None and the
callers run the im2col / tap-by-tap code on the device, as on NumPy.

Layouts. neuroflow computes channels_last. Convolutions in float16 / float32 use cuDNN's NHWC
descriptors directly (d_layout = w_layout = CUDNN_TENSOR_NHWC): the input and output need no
transpose, only the small kernel is reordered (kh, kw, cin, cout) -> (cout, kh, kw, cin). float64
(the gradient checks) goes through NCHW, the layout cuDNN supports in double precision for every
algorithm: input, output and their gradients are transposed. Pooling always transposes to NCHW:
CuPy's pooling calls describe arrays from their shapes as (batch, channels, spatial...), with no
layout argument. A channels_first convolution reaches conv2d already transposed to channels_last
(ops/data_format.py); a channels_first pooling goes to cuDNN without any transpose.

Padding. cuDNN pads symmetrically; TensorFlow's 'same' puts the odd cell after, 'causal' puts all
before. The symmetric part, min(before, after), goes to cuDNN; the rest is padded explicitly
(zeros for convolution and average pooling, -inf for max pooling) and cropped off the gradient.
Average pooling divides by the number of real cells (Keras / TF): with symmetric padding that is
cuDNN's COUNT_EXCLUDE_PADDING; with explicit padding the window sums come from COUNT_INCLUDE_PADDING
and are rescaled by area / count.
"""
import collections
import importlib

from neuroflow import backend
from neuroflow.engine.registry import Op
from neuroflow.ops import device_kernels
from neuroflow.ops.window import output_spatial, spatial_pads

Bindings = collections.namedtuple("Bindings", "calls constants")
_FOUND = {}
_FLOATS = ("float16", "float32", "float64")


def bindings():
    """Bindings(calls=cupy.cudnn, constants=cupy.cuda.cudnn) on a backend with cuDNN, else None."""
    name = backend.backend()
    if name == "numpy" or not device_kernels.enabled():
        return None
    if name == "cupy":
        if name not in _FOUND:
            _FOUND[name] = _import_cupy_cudnn()
        return _FOUND[name]
    calls = getattr(backend.xp, "cudnn", None)  # the tests' stand-in device, when it emulates cuDNN
    return None if calls is None else Bindings(calls, backend.xp.cuda.cudnn)


def _import_cupy_cudnn():
    try:
        # CuPy does not import its cuDNN modules itself: cuDNN is a separate, optional library (and
        # CuPy 14 dropped the bindings). Imported on first use, only on the cupy backend.
        constants = importlib.import_module("cupy.cuda.cudnn")
        if not getattr(constants, "available", True):
            return None
        return Bindings(importlib.import_module("cupy.cudnn"), constants)
    except (ImportError, AttributeError, RuntimeError):
        return None


def supports(*arrays):
    """The bindings when cuDNN can take these arrays or tensors (one float dtype), else None."""
    found = bindings()
    if found is None or any(getattr(a, "dtype", None) is None for a in arrays):
        return None
    dtypes = {backend.xp.dtype(a.dtype).name for a in arrays}
    return found if len(dtypes) == 1 and dtypes <= set(_FLOATS) else None


def _split_pads(pads):
    """((before, after), ...) -> (cuDNN's symmetric pad per axis, the explicit (before, after) rest)."""
    symmetric = tuple(min(before, after) for before, after in pads)
    return symmetric, tuple((before - p, after - p) for (before, after), p in zip(pads, symmetric))


def _pad_spatial(x, explicit, value, spatial_axes):
    """Pads the spatial axes `spatial_axes` of `x` by `explicit` (no copy when there is nothing to pad)."""
    if not any(p for pair in explicit for p in pair):
        return x
    widths = [(0, 0)] * x.ndim
    for axis, pair in zip(spatial_axes, explicit):
        widths[axis] = pair
    return backend.xp.pad(x, widths, constant_values=value)


def _crop_spatial(x, explicit, spatial, spatial_axes):
    index = [slice(None)] * x.ndim
    for axis, (before, _), size in zip(spatial_axes, explicit, spatial):
        index[axis] = slice(before, before + size)
    return x[tuple(index)]


# ---- convolution (conv2d and conv1d: ops/convolution/standard.py) -------------------------------

ConvolutionResiduals = collections.namedtuple(
    "ConvolutionResiduals", "found x_padded filters pad strides dilation groups explicit x_shape nhwc")


def convolution(found, x, kernel, strides, dilation, pads, groups):
    """NHWC x (n, h, w, cin) and Keras kernel (kh, kw, cin / groups, cout) -> (NHWC output, residuals)."""
    xp = backend.xp
    constants = found.constants
    nhwc = x.dtype.name != "float64"
    symmetric, explicit = _split_pads(pads)
    x_padded = _pad_spatial(x, explicit, 0, (1, 2))
    out_hw = output_spatial(x.shape[1:3], kernel.shape[:2], strides, dilation, pads)
    n, cout = x.shape[0], kernel.shape[3]
    if nhwc:
        x_in = xp.ascontiguousarray(x_padded)
        filters = xp.ascontiguousarray(kernel.transpose(3, 0, 1, 2))  # (cout, kh, kw, cin / groups)
        y = xp.empty((n,) + out_hw + (cout,), dtype=x.dtype)
        layout = constants.CUDNN_TENSOR_NHWC
    else:
        x_in = xp.ascontiguousarray(x_padded.transpose(0, 3, 1, 2))
        filters = xp.ascontiguousarray(kernel.transpose(3, 2, 0, 1))  # (cout, cin / groups, kh, kw)
        y = xp.empty((n, cout) + out_hw, dtype=x.dtype)
        layout = constants.CUDNN_TENSOR_NCHW
    found.calls.convolution_forward(x_in, filters, None, y, symmetric, tuple(strides), tuple(dilation), int(groups),
                                    auto_tune=False, tensor_core="auto", d_layout=layout, w_layout=layout)
    out = y if nhwc else xp.ascontiguousarray(y.transpose(0, 2, 3, 1))
    residuals = ConvolutionResiduals(found, x_in, filters, symmetric, tuple(strides), tuple(dilation), int(groups), explicit,
                                     x.shape, nhwc)
    return out, residuals


def convolution_backward(residuals, g, needs):
    """(dL/dx (n, h, w, cin) or None, dL/dkernel (kh, kw, cin / groups, cout) or None) from the NHWC gradient g."""
    xp = backend.xp
    found = residuals.found
    constants = found.constants
    layout = constants.CUDNN_TENSOR_NHWC if residuals.nhwc else constants.CUDNN_TENSOR_NCHW
    g_in = xp.ascontiguousarray(g if residuals.nhwc else g.transpose(0, 3, 1, 2)).astype(residuals.filters.dtype,
                                                                                           copy=False)
    options = dict(deterministic=False, auto_tune=False, tensor_core="auto", d_layout=layout, w_layout=layout)
    geometry = (residuals.pad, residuals.strides, residuals.dilation, residuals.groups)
    grad_x = grad_kernel = None
    if needs[0]:
        grad_padded = xp.empty(residuals.x_padded.shape, dtype=g_in.dtype)
        found.calls.convolution_backward_data(residuals.filters, g_in, None, grad_padded, *geometry, **options)
        if not residuals.nhwc:
            grad_padded = grad_padded.transpose(0, 2, 3, 1)
        grad_x = _crop_spatial(grad_padded, residuals.explicit, residuals.x_shape[1:3], (1, 2))
    if needs[1]:
        grad_filters = xp.empty(residuals.filters.shape, dtype=g_in.dtype)
        found.calls.convolution_backward_filter(residuals.x_padded, g_in, grad_filters, *geometry, **options)
        grad_kernel = grad_filters.transpose(1, 2, 3, 0) if residuals.nhwc else grad_filters.transpose(2, 3, 1, 0)
        grad_kernel = xp.ascontiguousarray(grad_kernel)
    return grad_x, grad_kernel


# ---- pooling (max / average, 1-D and 2-D: ops/pooling.py) ----------------------------------------

cudnn_pool_op = Op("cudnn_pool")


def _to_nchw(x, rank, channels_first):
    """(n, [h,] w, c) or (n, c, [h,] w) -> contiguous (n, c, h, w) (a 1-D input gets h = 1)."""
    if not channels_first:
        x = x.transpose((0, rank + 1) + tuple(range(1, rank + 1)))
    if rank == 1:
        x = x[:, :, None, :]
    return backend.xp.ascontiguousarray(x)


def _from_nchw(x, rank, channels_first):
    if rank == 1:
        x = x[:, :, 0, :]
    if not channels_first:
        x = x.transpose((0,) + tuple(range(2, rank + 2)) + (1,))
    return backend.xp.ascontiguousarray(x)


def _real_cell_counts(spatial, pool_size, strides, pads, out_hw, dtype):
    """(1, 1, oh, ow): how many unpadded cells each window covers (the windows are separable: rows x columns)."""
    per_axis = []
    for size, window, stride, (before, _), count in zip(spatial, pool_size, strides, pads, out_hw):
        per_axis.append([min(size, start + window) - max(0, start)
                         for start in (k * stride - before for k in range(count))])
    rows = backend.xp.asarray(per_axis[0], dtype=dtype).reshape(-1, 1)
    return (rows * backend.xp.asarray(per_axis[1], dtype=dtype).reshape(1, -1))[None, None]


@cudnn_pool_op.forward
def _(x, kind="max_pool", pool_size=(2, 2), strides=(2, 2), padding="valid", rank=2, channels_first=False):
    """Max or average pooling of x (channels_last or channels_first, rank 1 or 2) through cuDNN.

    pool_size and strides are 2-D (a 1-D pooling passes (1, k)). Max pooling's gradient goes to the
    window's maximum as cuDNN's deterministic mode picks it (on exact ties cuDNN may choose another
    element than the first maximum that the NumPy path takes; continuous data has no ties).
    """
    xp = backend.xp
    found = bindings()
    constants = found.constants
    x_nchw = _to_nchw(x, rank, channels_first)
    spatial = x_nchw.shape[2:]
    pads = spatial_pads(spatial, pool_size, strides, (1, 1), padding)
    out_hw = output_spatial(spatial, pool_size, strides, (1, 1), pads)
    if out_hw[0] < 1 or out_hw[1] < 1:
        raise ValueError(f"pooling window {tuple(pool_size)} is larger than the input's spatial shape "
                         f"{tuple(spatial)}; use padding='same' or a smaller pool_size")
    symmetric, explicit = _split_pads(pads)
    scale = None
    if kind == "max_pool":
        mode = constants.CUDNN_POOLING_MAX_DETERMINISTIC
        x_padded = _pad_spatial(x_nchw, explicit, -xp.inf, (2, 3))
    elif explicit == ((0, 0), (0, 0)):
        mode = constants.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING  # divides by the real cells: TF's count
        x_padded = x_nchw
    else:  # explicit padding cuDNN cannot tell from data: window sums / area, rescaled by area / real cells
        symmetric, explicit = (0, 0), pads
        mode = constants.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
        x_padded = _pad_spatial(x_nchw, explicit, 0, (2, 3))
        area = pool_size[0] * pool_size[1]
        scale = area / _real_cell_counts(spatial, pool_size, strides, pads, out_hw, x.dtype)
    geometry = (tuple(pool_size), tuple(strides), tuple(symmetric), mode)
    y = xp.empty(x_nchw.shape[:2] + tuple(out_hw), dtype=x.dtype)
    found.calls.pooling_forward(x_padded, y, *geometry)
    out = y if scale is None else y * scale
    residuals = (found, x_padded, y, geometry, scale, explicit, spatial, rank, channels_first)
    return _from_nchw(out, rank, channels_first), residuals


@cudnn_pool_op.vjp
def _(residuals, g, needs):
    found, x_padded, y, geometry, scale, explicit, spatial, rank, channels_first = residuals
    g_nchw = _to_nchw(g, rank, channels_first).astype(y.dtype, copy=False)
    if scale is not None:
        g_nchw = backend.xp.ascontiguousarray(g_nchw * scale)
    grad = found.calls.pooling_backward(x_padded, y, g_nchw, *geometry)
    return (_from_nchw(_crop_spatial(grad, explicit, spatial, (2, 3)), rank, channels_first),)
