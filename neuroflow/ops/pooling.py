"""Pooling (max, average) and nearest upsampling, channels_last.

A pooling window is visited tap by tap (pool_h * pool_w strided views of the padded input), so
the work is vectorized over pixels, samples and channels. Max pooling keeps the index of the
first maximal tap (a strict '>' while scanning), and its gradient goes to that one element, as
TensorFlow's does on ties. 'same' average pooling divides by the number of real (unpadded)
elements in each window, as TensorFlow does.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops import cudnn
from neuroflow.ops.convolution import volumetric
from neuroflow.ops.data_format import _from_channels_last, _to_channels_last
from neuroflow.ops.parallel import run_chunks
from neuroflow.ops.shape import expand_dims_op as _expand_dims
from neuroflow.ops.shape import squeeze_op as _squeeze
from neuroflow.ops.window import check_padding, crop, normalize_tuple, output_spatial, pad, spatial_pads, tap_slices


def _geometry(x_shape, pool_size, strides, padding):
    pads = spatial_pads(x_shape[1:3], pool_size, strides, (1, 1), padding)
    out_hw = output_spatial(x_shape[1:3], pool_size, strides, (1, 1), pads)
    if out_hw[0] < 1 or out_hw[1] < 1:
        raise ValueError(f"pooling window {tuple(pool_size)} is larger than the input's spatial shape "
                         f"{tuple(x_shape[1:3])}; use padding='same' or a smaller pool_size")
    return pads, (tuple(strides), (1, 1), out_hw)


max_pool2d_op = Op("max_pool2d")


@max_pool2d_op.forward
def _(x, pool_size=(2, 2), strides=(2, 2), padding="valid"):
    """out[n, y, x, c] = max over the window of x_pad (padding is -inf, so it never wins).

    While scanning the taps it also records which tap won (int8), strictly later-is-greater, so the
    first maximum keeps a tie; the backward then needs one compare per tap instead of re-deriving
    the winners from the values.
    """
    xp = backend.xp
    pads, geometry = _geometry(x.shape, pool_size, strides, padding)
    low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    x_padded = pad(x, pads, low)
    taps = [(i, j) for i in range(pool_size[0]) for j in range(pool_size[1])]
    views = [x_padded[tap_slices(i, j, geometry)] for i, j in taps]
    out = xp.empty(views[0].shape, dtype=x.dtype)
    index_dtype = xp.int8 if len(taps) < 128 else xp.int32
    winner = xp.empty(out.shape, dtype=index_dtype)

    def scan(start, stop):  # samples start:stop; split over the batch across threads
        part, won = out[start:stop], winner[start:stop]
        part[...] = views[0][start:stop]
        won.fill(0)
        better = xp.empty(part.shape, dtype=index_dtype)
        step = xp.empty(part.shape, dtype=index_dtype)
        for k, view in enumerate(views[1:], start=1):
            tap = view[start:stop]
            xp.greater(tap, part, out=better)
            # won = k where better: arithmetic, since a masked copy branches on random data (~15x slower).
            xp.subtract(k, won, out=step)
            step *= better
            won += step
            xp.maximum(part, tap, out=part)

    run_chunks(out.shape[0], scan, x_padded.size)
    return out, (winner, taps, pads, geometry, x.shape, x_padded.shape, tuple(strides) == tuple(pool_size))


@max_pool2d_op.vjp
def _(residuals, g, needs):
    winner, taps, pads, geometry, x_shape, padded_shape, disjoint = residuals
    xp = backend.xp
    (sh, sw), _, (oh, ow) = geometry
    grad = xp.empty(padded_shape, dtype=g.dtype)

    def scatter(start, stop):  # samples start:stop; split over the batch across threads
        part, g_part, won = grad[start:stop], g[start:stop], winner[start:stop]
        if disjoint:
            # Windows tile the top-left oh*sh x ow*sw block exactly: every element there gets its
            # window's gradient or 0, so each tap's strided view is written once, with no
            # accumulation; only the uncovered bottom rows and right columns are zero-filled.
            for k, (i, j) in enumerate(taps):
                xp.multiply(g_part, won == k, out=part[tap_slices(i, j, geometry)])
            part[:, oh * sh:].fill(0)
            part[:, :oh * sh, ow * sw:].fill(0)
        else:
            part.fill(0)
            for k, (i, j) in enumerate(taps):
                part[tap_slices(i, j, geometry)] += g_part * (won == k)

    run_chunks(padded_shape[0], scatter, grad.size)
    return (crop(grad, pads, x_shape[1:3]),)


def _window_counts(x_shape, pool_size, pads, geometry, dtype):
    """How many real (unpadded) input elements each output window covers, shaped (1, oh, ow, 1)."""
    xp = backend.xp
    ones = pad(xp.ones((1,) + tuple(x_shape[1:3]) + (1,), dtype=dtype), pads, 0)
    counts = xp.zeros((1,) + geometry[2] + (1,), dtype=dtype)
    for i in range(pool_size[0]):
        for j in range(pool_size[1]):
            counts += ones[tap_slices(i, j, geometry)]
    return counts


avg_pool2d_op = Op("avg_pool2d")


@avg_pool2d_op.forward
def _(x, pool_size=(2, 2), strides=(2, 2), padding="valid"):
    """out[n, y, x, c] = sum over the window of x / (number of unpadded elements in the window)."""
    pads, geometry = _geometry(x.shape, pool_size, strides, padding)
    x_padded = pad(x, pads, 0)
    out = None
    for i in range(pool_size[0]):
        for j in range(pool_size[1]):
            window = x_padded[tap_slices(i, j, geometry)]
            if out is None:
                out = window.copy()
            else:
                out += window
    if padding == "valid":
        scale = 1.0 / (pool_size[0] * pool_size[1])
    else:
        scale = 1.0 / _window_counts(x.shape, pool_size, pads, geometry, out.dtype)
    out *= scale
    return out, (scale, pool_size, pads, geometry, x.shape, x_padded.shape)


@avg_pool2d_op.vjp
def _(residuals, g, needs):
    scale, pool_size, pads, geometry, x_shape, padded_shape = residuals
    grad = backend.xp.zeros(padded_shape, dtype=g.dtype)
    g_scaled = g * scale
    for i in range(pool_size[0]):
        for j in range(pool_size[1]):
            grad[tap_slices(i, j, geometry)] += g_scaled
    return (crop(grad, pads, x_shape[1:3]),)


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    rank = len(inputs.shape) - 2
    if rank == 3:  # (batch, depth, height, width, channels)
        pool3d = volumetric.max_pool3d if kind == "max_pool" else volumetric.average_pool3d
        return pool3d(inputs, pool_size, strides, padding, data_format)
    if rank not in (1, 2):
        raise ValueError(f"{kind} supports 1-D, 2-D and 3-D inputs (rank 3, 4 or 5), got shape {tuple(inputs.shape)}")
    pool_size = normalize_tuple(pool_size, rank, "pool_size")
    strides = pool_size if strides is None else normalize_tuple(strides, rank, "strides")
    padding = check_padding(padding)
    if cudnn.supports(inputs) is not None:
        # The cupy backend with cuDNN (ops/cudnn.py): either layout goes straight in, 1-D as height 1.
        if data_format not in (None, "channels_last", "channels_first"):
            _to_channels_last(inputs, data_format, rank)  # raises the data_format error
        two_d = ((1,) + pool_size, (1,) + strides) if rank == 1 else (pool_size, strides)
        return apply(cudnn.cudnn_pool_op, (inputs,), {"kind": kind, "pool_size": two_d[0], "strides": two_d[1],
                                                      "padding": padding, "rank": rank,
                                                      "channels_first": data_format == "channels_first"})
    x = _to_channels_last(inputs, data_format, rank)
    if rank == 1:
        x = apply(_expand_dims, (x,), {"axis": 1})
        pool_size, strides = (1,) + pool_size, (1,) + strides
    op = max_pool2d_op if kind == "max_pool" else avg_pool2d_op
    out = apply(op, (x,), {"pool_size": pool_size, "strides": strides, "padding": padding})
    if rank == 1:
        out = apply(_squeeze, (out,), {"axis": 1})
    return _from_channels_last(out, data_format, rank)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling (keras.ops.max_pool) over 1-D or 2-D inputs.

    out[n, y, x, c] = max over i < pool_h, j < pool_w of x_pad[n, y*sh + i, x*sw + j, c].

    Args:
        inputs: (batch, [height,] width, channels) ('channels_first': channels second).
        pool_size: int or tuple per spatial axis.
        strides: int or tuple; None means pool_size.
        padding: 'valid' or 'same' (TF arithmetic; padded cells never win).

    Returns:
        A Tensor (batch, out_spatial..., channels). The gradient flows to the first maximum.

    Example: `max_pool(x, 2)` halves height and width (floor).
    """
    return _pool("max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling (keras.ops.average_pool) over 1-D or 2-D inputs.

    out = sum over the window / count, count = number of unpadded elements (pool area for 'valid').
    Arguments as in `max_pool`.
    """
    return _pool("average_pool", inputs, pool_size, strides, padding, data_format)


def max_pool1d(inputs, pool_size=2, strides=None, padding="valid"):
    return _pool("max_pool", inputs, pool_size, strides, padding, None)


def max_pool2d(inputs, pool_size=(2, 2), strides=None, padding="valid"):
    return _pool("max_pool", inputs, pool_size, strides, padding, None)


def avg_pool1d(inputs, pool_size=2, strides=None, padding="valid"):
    return _pool("average_pool", inputs, pool_size, strides, padding, None)


def avg_pool2d(inputs, pool_size=(2, 2), strides=None, padding="valid"):
    return _pool("average_pool", inputs, pool_size, strides, padding, None)


# ---- nearest upsampling ----------------------------------------------------------------------

upsampling2d_op = Op("upsampling2d")


@upsampling2d_op.forward
def _(x, size=(2, 2)):
    """out[n, y, x, c] = x[n, y // sh, x // sw, c]."""
    n, h, w, c = x.shape
    sh, sw = size
    out = backend.xp.broadcast_to(x[:, :, None, :, None, :], (n, h, sh, w, sw, c))
    return out.reshape(n, h * sh, w * sw, c), (x.shape, size)


@upsampling2d_op.vjp
def _(residuals, g, needs):
    (n, h, w, c), (sh, sw) = residuals
    return (g.reshape(n, h, sh, w, sw, c).sum(axis=(2, 4)),)


def upsampling2d(inputs, size=(2, 2), data_format=None):
    """Nearest-neighbour upsampling of (batch, height, width, channels) by integer factors `size`.

    Returns:
        A Tensor (batch, height * size[0], width * size[1], channels); each gradient cell is the
        sum over the size[0] * size[1] copies of its pixel.
    """
    if len(inputs.shape) != 4:
        raise ValueError(f"upsampling2d expects a rank-4 input, got shape {tuple(inputs.shape)}")
    x = _to_channels_last(inputs, data_format, 2)
    out = apply(upsampling2d_op, (x,), {"size": normalize_tuple(size, 2, "size")})
    return _from_channels_last(out, data_format, 2)
