"""Standard convolution, conv1d / conv2d: im2col plus one matrix product, with the bias and activation fused in one op."""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops import cudnn
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.convolution.im2col import col2im, im2col
from neuroflow.ops.convolution.volumetric import conv3d
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last
from neuroflow.ops.parallel import run_chunks
from neuroflow.ops.window import PADDINGS, check_padding, crop, normalize_tuple, output_spatial, pad, spatial_pads, tap_slices
from neuroflow.utils.errors import unknown_name_error

# ---- the shared 2-D kernels ------------------------------------------------------------------

def _conv_forward(x, kernel, strides, dilation, pads, groups):
    """NHWC convolution with explicit pads; returns (output, columns kept for the backward)."""
    kh, kw, cin_group, cout = kernel.shape
    if x.dtype.kind in "biu":
        x = x.astype(kernel.dtype)  # e.g. uint8 pixels: compute in float32, not NumPy's float64
    x_padded = pad(x, pads)
    out_hw = output_spatial(x.shape[1:3], kernel.shape[:2], strides, dilation, pads)
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
                _, rows, cols = tap_slices(i, j, geometry)
                grad[start:stop, rows, cols] += block4

    run_chunks(n, taps, g.size * kh * kw)
    return grad


def _conv_backward(residuals, g, needs, kernel, x_shape, pads):
    columns, geometry, padded_shape, groups = residuals
    grad_x = grad_kernel = None
    if needs[0] and groups == 1:
        grad_x = crop(_conv_input_grad(g, kernel, padded_shape, geometry), pads, x_shape[1:3])
    elif needs[0]:
        grad_columns = _conv_input_columns(g, kernel, groups)
        grad_x = crop(col2im(grad_columns, padded_shape, geometry), pads, x_shape[1:3])
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
    found = cudnn.supports(x4, kernel4)  # the cupy backend with cuDNN (ops/cudnn.py); else im2col, as on NumPy
    if found is not None:
        pre, columns = cudnn.convolution(found, x4, kernel4, strides, dilation, pads, groups)
        geometry = padded_shape = None  # cuDNN's residuals (in `columns`) hold its geometry
    else:
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
    if isinstance(columns, cudnn.ConvolutionResiduals):  # the forward ran through cuDNN
        grad_x, grad_kernel = cudnn.convolution_backward(columns, g4, needs)
    else:
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
    pads = spatial_pads(x.shape[1:3], kernel.shape[:2], strides, dilation_rate, padding)
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
    pads = ((0, 0),) + spatial_pads(x.shape[1:2], kernel.shape[:1], strides[1:], dilation[1:], padding)
    out, residuals = _fused_forward(x4, kernel4, bias, strides, dilation, pads, groups, activation)
    return out[:, 0], residuals


@conv1d_op.vjp
def _(residuals, g, needs):
    grads = _fused_backward(residuals, g[:, None], needs)
    grad_x, grad_kernel = grads[:2]
    return ((None if grad_x is None else grad_x[:, 0]), (None if grad_kernel is None else grad_kernel[0])) + grads[2:]


def _rank_of(x):
    return len(x.shape)


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
    if rank == 3 and int(groups) == 1 and activation == "linear":  # (batch, depth, height, width, channels)
        return conv3d(inputs, kernel, strides, padding, data_format, dilation_rate, bias=bias)
    if rank not in (1, 2):
        raise ValueError(f"conv supports 1-D, 2-D and (with groups=1) 3-D inputs (rank 3, 4 or 5), got shape "
                         f"{tuple(inputs.shape)}")
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
