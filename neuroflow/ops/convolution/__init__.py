"""Convolutions (channels_last): conv1d, conv2d, conv2d_transpose, depthwise and separable conv2d.

Every convolution is im2col plus one matrix product. The input is padded once, the kh*kw kernel
taps are copied side by side into a "columns" array (one strided copy per tap, no loop over pixels,
samples or channels), and

    out[n, y, x, :] = columns[n, y, x, :] @ kernel.reshape(kh * kw * cin, cout)

with columns[n, y, x, (i, j, c)] = x_padded[n, y * sh + i * dh, x * sw + j * dw, c]. The backward
pass is two more products: kernel gradient columns^T @ g, input gradient g @ kernel^T scattered
back onto the padded input tap by tap (col2im). A transposed convolution is exactly that backward
pass run forwards. Padding follows TensorFlow / Keras (ops/window.py).

Layouts: inputs (batch, width, channels) / (batch, height, width, channels); kernels
(kw, cin / groups, cout) / (kh, kw, cin / groups, cout) as in Keras. `data_format='channels_first'`
in the public wrappers transposes in and out.
"""
from neuroflow.ops.convolution.depthwise import depthwise_conv, depthwise_conv2d, separable_conv
from neuroflow.ops.convolution.im2col import col2im, im2col
from neuroflow.ops.convolution.standard import conv, conv1d, conv2d
from neuroflow.ops.convolution.transpose import conv2d_transpose, conv_transpose
from neuroflow.ops.window import output_shape

__all__ = ["conv", "conv1d", "conv2d", "conv_transpose", "conv2d_transpose", "depthwise_conv", "depthwise_conv2d",
           "separable_conv", "im2col", "col2im", "output_shape"]
