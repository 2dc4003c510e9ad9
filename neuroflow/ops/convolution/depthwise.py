"""Depthwise convolution (each channel with its own filters) and separable convolution (depthwise, then 1x1)."""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.convolution.standard import _rank_of, conv
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims as _expand_dims
from neuroflow.ops.shape import squeeze as _squeeze
from neuroflow.ops.window import check_padding, crop, normalize_tuple, output_spatial, pad, spatial_pads, tap_slices

depthwise_conv2d_op = Op("depthwise_conv2d")


@depthwise_conv2d_op.forward
def _(x, kernel, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """x (n, h, w, c), kernel (kh, kw, c, m) -> (n, oh, ow, c * m), channel k * m + j from input k.

    out[..., k, j] = sum over taps (i, l) of x_tap[..., k] * kernel[i, l, k, j]: an elementwise
    product per tap (kh * kw of them), since each channel meets only its own filters.
    """
    kh, kw, c, multiplier = kernel.shape
    pads = spatial_pads(x.shape[1:3], (kh, kw), strides, dilation_rate, padding)
    x_padded = pad(x, pads)
    out_hw = output_spatial(x.shape[1:3], kernel.shape[:2], strides, dilation_rate, pads)
    geometry = (tuple(strides), tuple(dilation_rate), out_hw)
    out = backend.xp.zeros((x.shape[0],) + out_hw + (c, multiplier), dtype=backend.xp.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            out += x_padded[tap_slices(i, j, geometry)][..., None] * kernel[i, j]
    return out.reshape(out.shape[:3] + (c * multiplier,)), (x_padded, kernel, pads, geometry, x.shape)


@depthwise_conv2d_op.vjp
def _(residuals, g, needs):
    x_padded, kernel, pads, geometry, x_shape = residuals
    xp = backend.xp
    kh, kw, c, multiplier = kernel.shape
    g = g.reshape(g.shape[:3] + (c, multiplier))
    grad_padded = xp.zeros_like(x_padded) if needs[0] else None
    grad_kernel = xp.empty_like(kernel) if needs[1] else None
    g_rows = g.reshape(-1, c, multiplier)
    for i in range(kh):
        for j in range(kw):
            window = tap_slices(i, j, geometry)
            if needs[0]:
                grad_padded[window] += (g * kernel[i, j]).sum(axis=-1)
            if needs[1]:
                # sum over (n, y, x) of x_tap[k] * g[k, j], batched over channels k.
                taps = x_padded[window].reshape(-1, c)
                grad_kernel[i, j] = xp.einsum("rc,rcm->cm", taps, g_rows)
    grad_x = crop(grad_padded, pads, x_shape[1:3]) if needs[0] else None
    return grad_x, grad_kernel


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution (keras.ops.depthwise_conv): each channel convolved with its own filters.

    out[n, y, x, k*m + j] = sum over taps (i, l) of x_pad[n, y*s + i*d, x*s + l*d, k] * kernel[i, l, k, j].

    Args:
        inputs: (batch, [height,] width, channels).
        kernel: (kh, kw, channels, depth_multiplier) (1-D: (kw, channels, depth_multiplier)).
        strides, dilation_rate: int or tuple; padding: 'valid' or 'same'.

    Returns:
        A Tensor (batch, oh, ow, channels * depth_multiplier).
    """
    rank = _rank_of(inputs) - 2
    if rank not in (1, 2):
        raise ValueError(f"depthwise_conv supports 1-D and 2-D inputs, got shape {tuple(inputs.shape)}")
    padding = check_padding(padding)
    x = _to_channels_last(inputs, data_format, rank)
    if _rank_of(kernel) != rank + 2 or kernel.shape[-2] != x.shape[-1]:
        raise ValueError(f"depthwise_conv expects a kernel (kernel_size..., {x.shape[-1]}, depth_multiplier) for "
                         f"an input with {x.shape[-1]} channels, got {tuple(kernel.shape)}")
    strides = normalize_tuple(strides, rank, "strides")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate")
    if rank == 1:
        x = apply(_expand_dims, (x,), {"axis": 1})
        kernel = apply(_expand_dims, (kernel,), {"axis": 0})
        strides, dilation = (1,) + strides, (1,) + dilation
    out = apply(depthwise_conv2d_op, (x, kernel), {"strides": strides, "padding": padding, "dilation_rate": dilation})
    if rank == 1:
        out = apply(_squeeze, (out,), {"axis": 1})
    return _from_channels_last(out, data_format, rank)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Separable convolution (keras.ops.separable_conv): depthwise_conv, then a 1x1 conv.

    Args:
        depthwise_kernel: (kh, kw, channels, depth_multiplier).
        pointwise_kernel: (1, 1, channels * depth_multiplier, filters) (1-D: (1, c * m, filters)).
    """
    rank = _rank_of(inputs) - 2
    x = _to_channels_last(inputs, data_format, rank)
    depthwise = depthwise_conv(x, depthwise_kernel, strides, padding, None, dilation_rate)
    return _from_channels_last(conv(depthwise, pointwise_kernel, 1, "valid"), data_format, rank)


def depthwise_conv2d(inputs, kernel, strides=1, padding="valid", dilation_rate=1):
    """`depthwise_conv` for (batch, height, width, channels) inputs."""
    if _rank_of(inputs) != 4:
        raise ValueError(f"depthwise_conv2d expects a rank-4 input, got shape {tuple(inputs.shape)}")
    return depthwise_conv(inputs, kernel, strides, padding, None, dilation_rate)
