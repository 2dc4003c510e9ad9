"""Convolutions (channels_last): conv1d, conv2d, conv2d_transpose, depthwise and separable conv2d.

Every convolution is im2col plus one matrix product. The input is padded once, the kh*kw kernel
taps are copied side by side into a "columns" array (one strided copy per tap, no loop over pixels,
samples or channels), and

    out[n, y, x, :] = columns[n, y, x, :] @ kernel.reshape(kh * kw * cin, cout)

with columns[n, y, x, (i, j, c)] = x_padded[n, y * sh + i * dh, x * sw + j * dw, c]. The backward
pass is two more products: kernel gradient columns^T @ g, input gradient g @ kernel^T scattered
back onto the padded input tap by tap (col2im). A transposed convolution is exactly that backward
pass run forwards. Padding follows TensorFlow / Keras: 'same' pads
pad_total = max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0), the extra one after.

Layouts: inputs (batch, width, channels) / (batch, height, width, channels); kernels
(kw, cin / groups, cout) / (kh, kw, cin / groups, cout) as in Keras. `data_format='channels_first'`
in the public wrappers transposes in and out.
"""
import math

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.parallel import run_chunks
# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims as _expand_dims
from neuroflow.ops.shape import squeeze as _squeeze
from neuroflow.ops.shape import transpose as _transpose
from neuroflow.utils.errors import unknown_name_error

PADDINGS = ("valid", "same")


# ---- geometry ------------------------------------------------------------------------------

def normalize_tuple(value, rank, name, minimum=1):
    """`value` as a tuple of `rank` ints >= `minimum` (an int is repeated); names `name` on error."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * rank
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"{name} must be an int or a tuple of {rank} ints, got {value!r}") from None
    if len(value) != rank or any(v < minimum for v in value):
        raise ValueError(f"{name} must be an int >= {minimum} or a tuple of {rank} such ints, got {value!r}")
    return value


def check_padding(padding, allowed=PADDINGS):
    padding = str(padding).lower()
    if padding not in allowed:
        raise unknown_name_error("padding", padding, allowed)
    return padding


def same_padding(size, kernel_size, stride, dilation=1):
    """(before, after) padding of TensorFlow's 'same': output ceil(size / stride), extra pad after."""
    effective = (kernel_size - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def output_length(size, kernel_size, stride, dilation, pads):
    """Output length of a convolution over `size` padded by `pads`: floor((n + p - k_eff) / s) + 1."""
    effective = (kernel_size - 1) * dilation + 1
    return (size + pads[0] + pads[1] - effective) // stride + 1


def _pads(spatial, kernel_spatial, strides, dilation, padding):
    if padding == "valid":
        return tuple((0, 0) for _ in spatial)
    if padding == "causal":  # conv1d only: everything before, so step t never sees t + 1
        return tuple(((k - 1) * d, 0) for k, d in zip(kernel_spatial, dilation))
    return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel_spatial, strides, dilation))


def _pad(x, pads, value=0):
    """Pads the two spatial axes of an NHWC array (no copy when there is nothing to pad)."""
    if not any(p for pair in pads for p in pair):
        return x
    return backend.xp.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def _tap_slices(i, j, geometry):
    """The strided window of the padded input that kernel tap (i, j) reads for every output pixel."""
    (sh, sw), (dh, dw), (oh, ow) = geometry
    return (slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def im2col(x_padded, kernel_hw, geometry):
    """Columns (batch, oh, ow, kh, kw, channels) of a padded NHWC input.

    A strided window view (no copy) made contiguous in one pass; a copy per tap for few channels
    or where the array module has no sliding_window_view. Both are split over the batch (threads).
    """
    kh, kw = kernel_hw
    (sh, sw), (dh, dw), (oh, ow) = geometry
    xp = backend.xp
    n, _, _, c = x_padded.shape
    window_view = getattr(getattr(getattr(xp, "lib", None), "stride_tricks", None), "sliding_window_view", None)
    if window_view is not None and c >= 4:
        span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        windows = window_view(x_padded, (span_h, span_w), axis=(1, 2))  # (n, H', W', c, span_h, span_w)
        windows = windows[:, :sh * (oh - 1) + 1:sh, :sw * (ow - 1) + 1:sw, :, ::dh, ::dw]
        windows = windows.transpose(0, 1, 2, 4, 5, 3)
        columns = xp.empty(windows.shape, dtype=x_padded.dtype)

        def copy(start, stop):
            xp.copyto(columns[start:stop], windows[start:stop])

        run_chunks(n, copy, columns.size)  # a pure copy: split over the batch across threads
        return columns
    # Few channels (an image's 1 or 3): a copy per tap moves whole rows at a time, where the
    # window view's innermost run is only `c` long (0.37 vs 1.7 ms for MNIST's 128 x 26 x 26 x 9).
    columns = xp.empty((n, oh, ow, kh, kw, c), dtype=x_padded.dtype)

    def copy_taps(start, stop):
        for i in range(kh):
            for j in range(kw):
                _, rows, cols = _tap_slices(i, j, geometry)
                columns[start:stop, :, :, i, j, :] = x_padded[start:stop, rows, cols]

    run_chunks(n, copy_taps, columns.size)
    return columns


def col2im(columns, padded_shape, geometry):
    """The adjoint of im2col: adds each tap's columns back onto a zero padded input."""
    grad = backend.xp.empty(padded_shape, dtype=columns.dtype)
    kh, kw = columns.shape[3:5]

    def accumulate(start, stop):  # samples start:stop, independent of the others
        part = grad[start:stop]
        part.fill(0)
        for i in range(kh):
            for j in range(kw):
                part[_tap_slices(i, j, geometry)] += columns[start:stop, :, :, i, j, :]

    run_chunks(padded_shape[0], accumulate, columns.size)
    return grad


def _crop(x, pads, spatial):
    (top, _), (left, _) = pads
    return x[:, top:top + spatial[0], left:left + spatial[1], :]


# ---- the shared 2-D kernels ------------------------------------------------------------------

def _conv_forward(x, kernel, strides, dilation, pads, groups):
    """NHWC convolution with explicit pads; returns (output, columns kept for the backward)."""
    kh, kw, cin_group, cout = kernel.shape
    if x.dtype.kind in "biu":
        x = x.astype(kernel.dtype)  # e.g. uint8 pixels: compute in float32, not NumPy's float64
    x_padded = _pad(x, pads)
    out_hw = tuple(output_length(x.shape[1 + a], kernel.shape[a], strides[a], dilation[a], pads[a]) for a in (0, 1))
    if out_hw[0] < 1 or out_hw[1] < 1:
        raise ValueError(f"convolution input spatial shape {tuple(x.shape[1:3])} is smaller than the "
                         f"kernel {tuple(kernel.shape[:2])} with dilation {tuple(dilation)}; use padding='same' "
                         "or a larger input")
    geometry = (strides, dilation, out_hw)
    columns = im2col(x_padded, (kh, kw), geometry)
    n = x.shape[0]
    rows = n * out_hw[0] * out_hw[1]
    if groups == 1:
        flat_columns = columns.reshape(rows, -1)
        flat_kernel = kernel.reshape(-1, cout)
        out = backend.xp.empty((rows, cout), dtype=backend.xp.result_type(columns.dtype, kernel.dtype))
        per_sample = rows // n

        def product(start, stop):  # the rows of samples start:stop (threads: see ops/parallel.py)
            backend.xp.matmul(flat_columns[start * per_sample:stop * per_sample], flat_kernel,
                              out=out[start * per_sample:stop * per_sample])

        run_chunks(n, product, rows * flat_kernel.shape[0])
    else:
        columns = _group_columns(columns, groups)
        out = (columns @ _group_kernel(kernel, groups)).transpose(1, 0, 2)
    return out.reshape(n, out_hw[0], out_hw[1], cout), (columns, geometry, x_padded.shape)


def _group_columns(columns, groups):
    """(n, oh, ow, kh, kw, groups * c) -> (groups, n * oh * ow, kh * kw * c): one matrix per group."""
    n, oh, ow, kh, kw, c = columns.shape
    grouped = columns.reshape(n * oh * ow, kh * kw, groups, c // groups).transpose(2, 0, 1, 3)
    return backend.xp.ascontiguousarray(grouped).reshape(groups, n * oh * ow, -1)


def _group_kernel(kernel, groups):
    """(kh, kw, c, groups * o) -> (groups, kh * kw * c, o); output channels are split contiguously."""
    kh, kw, c, cout = kernel.shape
    return kernel.reshape(kh * kw, c, groups, cout // groups).transpose(2, 0, 1, 3).reshape(groups, -1, cout // groups)


def _conv_kernel_grad(columns, g, kernel_shape, groups):
    """dL/dkernel = columns^T @ g (per group).

    The sum over samples is split over the batch (threads: see ops/parallel.py); the partial
    products are added in sample order, so a given thread count always gives the same result.
    """
    kh, kw, c, cout = kernel_shape
    if groups == 1:
        n = g.shape[0]
        flat_columns = columns.reshape(n, -1, kh * kw * c)
        flat_g = g.reshape(n, -1, cout)
        partial = {}

        def product(start, stop):
            partial[start] = flat_columns[start:stop].reshape(-1, kh * kw * c).T @ flat_g[start:stop].reshape(-1, cout)

        run_chunks(n, product, columns.size)
        total = None
        for start in sorted(partial):
            total = partial[start] if total is None else total + partial[start]
        return total.reshape(kernel_shape)
    g_grouped = g.reshape(-1, groups, cout // groups).transpose(1, 0, 2)
    grad = backend.xp.swapaxes(columns, 1, 2) @ g_grouped  # (groups, kh * kw * c, o)
    return grad.reshape(groups, kh * kw, c, cout // groups).transpose(1, 2, 0, 3).reshape(kernel_shape)


def _conv_input_columns(g, kernel, groups):
    """dL/dcolumns = g @ kernel^T, shaped (n, oh, ow, kh, kw, cin) for col2im."""
    kh, kw, c, cout = kernel.shape
    n, oh, ow, _ = g.shape
    if groups == 1:
        return (g.reshape(-1, cout) @ kernel.reshape(-1, cout).T).reshape(n, oh, ow, kh, kw, c)
    g_grouped = g.reshape(-1, groups, cout // groups).transpose(1, 0, 2)
    columns = g_grouped @ backend.xp.swapaxes(_group_kernel(kernel, groups), 1, 2)  # (groups, rows, kh*kw*c)
    columns = columns.reshape(groups, n * oh * ow, kh * kw, c).transpose(1, 2, 0, 3)
    return columns.reshape(n, oh, ow, kh, kw, c * groups)


def _conv_input_grad(g, kernel, padded_shape, geometry):
    """dL/dx_padded = col2im(g @ kernel^T), one kernel tap at a time (groups == 1).

    Tap (i, j) contributes g @ kernel[i, j]^T to its strided window of the padded input. Doing
    the product per tap keeps each (n * oh * ow, cin) block in cache for its scatter-add, instead
    of writing all kh * kw * cin columns out and reading them back (~15% faster, and the columns
    array is never allocated).
    """
    xp = backend.xp
    kh, kw, c, cout = kernel.shape
    n, oh, ow, _ = g.shape
    dtype = xp.result_type(g.dtype, kernel.dtype)
    grad = xp.zeros(padded_shape, dtype=dtype)

    def taps(start, stop):  # samples start:stop, every tap: products and adds stay in one thread's cache
        g_rows = g[start:stop].reshape(-1, cout)
        block = xp.empty((g_rows.shape[0], c), dtype=dtype)
        block4 = block.reshape(stop - start, oh, ow, c)
        for i in range(kh):
            for j in range(kw):
                xp.matmul(g_rows, kernel[i, j].T, out=block)
                _, rows, cols = _tap_slices(i, j, geometry)
                grad[start:stop, rows, cols] += block4

    run_chunks(n, taps, g.size * kh * kw)
    return grad


def _conv_backward(residuals, g, needs, kernel, x_shape, pads):
    columns, geometry, padded_shape, groups = residuals
    grad_x = grad_kernel = None
    if needs[0] and groups == 1:
        grad_x = _crop(_conv_input_grad(g, kernel, padded_shape, geometry), pads, x_shape[1:3])
    elif needs[0]:
        grad_columns = _conv_input_columns(g, kernel, groups)
        grad_x = _crop(col2im(grad_columns, padded_shape, geometry), pads, x_shape[1:3])
    if needs[1]:
        grad_kernel = _conv_kernel_grad(columns, g, kernel.shape, groups)
    return grad_x, grad_kernel


# ---- conv2d / conv1d -------------------------------------------------------------------------
#
# Both ops take an optional bias as a third input and a built-in activation name, so a Conv layer
# is one op: out = act(conv(x, kernel) + bias). The bias is added in place into the fresh matmul
# result and only what the activation's derivative reads is kept.

def _activation_kernel(activation):
    activation = activation or "linear"
    if activation not in KERNELS:
        raise unknown_name_error("activation", activation, KERNELS)
    return KERNELS[activation]


def _fused_forward(x4, kernel4, bias, strides, dilation, pads, groups, activation):
    act = _activation_kernel(activation)
    pre, (columns, geometry, padded_shape) = _conv_forward(x4, kernel4, strides, dilation, pads, groups)
    # Plain relu (a conv passes no options) is applied in place: its backward reads only the output.
    relu_in_place = act.name == "relu" and not act.keeps_input({})
    if bias is not None or relu_in_place:
        xp = backend.xp

        def finish(start, stop):  # bias then relu on one slice of the batch while it is in cache
            part = pre[start:stop]
            if bias is not None:
                part += bias
            if relu_in_place:
                xp.maximum(part, 0, out=part)

        run_chunks(pre.shape[0], finish, pre.size)
    out = pre if act.name == "linear" or relu_in_place else act.forward(pre)
    kept_pre = pre if act.name != "linear" and act.keeps_input({}) else None
    residuals = (columns, geometry, padded_shape, groups, kernel4, x4.shape, pads, bias is not None, act, kept_pre,
                 out if act.name != "linear" else None)
    return out, residuals


def _fused_backward(residuals, g4, needs):
    columns, geometry, padded_shape, groups, kernel4, x_shape, pads, has_bias, act, pre, out = residuals
    if act.name == "relu" and pre is None:
        g4 = _relu_backward(g4, out)
    elif act.name != "linear":
        g4 = act.derivative(g4, pre, out)
    grad_x, grad_kernel = _conv_backward((columns, geometry, padded_shape, groups), g4, needs, kernel4, x_shape, pads)
    grads = (grad_x, grad_kernel)
    if has_bias:
        grads += ((_sum_rows(g4.reshape(-1, g4.shape[-1])) if needs[2] else None),)
    return grads


def _relu_backward(g, out):
    """g * (out > 0), split over the batch across threads (as the relu kernel's derivative)."""
    xp = backend.xp
    grad = xp.empty(g.shape, dtype=xp.result_type(g.dtype, out.dtype))

    def mask(start, stop):
        xp.multiply(g[start:stop], out[start:stop] > 0, out=grad[start:stop])

    run_chunks(g.shape[0], mask, g.size)
    return grad


def _sum_rows(matrix):
    """matrix.sum(axis=0) as ones @ matrix: BLAS is several times faster than NumPy's column sum."""
    return backend.xp.ones(matrix.shape[0], dtype=matrix.dtype) @ matrix


conv2d_op = Op("conv2d")


@conv2d_op.forward
def _(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1), groups=1, activation="linear"):
    """out = act(conv(x, kernel) + bias): x (n, h, w, cin), kernel (kh, kw, cin / groups, cout) -> (n, oh, ow, cout)."""
    pads = _pads(x.shape[1:3], kernel.shape[:2], strides, dilation_rate, padding)
    return _fused_forward(x, kernel, bias, strides, dilation_rate, pads, groups, activation)


@conv2d_op.vjp
def _(residuals, g, needs):
    return _fused_backward(residuals, g, needs)


conv1d_op = Op("conv1d")


@conv1d_op.forward
def _(x, kernel, bias=None, strides=(1,), padding="valid", dilation_rate=(1,), groups=1, activation="linear"):
    """conv2d on a height-1 image: x (n, w, cin), kernel (kw, cin / groups, cout) -> (n, ow, cout)."""
    x4, kernel4 = x[:, None], kernel[None]
    strides, dilation = (1,) + tuple(strides), (1,) + tuple(dilation_rate)
    pads = ((0, 0),) + _pads(x.shape[1:2], kernel.shape[:1], strides[1:], dilation[1:], padding)
    out, residuals = _fused_forward(x4, kernel4, bias, strides, dilation, pads, groups, activation)
    return out[:, 0], residuals


@conv1d_op.vjp
def _(residuals, g, needs):
    grads = _fused_backward(residuals, g[:, None], needs)
    grad_x, grad_kernel = grads[:2]
    return ((None if grad_x is None else grad_x[:, 0]), (None if grad_kernel is None else grad_kernel[0])) + grads[2:]


# ---- transposed convolution ------------------------------------------------------------------

def deconv_output_length(size, kernel_size, stride, padding, output_padding=None, dilation=1):
    """Keras' output length of a transposed convolution along one axis."""
    effective = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(effective - stride, 0)
        return size * stride
    pad = effective // 2 if padding == "same" else 0
    return (size - 1) * stride + effective - 2 * pad + output_padding


def _transpose_pads(size, out_size, kernel_size, stride, dilation, padding):
    """Pads of the forward convolution that maps `out_size` back to `size` (TF's conv2d_transpose).

    After padding the (transposed) output must hold every tap: padded >= (size - 1) * s + k_eff;
    'same' splits the shortfall TF's way, the extra row after.
    """
    effective = (kernel_size - 1) * dilation + 1
    needed = (size - 1) * stride + effective
    before = max(needed - out_size, 0) // 2 if padding == "same" else 0
    return before, max(needed - out_size - before, 0)


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
    pads = tuple(_transpose_pads(size, out, k, s, d, padding) for size, out, k, s, d in
                 zip((h, w), out_hw, (kh, kw), strides, dilation_rate))
    padded_shape = (n, out_hw[0] + sum(pads[0]), out_hw[1] + sum(pads[1]), filters)
    geometry = (tuple(strides), tuple(dilation_rate), (h, w))
    columns = (x.reshape(-1, cin) @ kernel.reshape(-1, cin).T).reshape(n, h, w, kh, kw, filters)
    out = _crop(col2im(columns, padded_shape, geometry), pads, out_hw)
    return out, (x, kernel, pads, geometry)


@conv2d_transpose_op.vjp
def _(residuals, g, needs):
    x, kernel, pads, geometry = residuals
    kh, kw, filters, cin = kernel.shape
    columns = im2col(_pad(g, pads), (kh, kw), geometry).reshape(-1, kh * kw * filters)
    grad_x = (columns @ kernel.reshape(-1, cin)).reshape(x.shape) if needs[0] else None
    grad_kernel = (columns.T @ x.reshape(-1, cin)).reshape(kernel.shape) if needs[1] else None
    return grad_x, grad_kernel


# ---- depthwise convolution -------------------------------------------------------------------

depthwise_conv2d_op = Op("depthwise_conv2d")


@depthwise_conv2d_op.forward
def _(x, kernel, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """x (n, h, w, c), kernel (kh, kw, c, m) -> (n, oh, ow, c * m), channel k * m + j from input k.

    out[..., k, j] = sum over taps (i, l) of x_tap[..., k] * kernel[i, l, k, j]: an elementwise
    product per tap (kh * kw of them), since each channel meets only its own filters.
    """
    kh, kw, c, multiplier = kernel.shape
    pads = _pads(x.shape[1:3], (kh, kw), strides, dilation_rate, padding)
    x_padded = _pad(x, pads)
    out_hw = tuple(output_length(x.shape[1 + a], kernel.shape[a], strides[a], dilation_rate[a], pads[a]) for a in (0, 1))
    geometry = (tuple(strides), tuple(dilation_rate), out_hw)
    out = backend.xp.zeros((x.shape[0],) + out_hw + (c, multiplier), dtype=backend.xp.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            out += x_padded[_tap_slices(i, j, geometry)][..., None] * kernel[i, j]
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
            window = _tap_slices(i, j, geometry)
            if needs[0]:
                grad_padded[window] += (g * kernel[i, j]).sum(axis=-1)
            if needs[1]:
                # sum over (n, y, x) of x_tap[k] * g[k, j], batched over channels k.
                taps = x_padded[window].reshape(-1, c)
                grad_kernel[i, j] = xp.einsum("rc,rcm->cm", taps, g_rows)
    grad_x = _crop(grad_padded, pads, x_shape[1:3]) if needs[0] else None
    return grad_x, grad_kernel


# ---- public wrappers -------------------------------------------------------------------------

def _rank_of(x):
    return len(x.shape)


def _to_channels_last(x, data_format, rank):
    if data_format in (None, "channels_last"):
        return x
    if data_format != "channels_first":
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return apply(_transpose, (x,), {"axes": (0,) + tuple(range(2, rank + 2)) + (1,)})


def _from_channels_last(x, data_format, rank):
    if data_format in (None, "channels_last"):
        return x
    return apply(_transpose, (x,), {"axes": (0, rank + 1) + tuple(range(1, rank + 1))})


def _check_conv_shapes(name, x, kernel, rank, groups=1, kernel_axis_in=-2):
    if _rank_of(x) != rank + 2:
        raise ValueError(f"{name} expects a rank-{rank + 2} input (batch, {'spatial, ' * rank}channels), "
                         f"got shape {tuple(x.shape)}")
    if _rank_of(kernel) != rank + 2:
        raise ValueError(f"{name} expects a rank-{rank + 2} kernel, got shape {tuple(kernel.shape)}")
    channels, kernel_in = x.shape[-1], kernel.shape[kernel_axis_in]
    if channels != kernel_in * groups:
        raise ValueError(f"{name}: the input has {channels} channels but the kernel {tuple(kernel.shape)} expects "
                         f"{kernel_in * groups} ({kernel_in} per group x {groups} groups)")
    if kernel_axis_in == -2 and kernel.shape[-1] % groups:
        raise ValueError(f"{name}: the kernel's {kernel.shape[-1]} output channels are not divisible by groups={groups}")


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1, bias=None,
         activation="linear"):
    """N-D convolution (keras.ops.conv) for 1-D and 2-D inputs.

    out[n, y, x, o] = sum over i, j, c of x_pad[n, y*s + i*d, x*s + j*d, c] * kernel[i, j, c, o]
    (grouped: input channel group g feeds only output channel group g).

    Args:
        inputs: (batch, width, channels) or (batch, height, width, channels) ('channels_first':
            channels second).
        kernel: (kw, cin / groups, cout) or (kh, kw, cin / groups, cout).
        strides, dilation_rate: int or tuple per spatial axis.
        padding: 'valid', 'same' (TF arithmetic: output ceil(n / s), extra pad after), or for
            1-D 'causal' (all padding before).
        groups: number of channel groups.
        bias: optional (cout,) vector added to every output pixel (fused into the op).
        activation: a built-in activation name (ops/activation.py KERNELS) applied in the same op.

    Returns:
        A Tensor (batch, out_spatial..., cout).

    Raises:
        ValueError: on unknown padding, bad ranks or channel counts.

    Example: `conv(ones((2, 5, 5, 3)), ones((3, 3, 3, 4)), padding='same').shape == (2, 5, 5, 4)`.
    """
    rank = _rank_of(inputs) - 2
    if rank not in (1, 2):
        raise ValueError(f"conv supports 1-D and 2-D inputs (rank 3 or 4), got shape {tuple(inputs.shape)}")
    allowed = PADDINGS + ("causal",) if rank == 1 else PADDINGS
    padding = check_padding(padding, allowed)
    groups = int(groups)
    if groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    x = _to_channels_last(inputs, data_format, rank)
    _check_conv_shapes("conv", x, kernel, rank, groups)
    params = {"strides": normalize_tuple(strides, rank, "strides"), "padding": padding,
              "dilation_rate": normalize_tuple(dilation_rate, rank, "dilation_rate"), "groups": groups}
    params["activation"] = activation
    operands = (x, kernel) if bias is None else (x, kernel, bias)
    out = apply(conv1d_op if rank == 1 else conv2d_op, operands, params)
    return _from_channels_last(out, data_format, rank)


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
    if rank not in (1, 2):
        raise ValueError(f"conv_transpose supports 1-D and 2-D inputs, got shape {tuple(inputs.shape)}")
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


# Rank-specific spellings, for layer code that knows its rank.
def conv1d(inputs, kernel, strides=1, padding="valid", dilation_rate=1, groups=1):
    """`conv` for (batch, width, channels) inputs; padding may be 'causal'."""
    if _rank_of(inputs) != 3:
        raise ValueError(f"conv1d expects a rank-3 input (batch, width, channels), got shape {tuple(inputs.shape)}")
    return conv(inputs, kernel, strides, padding, None, dilation_rate, groups)


def conv2d(inputs, kernel, strides=1, padding="valid", dilation_rate=1, groups=1):
    """`conv` for (batch, height, width, channels) inputs."""
    if _rank_of(inputs) != 4:
        raise ValueError(f"conv2d expects a rank-4 input (batch, height, width, channels), got shape {tuple(inputs.shape)}")
    return conv(inputs, kernel, strides, padding, None, dilation_rate, groups)


def conv2d_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """`conv_transpose` for (batch, height, width, channels) inputs."""
    if _rank_of(inputs) != 4:
        raise ValueError(f"conv2d_transpose expects a rank-4 input, got shape {tuple(inputs.shape)}")
    return conv_transpose(inputs, kernel, strides, padding, output_padding, None, dilation_rate)


def depthwise_conv2d(inputs, kernel, strides=1, padding="valid", dilation_rate=1):
    """`depthwise_conv` for (batch, height, width, channels) inputs."""
    if _rank_of(inputs) != 4:
        raise ValueError(f"depthwise_conv2d expects a rank-4 input, got shape {tuple(inputs.shape)}")
    return depthwise_conv(inputs, kernel, strides, padding, None, dilation_rate)


def output_shape(input_shape, kernel_size, strides=1, padding="valid", dilation_rate=1):
    """Spatial output shape of conv / pooling over `input_shape` (spatial dims; None stays None)."""
    rank = len(input_shape)
    kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
    strides = normalize_tuple(strides, rank, "strides")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate")
    result = []
    for n, k, s, d in zip(input_shape, kernel_size, strides, dilation):
        if n is None:
            result.append(None)
        elif padding == "valid":
            result.append(max((n - ((k - 1) * d + 1)) // s + 1, 0))
        else:  # 'same' and 'causal' keep ceil(n / s)
            result.append(math.ceil(n / s))
    return tuple(result)
