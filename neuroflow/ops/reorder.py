"""Reordering elements and axes: flip, fliplr, flipud, roll, rot90, swapaxes, moveaxis, repeat, ravel, and
the queries size, ndim and view.

Each is a composite of getitem, take and transpose, whose vjps carry the gradient back to each element's
original place.
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.no_gradient import no_gradient_op, run
from neuroflow.ops.shape import getitem, reshape, shape, take, transpose


def _axes(axis, ndim):
    axes = range(ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return [a % ndim for a in axes]


def flip(x, axis=None):
    """x with the order of its elements reversed along `axis` (every axis when None)."""
    ndim = len(shape(x))
    axes = _axes(axis, ndim)
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim)))


def fliplr(x):
    """x reversed along its second axis (left and right)."""
    if len(shape(x)) < 2:
        raise ValueError(f"ops.fliplr expects an input of at least 2 dimensions; received shape {shape(x)}")
    return flip(x, axis=1)


def flipud(x):
    """x reversed along its first axis (up and down)."""
    return flip(x, axis=0)


def roll(x, shift, axis=None):
    """x with its elements shifted by `shift` along `axis`, those pushed off the end coming back at the start.

    Without an axis the flattened input rolls and the shape is restored.
    """
    xp = backend.xp
    x_shape = shape(x)
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, axis=0), x_shape)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(shifts) != len(axes):
        raise ValueError(f"ops.roll expects one shift per axis; received shift={shift!r}, axis={axis!r}")
    out = x
    for step, along in zip(shifts, axes):
        size = x_shape[along]
        out = take(out, Tensor((xp.arange(size) - step) % size if size else xp.arange(0)), axis=along)
    return out


def rot90(array, k=1, axes=(0, 1)):
    """The input rotated by 90 degrees k times in the plane of `axes` (from the first axis towards the second)."""
    ndim = len(shape(array))
    if len(axes) != 2:
        raise ValueError(f"ops.rot90 expects `axes` to hold two axes; received axes={axes!r}")
    first, second = axes[0] % ndim, axes[1] % ndim
    if first == second:
        raise ValueError(f"ops.rot90 expects two different axes; received axes={axes!r}")
    k %= 4
    if k == 0:
        return array
    if k == 2:
        return flip(array, axis=(first, second))
    order = list(range(ndim))
    order[first], order[second] = order[second], order[first]
    if k == 1:
        return transpose(flip(array, axis=second), order)
    return flip(transpose(array, order), axis=second)


def swapaxes(x, axis1, axis2):
    """x with axes axis1 and axis2 exchanged."""
    ndim = len(shape(x))
    order = list(range(ndim))
    order[axis1 % ndim], order[axis2 % ndim] = order[axis2 % ndim], order[axis1 % ndim]
    return transpose(x, order)


def moveaxis(x, source, destination):
    """x with the axes `source` moved to the positions `destination`, the others keeping their order."""
    ndim = len(shape(x))
    source = _axes(source, ndim)
    destination = _axes(destination, ndim)
    if len(source) != len(destination):
        raise ValueError("ops.moveaxis expects as many `source` as `destination` axes; received "
                         f"source={source}, destination={destination}")
    order = [i for i in range(ndim) if i not in source]
    for target, axis in sorted(zip(destination, source)):
        order.insert(target, axis)
    return transpose(x, order)


def repeat(x, repeats, axis=None):
    """Each element of x repeated `repeats` times (a number, or one count per element) along `axis`
    (over the flattened input when None)."""
    xp = backend.xp
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    size = shape(x)[axis]
    counts = repeats.value if isinstance(repeats, Tensor) else repeats
    return take(x, Tensor(xp.repeat(xp.arange(size), counts)), axis=axis)


def ravel(x):
    """x flattened to one dimension."""
    return reshape(x, (-1,))


def size(x):
    """The number of elements of x."""
    count = 1
    for dimension in shape(x):
        count *= dimension
    return count


def ndim(x):
    """The number of dimensions of x."""
    return len(shape(x))


view_op = no_gradient_op("view", lambda a, dtype=None: a.view(dtype) if dtype is not None else a.view())


def view(x, dtype=None):
    """The bytes of x read as `dtype` (the last axis scales by the ratio of item sizes), sharing no gradient."""
    return run(view_op, (x,), dtype=dtype)
