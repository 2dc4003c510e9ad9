"""Transposed convolution: conv2d's input gradient run forwards (col2im of x @ kernel^T)."""
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.convolution.im2col import col2im, im2col
from neuroflow.ops.convolution.standard import _check_conv_shapes, _rank_of
from neuroflow.ops.convolution.volumetric_transpose import conv3d_transpose
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims_op as _expand_dims
from neuroflow.ops.shape import squeeze_op as _squeeze
from neuroflow.ops.window import check_padding, crop, deconv_output_length, normalize_tuple, pad, transpose_pads

conv2d_transpose_op = Op("conv2d_transpose")


@conv2d_transpose_op.forward
def _(x, kernel, strides=(1, 1), padding="valid", output_padding=None, dilation_rate=(1, 1)):
    """x (n, h, w, cin), kernel (kh, kw, filters, cin) -> (n, out_h, out_w, filters).

    The adjoint of conv2d with the same kernel: out = col2im(x @ kernel^T), cropped.
    """
    n, h, w, _ = x.shape
    kh, kw, filters, cin = kernel.shape
    output_padding = (None, None) if output_padding is None else output_padding
    out_hw = tuple(deconv_output_length(size, k, s, padding, op, d) for size, k, s, op, d in
                   zip((h, w), (kh, kw), strides, output_padding, dilation_rate))
    pads = tuple(transpose_pads(size, out, k, s, d, padding) for size, out, k, s, d in
                 zip((h, w), out_hw, (kh, kw), strides, dilation_rate))
    padded_shape = (n, out_hw[0] + sum(pads[0]), out_hw[1] + sum(pads[1]), filters)
    geometry = (tuple(strides), tuple(dilation_rate), (h, w))
    columns = (x.reshape(-1, cin) @ kernel.reshape(-1, cin).T).reshape(n, h, w, kh, kw, filters)
    out = crop(col2im(columns, padded_shape, geometry), pads, out_hw)
    return out, (x, kernel, pads, geometry)


@conv2d_transpose_op.vjp
def _(residuals, g, needs):
    x, kernel, pads, geometry = residuals
    kh, kw, filters, cin = kernel.shape
    columns = im2col(pad(g, pads), (kh, kw), geometry).reshape(-1, kh * kw * filters)
    grad_x = (columns @ kernel.reshape(-1, cin)).reshape(x.shape) if needs[0] else None
    grad_kernel = (columns.T @ x.reshape(-1, cin)).reshape(kernel.shape) if needs[1] else None
    return grad_x, grad_kernel


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution (keras.ops.conv_transpose) for 1-D and 2-D inputs.

    The gradient of `conv` with respect to its input, as an op: each input pixel scatters
    `x[n, y, x, :] @ kernel[i, j].T` to output pixel (y*s + i*d - pad, x*s + j*d - pad).
    Output length (Keras): output_padding None -> n*s + max(k_eff - s, 0) ('valid') or n*s
    ('same'); otherwise (n - 1)*s + k_eff - 2*pad + output_padding with pad = k_eff // 2 for 'same'.

    Args:
        inputs: (batch, [height,] width, channels).
        kernel: (kh, kw, filters, channels) (1-D: (kw, filters, channels)), Keras' layout.
        strides, dilation_rate, output_padding: int or tuple per spatial axis (output_padding may be None).
        padding: 'valid' or 'same'.

    Returns:
        A Tensor (batch, out_height, out_width, filters).
    """
    rank = _rank_of(inputs) - 2
    if rank == 3:
        return conv3d_transpose(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)
    if rank not in (1, 2, 3):
        raise ValueError(f"conv_transpose supports 1-D, 2-D and 3-D inputs, got shape {tuple(inputs.shape)}")
    padding = check_padding(padding)
    x = _to_channels_last(inputs, data_format, rank)
    _check_conv_shapes("conv_transpose", x, kernel, rank, kernel_axis_in=-1)
    strides = normalize_tuple(strides, rank, "strides")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate")
    if output_padding is not None:
        output_padding = normalize_tuple(output_padding, rank, "output_padding", minimum=0)
        for op, s, d in zip(output_padding, strides, dilation):
            if op >= s and op >= d:
                raise ValueError(f"output_padding {output_padding} must be smaller than strides {strides} "
                                 f"or dilation_rate {dilation}")
    if rank == 1:
        x = apply(_expand_dims, (x,), {"axis": 1})
        kernel = apply(_expand_dims, (kernel,), {"axis": 0})
        strides, dilation = (1,) + strides, (1,) + dilation
        output_padding = None if output_padding is None else (0,) + output_padding
    out = apply(conv2d_transpose_op, (x, kernel), {"strides": strides, "padding": padding,
                                                  "output_padding": output_padding, "dilation_rate": dilation})
    if rank == 1:
        out = apply(_squeeze, (out,), {"axis": 1})
    return _from_channels_last(out, data_format, rank)


def conv2d_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """`conv_transpose` for (batch, height, width, channels) inputs."""
    if _rank_of(inputs) != 4:
        raise ValueError(f"conv2d_transpose expects a rank-4 input, got shape {tuple(inputs.shape)}")
    return conv_transpose(inputs, kernel, strides, padding, output_padding, None, dilation_rate)
