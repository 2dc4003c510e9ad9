"""cuDNN's convolution and pooling calls, as CuPy 13 exposes them (`cupy.cudnn`), emulated in plain NumPy.

The stand-in device (device_standin.py) offers these as `xp.cudnn` (and the constants as
`xp.cuda.cudnn`) inside `use_standin(cudnn=True)`, so CPU tests run neuroflow's cuDNN plumbing
(ops/cudnn.py) end to end. The emulation follows the functions' documented semantics, written
independently of neuroflow's own convolution code (direct loops over the window taps, einsum over
channels, float64 accumulation):

- convolution_forward(x, W, b, y, pad, stride, dilation, groups, *, auto_tune, tensor_core,
  d_layout=NCHW, w_layout=NCHW): y = cross-correlation of x zero-padded by `pad` on both sides of
  each spatial axis, y[n, k, p] = sum_{c, r} W[k, c, r] x_pad[n, g(k) C/G + c, p s + r d] (+ b[k]),
  written into the preallocated y. convolution_backward_data(W, x, b, y, ...) writes the gradient
  with respect to the input into y from the output gradient x (cuDNN's dy -> dx; CuPy's argument
  names), convolution_backward_filter(x, gy, gW, ...) the filter gradient into gW.
- Layouts as CuPy builds its descriptors: a 4-D array with CUDNN_TENSOR_NHWC is (n, h, w, c) and a
  4-D filter (k, h, w, c); other ranks are always read as (n, c, spatial...), whatever the layout.
- pooling_forward(x, y, ksize, stride, pad, mode) -> y and pooling_backward(x, y, gy, ksize,
  stride, pad, mode) -> gx: (n, c, spatial...) arrays; the max modes ignore padded cells, the
  average modes divide by the window area (COUNT_INCLUDE_PADDING) or by the real cells
  (COUNT_EXCLUDE_PADDING). Max pooling's gradient goes to the first maximal cell of the window in
  row-major order (cuDNN does not document its choice on exact ties).

It refuses what CuPy refuses: NumPy arrays (CuPy's arguments are typed cupy.ndarray), lists for
the geometry tuples, mixed or non-float dtypes, non-C-contiguous output buffers, and output shapes
that do not match cuDNN's size formula, out = (n + 2 pad - ((k - 1) d + 1)) // s + 1.
"""
import itertools
import types

import numpy

# numpy here is the emulated library's implementation (tests/test_backend_seam.py).
HOST_NUMPY = "emulates cuDNN on the stand-in device's NumPy arrays"

constants = types.SimpleNamespace(
    available=True, CUDNN_TENSOR_NCHW=0, CUDNN_TENSOR_NHWC=1, CUDNN_POOLING_MAX=0,
    CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING=1, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING=2,
    CUDNN_POOLING_MAX_DETERMINISTIC=3)
calls = []  # (function name, d_layout or None): what ran, for the tests' assertions


class CuDNNError(RuntimeError):
    """cuDNN's CUDNN_STATUS_BAD_PARAM, as cupy_backends' CuDNNError reports it."""


def _data(value, name):
    data = getattr(value, "_data", None)
    if not isinstance(data, numpy.ndarray):
        raise TypeError(f"Argument '{name}' has incorrect type (expected cupy.ndarray, got {type(value).__name__})")
    return data


def _check_dtypes(*arrays):
    dtypes = {array.dtype for array in arrays}
    if len(dtypes) != 1 or next(iter(dtypes)).name not in ("float16", "float32", "float64"):
        raise TypeError(f"Dtype {sorted(map(str, dtypes))} is not supported in cuDNN (one of float16, float32, float64)")


def _check_output(array):
    if not array.flags.c_contiguous:
        raise ValueError("cupy.cudnn supports c-contiguous arrays only")


def _check_geometry(spatial, **tuples):
    for name, value in tuples.items():
        if not isinstance(value, tuple) or len(value) != spatial:
            raise TypeError(f"{name} must be a tuple of {spatial} ints (CuPy declares `tuple {name}`), got {value!r}")


def _as_nchw(array, layout):
    return array.transpose(0, 3, 1, 2) if array.ndim == 4 and layout == constants.CUDNN_TENSOR_NHWC else array


def _filter_as_kcrs(array, layout):
    if layout != constants.CUDNN_TENSOR_NHWC:
        return array
    if array.ndim != 4:
        raise NotImplementedError("an N-D filter in CUDNN_TENSOR_NHWC is not emulated")
    return array.transpose(0, 3, 1, 2)


def _output_size(size, window, pad, stride, dilation):
    return (size + 2 * pad - ((window - 1) * dilation + 1)) // stride + 1


def _expect_shape(array, shape, what):
    if tuple(array.shape) != tuple(shape):
        raise CuDNNError(f"CUDNN_STATUS_BAD_PARAM: {what} has shape {tuple(array.shape)}, cuDNN expects {tuple(shape)}")


def _taps(window, dilation, stride, out):
    """(tap offsets, the strided slice of a padded input that the tap reads for every output cell)."""
    for tap in itertools.product(*(range(k) for k in window)):
        yield tap, (slice(None), slice(None)) + tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, stride, out))


def _padded(array, pad, value=0.0):
    return numpy.pad(array.astype(numpy.float64), [(0, 0), (0, 0)] + [(p, p) for p in pad], constant_values=value)


def _conv_geometry(x, w, pad, stride, dilation, groups):
    _check_geometry(x.ndim - 2, pad=pad, stride=stride, dilation=dilation)
    n, channels = x.shape[:2]
    filters, per_group = w.shape[:2]
    if channels != per_group * groups or filters % groups:
        raise CuDNNError(f"CUDNN_STATUS_BAD_PARAM: {channels} input channels, filters {tuple(w.shape)}, groups={groups}")
    out = tuple(_output_size(size, k, p, s, d) for size, k, p, s, d in zip(x.shape[2:], w.shape[2:], pad, stride, dilation))
    return n, filters, per_group, filters // groups, out


def convolution_forward(x, W, b, y, pad, stride, dilation, groups, *, auto_tune, tensor_core,
                        d_layout=constants.CUDNN_TENSOR_NCHW, w_layout=constants.CUDNN_TENSOR_NCHW):
    x_data, w_data, y_data = _data(x, "x"), _data(W, "W"), _data(y, "y")
    _check_dtypes(x_data, w_data, y_data)
    _check_output(y_data)
    calls.append(("convolution_forward", d_layout))
    xs, w, ys = _as_nchw(x_data, d_layout), _filter_as_kcrs(w_data, w_layout), _as_nchw(y_data, d_layout)
    n, filters, per_group, out_per_group, out = _conv_geometry(xs, w, pad, stride, dilation, groups)
    _expect_shape(ys, (n, filters) + out, "y")
    x_pad = _padded(xs, pad)
    total = numpy.zeros(ys.shape)
    for tap, window in _taps(w.shape[2:], dilation, stride, out):
        patch = x_pad[window]
        for g in range(groups):
            k, c = slice(g * out_per_group, (g + 1) * out_per_group), slice(g * per_group, (g + 1) * per_group)
            total[:, k] += numpy.einsum("nc...,kc->nk...", patch[:, c], w[(k, slice(None)) + tap].astype(numpy.float64))
    if b is not None:
        total += _data(b, "b").reshape((1, -1) + (1,) * len(out))
    ys[...] = total


def convolution_backward_data(W, x, b, y, pad, stride, dilation, groups, *, deterministic, auto_tune, tensor_core,
                              d_layout=constants.CUDNN_TENSOR_NCHW, w_layout=constants.CUDNN_TENSOR_NCHW):
    w_data, gy_data, gx_data = _data(W, "W"), _data(x, "x"), _data(y, "y")
    _check_dtypes(w_data, gy_data, gx_data)
    _check_output(gx_data)
    calls.append(("convolution_backward_data", d_layout))
    w, gy, gx = _filter_as_kcrs(w_data, w_layout), _as_nchw(gy_data, d_layout), _as_nchw(gx_data, d_layout)
    n, filters, per_group, out_per_group, out = _conv_geometry(gx, w, pad, stride, dilation, groups)
    _expect_shape(gy, (n, filters) + out, "x (the output gradient)")
    grad = numpy.zeros(gx.shape[:2] + tuple(size + 2 * p for size, p in zip(gx.shape[2:], pad)))
    for tap, window in _taps(w.shape[2:], dilation, stride, out):
        for g in range(groups):
            k, c = slice(g * out_per_group, (g + 1) * out_per_group), slice(g * per_group, (g + 1) * per_group)
            grad[window][:, c] += numpy.einsum("nk...,kc->nc...", gy[:, k].astype(numpy.float64),
                                               w[(k, slice(None)) + tap].astype(numpy.float64))
    grad = grad[(slice(None), slice(None)) + tuple(slice(p, p + size) for p, size in zip(pad, gx.shape[2:]))]
    if b is not None:
        grad = grad + _data(b, "b").reshape((1, -1) + (1,) * len(out))
    gx[...] = grad


def convolution_backward_filter(x, gy, gW, pad, stride, dilation, groups, *, deterministic, auto_tune, tensor_core,
                                d_layout=constants.CUDNN_TENSOR_NCHW, w_layout=constants.CUDNN_TENSOR_NCHW):
    x_data, gy_data, gw_data = _data(x, "x"), _data(gy, "gy"), _data(gW, "gW")
    _check_dtypes(x_data, gy_data, gw_data)
    _check_output(gw_data)
    calls.append(("convolution_backward_filter", d_layout))
    xs, g_out, gw = _as_nchw(x_data, d_layout), _as_nchw(gy_data, d_layout), _filter_as_kcrs(gw_data, w_layout)
    n, filters, per_group, out_per_group, out = _conv_geometry(xs, gw, pad, stride, dilation, groups)
    _expect_shape(g_out, (n, filters) + out, "gy")
    x_pad = _padded(xs, pad)
    grad = numpy.zeros(gw.shape)
    for tap, window in _taps(gw.shape[2:], dilation, stride, out):
        patch = x_pad[window]
        for g in range(groups):
            k, c = slice(g * out_per_group, (g + 1) * out_per_group), slice(g * per_group, (g + 1) * per_group)
            grad[(k, slice(None)) + tap] = numpy.einsum("ncp,nkp->kc", patch[:, c].reshape(n, per_group, -1),
                                                        g_out[:, k].reshape(n, out_per_group, -1).astype(numpy.float64))
    gw[...] = grad


def _pool_geometry(x, y_shape_source, ksize, stride, pad):
    _check_geometry(x.ndim - 2, ksize=ksize, stride=stride, pad=pad)
    out = tuple(_output_size(size, k, p, s, 1) for size, k, p, s in zip(x.shape[2:], ksize, pad, stride))
    _expect_shape(y_shape_source, x.shape[:2] + out, "y")
    return out


def _is_max(mode):
    return mode in (constants.CUDNN_POOLING_MAX, constants.CUDNN_POOLING_MAX_DETERMINISTIC)


def _real_counts(x, ksize, stride, pad, out):
    ones = _padded(numpy.ones((1, 1) + x.shape[2:]), pad)
    counts = numpy.zeros((1, 1) + out)
    for _, window in _taps(ksize, (1,) * len(ksize), stride, out):
        counts += ones[window]
    return counts


def pooling_forward(x, y, ksize, stride, pad, mode):
    x_data, y_data = _data(x, "x"), _data(y, "y")
    _check_dtypes(x_data, y_data)
    _check_output(y_data)
    calls.append(("pooling_forward", None))
    out = _pool_geometry(x_data, y_data, ksize, stride, pad)
    x_pad = _padded(x_data, pad, -numpy.inf if _is_max(mode) else 0.0)
    windows = [x_pad[window] for _, window in _taps(ksize, (1,) * len(ksize), stride, out)]
    if _is_max(mode):
        y_data[...] = numpy.max(windows, axis=0)
    elif mode == constants.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING:
        y_data[...] = numpy.sum(windows, axis=0) / numpy.prod(ksize)
    elif mode == constants.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING:
        y_data[...] = numpy.sum(windows, axis=0) / _real_counts(x_data, ksize, stride, pad, out)
    else:
        raise CuDNNError(f"CUDNN_STATUS_BAD_PARAM: pooling mode {mode}")
    return y


def pooling_backward(x, y, gy, ksize, stride, pad, mode):
    x_data, y_data, gy_data = _data(x, "x"), _data(y, "y"), _data(gy, "gy")
    _check_dtypes(x_data, y_data, gy_data)
    calls.append(("pooling_backward", None))
    out = _pool_geometry(x_data, y_data, ksize, stride, pad)
    _expect_shape(gy_data, y_data.shape, "gy")
    x_pad = _padded(x_data, pad, -numpy.inf if _is_max(mode) else 0.0)
    grad = numpy.zeros(x_pad.shape)
    g = gy_data.astype(numpy.float64)
    if _is_max(mode):
        taken = numpy.zeros(y_data.shape, dtype=bool)
        for _, window in _taps(ksize, (1,) * len(ksize), stride, out):
            first = (x_pad[window] == y_data) & ~taken
            grad[window] += g * first
            taken |= first
    else:
        share = g / (numpy.prod(ksize) if mode == constants.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                     else _real_counts(x_data, ksize, stride, pad, out))
        for _, window in _taps(ksize, (1,) * len(ksize), stride, out):
            grad[window] += share
    grad = grad[(slice(None), slice(None)) + tuple(slice(p, p + size) for p, size in zip(pad, x_data.shape[2:]))]
    return type(x)(grad.astype(x_data.dtype))
