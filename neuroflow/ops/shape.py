"""Shape ops: reshape, transpose, expand_dims, squeeze, concatenate, stack, indexing, gather, one_hot."""
from neuroflow import backend
from neuroflow.engine.registry import Op

reshape = Op("reshape")


@reshape.forward
def _(a, shape=None):
    return a.reshape(shape), a.shape


@reshape.vjp
def _(shape, g, needs):
    return (g.reshape(shape),)


transpose = Op("transpose")


@transpose.forward
def _(a, axes=None):
    return backend.xp.transpose(a, axes), (axes, a.ndim)


@transpose.vjp
def _(residuals, g, needs):
    axes, ndim = residuals
    if axes is None:
        return (backend.xp.transpose(g),)
    inverse = [0] * ndim
    for position, axis in enumerate(axes):
        inverse[axis % ndim] = position
    return (backend.xp.transpose(g, inverse),)


expand_dims = Op("expand_dims")


@expand_dims.forward
def _(a, axis=0):
    return backend.xp.expand_dims(a, axis), a.shape


expand_dims.vjp(lambda shape, g, needs: (g.reshape(shape),))

squeeze = Op("squeeze")


@squeeze.forward
def _(a, axis=None):
    return backend.xp.squeeze(a, axis=axis), a.shape


squeeze.vjp(lambda shape, g, needs: (g.reshape(shape),))

broadcast_to = Op("broadcast_to")


@broadcast_to.forward
def _(a, shape=None):
    return backend.xp.broadcast_to(a, shape), None


broadcast_to.vjp(lambda residuals, g, needs: (g,))  # the walk's unbroadcast sums it back

concatenate = Op("concatenate")


@concatenate.forward
def _(*arrays, axis=0):
    out = backend.xp.concatenate(arrays, axis=axis)
    sizes = [a.shape[axis] for a in arrays]
    return out, (sizes, axis)


@concatenate.vjp
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


stack = Op("stack")


@stack.forward
def _(*arrays, axis=0):
    return backend.xp.stack(arrays, axis=axis), axis


@stack.vjp
def _(axis, g, needs):
    lead = (slice(None),) * (axis % g.ndim)
    return tuple(g[lead + (i,)] if need else None for i, need in enumerate(needs))


getitem = Op("getitem")


@getitem.forward
def _(a, index=None):
    return a[index], (a.shape, a.dtype, index)


def _is_basic_index(index):
    """Whether `index` uses only ints, slices, None and Ellipsis (so no element is picked twice)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(part is None or part is Ellipsis or isinstance(part, (int, slice)) for part in parts)


@getitem.vjp
def _(residuals, g, needs):
    shape, dtype, index = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if _is_basic_index(index):
        # Basic indexing selects each element at most once: a plain assignment (add.at is slow).
        grad[index] = g
    else:
        # add.at accumulates repeated integer indices (x[[0, 0]]) instead of overwriting.
        xp.add.at(grad, index, g)
    return (grad,)


take = Op("take")


@take.forward
def _(a, indices, axis=None):
    xp = backend.xp
    indices = indices.astype(xp.int64, copy=False)
    return xp.take(a, indices, axis=axis), (a.shape, indices, axis)


@take.vjp
def _(residuals, g, needs):
    shape, indices, axis = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if axis is None:
        xp.add.at(grad.reshape(-1), indices.reshape(-1), g.reshape(-1))
        return grad, None
    axis = axis % len(shape)
    # Move the gathered axis first so a single add.at scatters every slice.
    moved = xp.moveaxis(grad, axis, 0)
    g_moved = g.reshape(shape[:axis] + indices.shape + shape[axis + 1:])
    g_moved = xp.moveaxis(g_moved.reshape(shape[:axis] + (-1,) + shape[axis + 1:]), axis, 0)
    xp.add.at(moved, indices.reshape(-1), g_moved)
    return grad, None


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


take_along_axis = Op("take_along_axis")


@take_along_axis.forward
def _(a, indices, axis=None):
    xp = backend.xp
    indices = indices.astype(xp.int64, copy=False)
    return xp.take_along_axis(a, indices, axis=axis), (a.shape, indices, axis)


@take_along_axis.vjp
def _(residuals, g, needs):
    shape, indices, axis = residuals
    xp = backend.xp
    grad = xp.zeros(shape, dtype=g.dtype)
    if axis is None:
        xp.add.at(grad.reshape(-1), indices, g)
        return grad, None
    # add.at, not put_along_axis: repeated indices must accumulate.
    xp.add.at(grad, _along_axis_index(indices, g.shape, axis % len(shape)), g)
    return grad, None


one_hot = Op("one_hot")


@one_hot.forward
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


pad = Op("pad")


@pad.forward
def _(a, pad_width=None, constant_values=0):
    out = backend.xp.pad(a, pad_width, constant_values=constant_values)
    # NumPy broadcasts a single (before, after) pair to every axis; spell it out for the vjp.
    if len(pad_width) == 1 and a.ndim > 1:
        pad_width = tuple(pad_width) * a.ndim
    return out, (pad_width, a.shape)


@pad.vjp
def _(residuals, g, needs):
    pad_width, shape = residuals
    slices = tuple(slice(before, before + size) for (before, _), size in zip(pad_width, shape))
    return (g[slices],)


tile = Op("tile")


@tile.forward
def _(a, repeats=None):
    return backend.xp.tile(a, repeats), (a.shape, repeats)


@tile.vjp
def _(residuals, g, needs):
    shape, repeats = residuals
    repeats = (1,) * (len(shape) - len(repeats)) + tuple(repeats) if len(repeats) < len(shape) else tuple(repeats)
    shape = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    interleaved = []
    for r, s in zip(repeats, shape):
        interleaved += [r, s]
    summed = g.reshape(interleaved).sum(axis=tuple(range(0, 2 * len(shape), 2)))
    return (summed.reshape(residuals[0]),)
