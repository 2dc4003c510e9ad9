"""Shape ops: reshape, transpose, expand_dims, squeeze, concatenate, stack, indexing, gather, one_hot.

Each op sits beside its public function (`neuroflow.ops.reshape` ...). `shape(x)` is public too, so
`neuroflow.ops.shape` is that function, not this module: other modules import from here by name.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of


def shape(x):
    """The static shape of `x` as a tuple."""
    return tuple(x.shape) if hasattr(x, "shape") else numpy.shape(x)


reshape_op = Op("reshape")


@reshape_op.forward
def _(a, shape=None):
    return a.reshape(shape), a.shape


@reshape_op.vjp
def _(shape, g, needs):
    return (g.reshape(shape),)


def reshape(x, newshape):
    return apply(reshape_op, (x,), {"shape": tuple(newshape) if not isinstance(newshape, int) else (newshape,)})


transpose_op = Op("transpose")


@transpose_op.forward
def _(a, axes=None):
    return backend.xp.transpose(a, axes), (axes, a.ndim)


@transpose_op.vjp
def _(residuals, g, needs):
    axes, ndim = residuals
    if axes is None:
        return (backend.xp.transpose(g),)
    inverse = [0] * ndim
    for position, axis in enumerate(axes):
        inverse[axis % ndim] = position
    return (backend.xp.transpose(g, inverse),)


def transpose(x, axes=None):
    return apply(transpose_op, (x,), {"axes": tuple(axes) if axes is not None else None})


expand_dims_op = Op("expand_dims")


@expand_dims_op.forward
def _(a, axis=0):
    return backend.xp.expand_dims(a, axis), a.shape


expand_dims_op.vjp(lambda shape, g, needs: (g.reshape(shape),))


def expand_dims(x, axis):
    return apply(expand_dims_op, (x,), {"axis": axis})


squeeze_op = Op("squeeze")


@squeeze_op.forward
def _(a, axis=None):
    return backend.xp.squeeze(a, axis=axis), a.shape


squeeze_op.vjp(lambda shape, g, needs: (g.reshape(shape),))


def squeeze(x, axis=None):
    return apply(squeeze_op, (x,), {"axis": tuple(axis) if isinstance(axis, list) else axis})


broadcast_to_op = Op("broadcast_to")


@broadcast_to_op.forward
def _(a, shape=None):
    return backend.xp.broadcast_to(a, shape), None


broadcast_to_op.vjp(lambda residuals, g, needs: (g,))  # the walk's unbroadcast sums it back


def broadcast_to(x, shape):
    return apply(broadcast_to_op, (x,), {"shape": tuple(shape)})


concatenate_op = Op("concatenate")


@concatenate_op.forward
def _(*arrays, axis=0):
    out = backend.xp.concatenate(arrays, axis=axis)
    sizes = [a.shape[axis] for a in arrays]
    return out, (sizes, axis)


@concatenate_op.vjp
def _(residuals, g, needs):
    sizes, axis = residuals
    # Each input's gradient is a slice of g: a view, where take() with an index range would copy.
    lead = (slice(None),) * (axis % g.ndim)
    grads = []
    start = 0
    for size, need in zip(sizes, needs):
        grads.append(g[lead + (slice(start, start + size),)] if need else None)
        start += size
    return tuple(grads)


def concatenate(xs, axis=0):
    return apply(concatenate_op, tuple(xs), {"axis": axis})


stack_op = Op("stack")


@stack_op.forward
def _(*arrays, axis=0):
    return backend.xp.stack(arrays, axis=axis), axis


@stack_op.vjp
def _(axis, g, needs):
    lead = (slice(None),) * (axis % g.ndim)
    return tuple(g[lead + (i,)] if need else None for i, need in enumerate(needs))


def stack(x, axis=0):
    return apply(stack_op, tuple(x), {"axis": axis})


getitem_op = Op("getitem")


@getitem_op.forward
def _(a, index=None):
    return a[index], (a.shape, a.dtype, index)


def _is_basic_index(index):
    """Whether `index` uses only ints, slices, None and Ellipsis (so no element is picked twice)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(part is None or part is Ellipsis or isinstance(part, (int, slice)) for part in parts)


@getitem_op.vjp
def _(residuals, g, needs):
    shape, dtype, index = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if _is_basic_index(index):
        # Basic indexing selects each element at most once: a plain assignment (add.at is slow).
        grad[index] = g
    else:
        # add.at accumulates repeated integer indices (x[[0, 0]]) instead of overwriting.
        backend.scatter_add(grad, index, g)
    return (grad,)


def getitem(x, index):
    if isinstance(index, Tensor):
        index = index.value
    elif isinstance(index, tuple):
        index = tuple(i.value if isinstance(i, Tensor) else i for i in index)
    return apply(getitem_op, (x,), {"index": index})


take_op = Op("take")


@take_op.forward
def _(a, indices, axis=None):
    xp = backend.xp
    indices = indices.astype(xp.int64, copy=False)
    return xp.take(a, indices, axis=axis), (a.shape, indices, axis)


@take_op.vjp
def _(residuals, g, needs):
    shape, indices, axis = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if axis is None:
        backend.scatter_add(grad.reshape(-1), indices.reshape(-1), g.reshape(-1))
        return grad, None
    axis = axis % len(shape)
    # Move the gathered axis first so a single add.at scatters every slice.
    moved = xp.moveaxis(grad, axis, 0)
    g_moved = g.reshape(shape[:axis] + indices.shape + shape[axis + 1:])
    g_moved = xp.moveaxis(g_moved.reshape(shape[:axis] + (-1,) + shape[axis + 1:]), axis, 0)
    backend.scatter_add(moved, indices.reshape(-1), g_moved)
    return grad, None


def take(x, indices, axis=None):
    return apply(take_op, (x, Tensor(value_of(indices))), {"axis": axis})


gather = take


def _along_axis_index(indices, out_shape, axis):
    """The fancy index that makes `array[index]` equal take_along_axis(array, indices, axis).

    `out_shape` is the output's shape (indices broadcast against the other axes of the array).
    """
    xp = backend.xp
    index = []
    for dimension, size in enumerate(out_shape):
        if dimension == axis:
            index.append(indices)
        else:
            grid_shape = [1] * len(out_shape)
            grid_shape[dimension] = size
            index.append(xp.arange(size).reshape(grid_shape))
    return tuple(index)


take_along_axis_op = Op("take_along_axis")


@take_along_axis_op.forward
def _(a, indices, axis=None):
    xp = backend.xp
    indices = indices.astype(xp.int64, copy=False)
    return xp.take_along_axis(a, indices, axis=axis), (a.shape, indices, axis)


@take_along_axis_op.vjp
def _(residuals, g, needs):
    shape, indices, axis = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if axis is None:
        backend.scatter_add(grad.reshape(-1), indices, g)
        return grad, None
    # add.at, not put_along_axis: repeated indices must accumulate.
    backend.scatter_add(grad, _along_axis_index(indices, g.shape, axis % len(shape)), g)
    return grad, None


def take_along_axis(x, indices, axis=None):
    return apply(take_along_axis_op, (x, Tensor(value_of(indices))), {"axis": axis})


one_hot_op = Op("one_hot")


@one_hot_op.forward
def _(indices, num_classes=None, axis=-1, dtype=None):
    xp = backend.xp
    indices = indices.astype(xp.int64, copy=False)
    eye = xp.eye(num_classes, dtype=dtype or backend.floatx())
    # Negative or too-large indices give all-zero rows, as in Keras (index eye with a safe 0 first).
    invalid = (indices < 0) | (indices >= num_classes)
    out = eye[xp.where(invalid, 0, indices)]
    if invalid.any():
        out[invalid] = 0
    if axis != -1:
        out = xp.moveaxis(out, -1, axis)
    return out, None


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by neuroflow (dense arrays only)")
    return apply(one_hot_op, (x,), {"num_classes": int(num_classes), "axis": axis, "dtype": dtype})


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """One row per sample with a 1 at each class its indices name (not differentiable).

    inputs: integer indices, (batch, k) or (k,) for a single sample; `num_tokens` is accepted for
    num_classes, as in Keras.
    """
    if "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot got unexpected keyword arguments {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot expects `num_classes` (an int); received num_classes=None")
    if sparse:
        raise ValueError("multi_hot: sparse=True is not supported by neuroflow (dense arrays only)")
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    ndim = len(getattr(inputs, "shape", numpy.shape(inputs)))
    return apply(multi_hot_reduce_op, (encoded,), {"axis": 1 if ndim > 1 else 0})


multi_hot_reduce_op = Op("multi_hot_reduce")


@multi_hot_reduce_op.forward
def _(encoded, axis=0):
    return encoded.max(axis=axis), None


pad_op = Op("pad")


@pad_op.forward
def _(a, pad_width=None, constant_values=0):
    out = backend.xp.pad(a, pad_width, constant_values=constant_values)
    # NumPy broadcasts a single (before, after) pair to every axis; spell it out for the vjp.
    if len(pad_width) == 1 and a.ndim > 1:
        pad_width = tuple(pad_width) * a.ndim
    return out, (pad_width, a.shape)


@pad_op.vjp
def _(residuals, g, needs):
    pad_width, shape = residuals
    slices = tuple(slice(before, before + size) for (before, _), size in zip(pad_width, shape))
    return (g[slices],)


def pad(x, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise ValueError(f"ops.pad supports mode='constant' only, got {mode!r}")
    return apply(pad_op, (x,), {"pad_width": tuple(tuple(p) for p in pad_width), "constant_values": constant_values})


tile_op = Op("tile")


@tile_op.forward
def _(a, repeats=None):
    return backend.xp.tile(a, repeats), (a.shape, repeats)


@tile_op.vjp
def _(residuals, g, needs):
    shape, repeats = residuals
    repeats = (1,) * (len(shape) - len(repeats)) + tuple(repeats) if len(repeats) < len(shape) else tuple(repeats)
    shape = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    interleaved = []
    for r, s in zip(repeats, shape):
        interleaved += [r, s]
    summed = g.reshape(interleaved).sum(axis=tuple(range(0, 2 * len(shape), 2)))
    return (summed.reshape(residuals[0]),)


def tile(x, repeats):
    return apply(tile_op, (x,), {"repeats": tuple(repeats) if not isinstance(repeats, int) else (repeats,)})


def flatten(x):
    return reshape(x, (-1,))
