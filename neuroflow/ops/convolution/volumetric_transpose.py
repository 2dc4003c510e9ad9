"""Transposed 3-D convolution: conv3d's input gradient run forwards, tap by tap.

Inputs (batch, depth, height, width, channels), kernel (kd, kh, kw, filters, channels) as in Keras.
Each kernel tap (a, b, c) scatters x @ kernel[a, b, c]^T onto the padded output at the voxels
(z*sd + a*dd, y*sh + b*dh, x*sw + c*dw); the output is the padded array cropped to Keras' length
per axis (ops/window.py's deconv_output_length and transpose_pads, as the 2-D op). The gradient
reads the same strided windows back: input g_pad[tap] @ kernel[tap], kernel g_pad[tap]^T @ x.
"""
import itertools

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.convolution.volumetric import _crop3d, _pad3d, _tap
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last
from neuroflow.ops.window import check_padding, deconv_output_length, normalize_tuple, transpose_pads

conv3d_transpose_op = Op("conv3d_transpose")


@conv3d_transpose_op.forward
def _(x, kernel, strides=(1, 1, 1), padding="valid", output_padding=None, dilation_rate=(1, 1, 1)):
    n, cin = x.shape[0], x.shape[-1]
    window, filters = kernel.shape[:3], kernel.shape[3]
    output_padding = (None,) * 3 if output_padding is None else output_padding
    out_spatial = tuple(deconv_output_length(size, k, s, padding, extra, d) for size, k, s, extra, d in
                        zip(x.shape[1:4], window, strides, output_padding, dilation_rate))
    pads = tuple(transpose_pads(size, out, k, s, d, padding) for size, out, k, s, d in
                 zip(x.shape[1:4], out_spatial, window, strides, dilation_rate))
    padded = backend.xp.zeros((n,) + tuple(o + sum(p) for o, p in zip(out_spatial, pads)) + (filters,),
                              dtype=backend.xp.result_type(x, kernel))
    flat = x.reshape(-1, cin)
    for offsets in itertools.product(*(range(k) for k in window)):
        padded[_tap(offsets, strides, dilation_rate, x.shape[1:4]) + (slice(None),)] += (
            flat @ kernel[offsets].T).reshape(x.shape[:4] + (filters,))
    return _crop3d(padded, pads, out_spatial), (x, kernel, pads, strides, dilation_rate)


@conv3d_transpose_op.vjp
def _(residuals, g, needs):
    x, kernel, pads, strides, dilation = residuals
    cin, filters = x.shape[-1], kernel.shape[3]
    g_padded = _pad3d(g, pads)
    flat_x = x.reshape(-1, cin)
    grad_x = backend.xp.zeros_like(x) if needs[0] else None
    grad_kernel = backend.xp.zeros_like(kernel) if needs[1] else None
    for offsets in itertools.product(*(range(k) for k in kernel.shape[:3])):
        window = g_padded[_tap(offsets, strides, dilation, x.shape[1:4]) + (slice(None),)].reshape(-1, filters)
        if needs[0]:
            grad_x += (window @ kernel[offsets]).reshape(x.shape)
        if needs[1]:
            grad_kernel[offsets] = window.T @ flat_x
    return grad_x, grad_kernel


def conv3d_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                     dilation_rate=1):
    """Transposed 3-D convolution (Keras' ops.conv_transpose on rank-5 inputs).

    Output length per axis: output_padding None -> n*s + max(k_eff - s, 0) ('valid') or n*s ('same');
    otherwise (n - 1)*s + k_eff - 2*pad + output_padding with pad = k_eff // 2 for 'same'.

    Args:
        inputs: (batch, depth, height, width, channels) ('channels_first': channels second).
        kernel: (kd, kh, kw, filters, channels).
        strides, dilation_rate, output_padding: int or 3-tuple (output_padding may be None).
        padding: 'valid' or 'same'.

    Returns:
        A Tensor (batch, out_depth, out_height, out_width, filters) (channels_first: filters second).
    """
    if len(inputs.shape) != 5:
        raise ValueError(f"conv3d_transpose expects a rank-5 input (batch, depth, height, width, channels); "
                         f"received inputs.shape={tuple(inputs.shape)}")
    x = _to_channels_last(inputs, data_format, 3)
    if len(kernel.shape) != 5 or kernel.shape[4] != x.shape[-1]:
        raise ValueError(f"conv3d_transpose expects a kernel (kd, kh, kw, filters, {x.shape[-1]}) for an input with "
                         f"{x.shape[-1]} channels; received kernel.shape={tuple(kernel.shape)}")
    strides = normalize_tuple(strides, 3, "strides")
    dilation = normalize_tuple(dilation_rate, 3, "dilation_rate")
    if output_padding is not None:
        output_padding = normalize_tuple(output_padding, 3, "output_padding", minimum=0)
        for extra, s, d in zip(output_padding, strides, dilation):
            if extra >= s and extra >= d:
                raise ValueError(f"conv3d_transpose: `output_padding` must be smaller than `strides` or "
                                 f"`dilation_rate`; received output_padding={output_padding}, strides={strides}")
    params = {"strides": strides, "padding": check_padding(padding), "output_padding": output_padding,
              "dilation_rate": dilation}
    return _from_channels_last(apply(conv3d_transpose_op, (x, kernel), params), data_format, 3)
