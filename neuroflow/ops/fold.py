"""unfold / fold (keras.ops.nn.unfold / fold, PyTorch's nn.Unfold / nn.Fold): sliding blocks of NCHW images.

unfold copies every kh x kw block (dilation d, stride s, zero padding p) into a column:
(N, C, H, W) -> (N, C kh kw, L), rows ordered (channel, kernel row, kernel column), L the blocks
in row-major order. fold sums columns back into place, so each is the other's adjoint: the vjp of
unfold is fold and the vjp of fold is unfold.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply


def _pair(value, name):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, int) for v in pair):
        raise ValueError(f"`{name}` must be an int or a pair of ints; received {name}={value!r}")
    return pair


def _blocks(size, kernel, dilation, padding, stride):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _taps(kernel, dilation, stride, blocks):
    """For each kernel tap (i, j): the row and column slices of the padded image it reads."""
    (kh, kw), (dh, dw), (sh, sw), (nh, nw) = kernel, dilation, stride, blocks
    return [(i, j, slice(i * dh, i * dh + (nh - 1) * sh + 1, sh), slice(j * dw, j * dw + (nw - 1) * sw + 1, sw))
            for i in range(kh) for j in range(kw)]


def _unfold(x, kernel, dilation, padding, stride):
    xp = backend.xp
    n, c, h, w = x.shape
    padded = xp.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    blocks = tuple(_blocks(size, k, d, p, s) for size, k, d, p, s in zip((h, w), kernel, dilation, padding, stride))
    out = xp.empty((n, c, kernel[0], kernel[1]) + blocks, dtype=x.dtype)
    for i, j, rows, columns in _taps(kernel, dilation, stride, blocks):
        out[:, :, i, j] = padded[:, :, rows, columns]
    return out.reshape(n, c * kernel[0] * kernel[1], blocks[0] * blocks[1])


def _fold(x, output_size, kernel, dilation, padding, stride):
    xp = backend.xp
    n = x.shape[0]
    c = x.shape[1] // (kernel[0] * kernel[1])
    blocks = tuple(_blocks(size, k, d, p, s) for size, k, d, p, s in zip(output_size, kernel, dilation, padding, stride))
    columns_in = x.reshape((n, c, kernel[0], kernel[1]) + blocks)
    out = xp.zeros((n, c, output_size[0] + 2 * padding[0], output_size[1] + 2 * padding[1]), dtype=x.dtype)
    for i, j, rows, columns in _taps(kernel, dilation, stride, blocks):
        out[:, :, rows, columns] += columns_in[:, :, i, j]
    return out[:, :, padding[0]:padding[0] + output_size[0], padding[1]:padding[1] + output_size[1]]


unfold_op = Op("unfold")
fold_op = Op("fold")


@unfold_op.forward
def _(x, kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    return _unfold(x, kernel, dilation, padding, stride), (x.shape[2:], kernel, dilation, padding, stride)


@unfold_op.vjp
def _(residuals, g, needs):
    return (_fold(g, *residuals),)


@fold_op.forward
def _(x, output_size=(1, 1), kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    return _fold(x, output_size, kernel, dilation, padding, stride), (kernel, dilation, padding, stride)


@fold_op.vjp
def _(residuals, g, needs):
    return (_unfold(g, *residuals),)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding kh x kw blocks of an (N, C, H, W) input as columns: (N, C kh kw, L) (differentiable).

    Raises:
        ValueError: for an input that is not 4-D.
    """
    if len(x.shape) != 4:
        raise ValueError(f"unfold expects a 4-D (N, C, H, W) input; received x.shape={tuple(x.shape)}")
    options = {"kernel": _pair(kernel_size, "kernel_size"), "dilation": _pair(dilation, "dilation"),
               "padding": _pair(padding, "padding"), "stride": _pair(stride, "stride")}
    return apply(unfold_op, (x,), options)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns (N, C kh kw, L) back into an (N, C, H, W) image, H, W = output_size (differentiable).

    Raises:
        ValueError: for an input that is not 3-D, or a column count that is not C kh kw.
    """
    kernel = _pair(kernel_size, "kernel_size")
    if len(x.shape) != 3 or x.shape[1] % (kernel[0] * kernel[1]):
        raise ValueError(f"fold expects a 3-D (N, C * kh * kw, L) input with kh * kw = {kernel[0] * kernel[1]}; "
                         f"received x.shape={tuple(x.shape)}")
    options = {"output_size": _pair(output_size, "output_size"), "kernel": kernel, "dilation": _pair(dilation, "dilation"),
               "padding": _pair(padding, "padding"), "stride": _pair(stride, "stride")}
    return apply(fold_op, (x,), options)
