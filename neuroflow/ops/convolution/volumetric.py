"""3-D (volumetric) windows: conv3d as im2col plus one matrix product, and 3-D max / average pooling.

Inputs are (batch, depth, height, width, channels); 'channels_first' in the public functions
transposes in and out. The geometry (TF's 'same' padding) is ops/window.py's, per axis. As in 2-D,
the input is padded once and each of the kd*kh*kw kernel taps is one strided copy (no loop over
voxels, samples or channels):

    columns[n, z, y, x, (a, b, c, ch)] = x_pad[n, z*sd + a*dd, y*sh + b*dh, x*sw + c*dw, ch]
    conv3d:  out[n, z, y, x, :] = columns[n, z, y, x, :] @ kernel.reshape(kd*kh*kw*cin, cout) + bias

The backward pass: kernel gradient columns^T @ g, input gradient g @ kernel^T added back tap by
tap (col2im); the pooling gradients go to the first maximum of each window, or are spread over the
unpadded cells of each window.
"""
import itertools

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last
from neuroflow.ops.window import check_padding, normalize_tuple, output_spatial, spatial_pads


def _pad3d(x, pads, value=0):
    if not any(before or after for before, after in pads):
        return x
    return backend.xp.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def _crop3d(x, pads, spatial):
    return x[(slice(None),) + tuple(slice(p[0], p[0] + n) for p, n in zip(pads, spatial))]


def _tap(offsets, strides, dilation, out_spatial):
    """The strided slice of the padded input that kernel tap `offsets` reads for every output voxel."""
    return (slice(None),) + tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                                  for o, s, d, n in zip(offsets, strides, dilation, out_spatial))


def _geometry(shape, window, strides, dilation, padding):
    pads = spatial_pads(shape[1:4], window, strides, dilation, padding)
    out = output_spatial(shape[1:4], window, strides, dilation, pads)
    if min(out) < 1:
        raise ValueError(f"3-D window {tuple(window)} (dilation {tuple(dilation)}) does not fit the input's spatial "
                         f"shape {tuple(shape[1:4])}; use padding='same' or a larger input")
    return pads, out


# ---- conv3d ---------------------------------------------------------------------------------------

conv3d_op = Op("conv3d")


@conv3d_op.forward
def _(x, kernel, bias=None, strides=(1, 1, 1), padding="valid", dilation_rate=(1, 1, 1)):
    if x.dtype.kind in "biu":
        x = x.astype(kernel.dtype)
    window, (cin, cout) = kernel.shape[:3], kernel.shape[3:]
    pads, out_spatial = _geometry(x.shape, window, strides, dilation_rate, padding)
    x_padded = _pad3d(x, pads)
    n = x.shape[0]
    columns = backend.xp.empty((n,) + out_spatial + tuple(window) + (cin,), dtype=x.dtype)
    for offsets in itertools.product(*(range(k) for k in window)):
        columns[(Ellipsis,) + offsets + (slice(None),)] = x_padded[_tap(offsets, strides, dilation_rate, out_spatial)]
    flat = columns.reshape(-1, kernel[..., 0].size)
    out = flat @ kernel.reshape(-1, cout)
    if bias is not None:
        out += bias
    return out.reshape((n,) + out_spatial + (cout,)), (flat, kernel, pads, out_spatial, x.shape, x_padded.shape,
                                                        strides, dilation_rate, bias is not None)


@conv3d_op.vjp
def _(residuals, g, needs):
    flat, kernel, pads, out_spatial, x_shape, padded_shape, strides, dilation, has_bias = residuals
    cout = kernel.shape[-1]
    g_flat = g.reshape(-1, cout)
    g_kernel = (flat.T @ g_flat).reshape(kernel.shape) if needs[1] else None
    g_x = None
    if needs[0]:
        g_columns = (g_flat @ kernel.reshape(-1, cout).T).reshape((x_shape[0],) + tuple(out_spatial)
                                                                  + kernel.shape[:4])
        g_padded = backend.xp.zeros(padded_shape, dtype=g.dtype)
        for offsets in itertools.product(*(range(k) for k in kernel.shape[:3])):
            g_padded[_tap(offsets, strides, dilation, out_spatial)] += g_columns[(Ellipsis,) + offsets
                                                                                 + (slice(None),)]
        g_x = _crop3d(g_padded, pads, x_shape[1:4])
    grads = (g_x, g_kernel)
    return grads + ((g_flat.sum(axis=0) if needs[2] else None),) if has_bias else grads


def conv3d(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """3-D convolution (Keras' ops.conv on rank-5 inputs).

    out[n, z, y, x, o] = sum over a, b, c, ch of x_pad[n, z*sd + a*dd, y*sh + b*dh, x*sw + c*dw, ch]
    * kernel[a, b, c, ch, o] (+ bias[o]).

    Args:
        inputs: (batch, depth, height, width, channels) ('channels_first': channels second).
        kernel: (kd, kh, kw, channels, filters).
        strides, dilation_rate: int or 3-tuple.
        padding: 'valid' or 'same' (TF arithmetic: output ceil(n / s), extra pad after).
        bias: optional (filters,) vector, added in the same op.

    Returns:
        A Tensor (batch, out_depth, out_height, out_width, filters) (channels_first: filters second).
    """
    if len(inputs.shape) != 5:
        raise ValueError(f"conv3d expects a rank-5 input (batch, depth, height, width, channels), got shape "
                         f"{tuple(inputs.shape)}")
    if len(kernel.shape) != 5:
        raise ValueError(f"conv3d expects a rank-5 kernel (kd, kh, kw, channels, filters), got shape "
                         f"{tuple(kernel.shape)}")
    x = _to_channels_last(inputs, data_format, 3)
    if x.shape[-1] != kernel.shape[3]:
        raise ValueError(f"conv3d: the input has {x.shape[-1]} channels but the kernel expects {kernel.shape[3]} "
                         f"(kernel shape {tuple(kernel.shape)})")
    params = {"strides": normalize_tuple(strides, 3, "strides"), "padding": check_padding(padding),
              "dilation_rate": normalize_tuple(dilation_rate, 3, "dilation_rate")}
    operands = (x, kernel) if bias is None else (x, kernel, bias)
    return _from_channels_last(apply(conv3d_op, operands, params), data_format, 3)


# ---- 3-D pooling ----------------------------------------------------------------------------------

_UNIT = (1, 1, 1)
max_pool3d_op = Op("max_pool3d")


@max_pool3d_op.forward
def _(x, pool_size=(2, 2, 2), strides=(2, 2, 2), padding="valid"):
    """out[n, z, y, x, c] = max over the window of x_pad (padded cells hold -inf, so never win)."""
    pads, out_spatial = _geometry(x.shape, pool_size, strides, _UNIT, padding)
    lowest = -backend.xp.inf if x.dtype.kind == "f" else backend.xp.iinfo(x.dtype).min
    x_padded = _pad3d(x, pads, lowest)
    taps = list(itertools.product(*(range(k) for k in pool_size)))
    out = None
    for offsets in taps:
        window = x_padded[_tap(offsets, strides, _UNIT, out_spatial)]
        out = window.copy() if out is None else backend.xp.maximum(out, window)
    return out, (x_padded, out, taps, strides, pads, out_spatial, x.shape)


@max_pool3d_op.vjp
def _(residuals, g, needs):
    x_padded, out, taps, strides, pads, out_spatial, x_shape = residuals
    grad = backend.xp.zeros(x_padded.shape, dtype=g.dtype)
    unassigned = backend.xp.ones(out.shape, dtype=bool)
    for offsets in taps:  # the first maximum of each window takes the gradient, as TF does
        where = _tap(offsets, strides, _UNIT, out_spatial)
        hit = unassigned & (x_padded[where] == out)
        grad[where] += g * hit
        unassigned &= ~hit
    return (_crop3d(grad, pads, x_shape[1:4]),)


avg_pool3d_op = Op("avg_pool3d")


@avg_pool3d_op.forward
def _(x, pool_size=(2, 2, 2), strides=(2, 2, 2), padding="valid"):
    """out = the window's sum over its unpadded cells / their number."""
    pads, out_spatial = _geometry(x.shape, pool_size, strides, _UNIT, padding)
    x_padded = _pad3d(x.astype(backend.floatx()) if x.dtype.kind != "f" else x, pads)
    ones = _pad3d(backend.xp.ones((1,) + tuple(x.shape[1:4]) + (1,), dtype=x_padded.dtype), pads)
    taps = list(itertools.product(*(range(k) for k in pool_size)))
    total = counts = None
    for offsets in taps:
        where = _tap(offsets, strides, _UNIT, out_spatial)
        total = x_padded[where].copy() if total is None else total + x_padded[where]
        counts = ones[where].copy() if counts is None else counts + ones[where]
    scale = 1.0 / counts
    return total * scale, (scale, taps, strides, pads, out_spatial, x.shape, x_padded.shape)


@avg_pool3d_op.vjp
def _(residuals, g, needs):
    scale, taps, strides, pads, out_spatial, x_shape, padded_shape = residuals
    grad = backend.xp.zeros(padded_shape, dtype=g.dtype)
    g_scaled = g * scale
    for offsets in taps:
        grad[_tap(offsets, strides, _UNIT, out_spatial)] += g_scaled
    return (_crop3d(grad, pads, x_shape[1:4]),)


def _pool3d(op, name, inputs, pool_size, strides, padding, data_format):
    if len(inputs.shape) != 5:
        raise ValueError(f"{name} expects a rank-5 input (batch, depth, height, width, channels), got shape "
                         f"{tuple(inputs.shape)}")
    pool_size = normalize_tuple(pool_size, 3, "pool_size")
    strides = pool_size if strides is None else normalize_tuple(strides, 3, "strides")
    x = _to_channels_last(inputs, data_format, 3)
    out = apply(op, (x,), {"pool_size": pool_size, "strides": strides, "padding": check_padding(padding)})
    return _from_channels_last(out, data_format, 3)


def max_pool3d(inputs, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None):
    """3-D max pooling: out[n, z, y, x, c] = max over the pool_size window of x_pad (strides default
    pool_size; 'same' pads with cells that never win)."""
    return _pool3d(max_pool3d_op, "max_pool3d", inputs, pool_size, strides, padding, data_format)


def average_pool3d(inputs, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None):
    """3-D average pooling: the mean over each window's unpadded cells ('same' never counts padding)."""
    return _pool3d(avg_pool3d_op, "average_pool3d", inputs, pool_size, strides, padding, data_format)
