"""Splitting and joining along an axis: split, array_split, hsplit, vsplit, dsplit, unstack, and hstack,
vstack, dstack, append.

Splits are slices (views in the forward pass, getitem's vjp in the backward); joins are concatenate after
Keras' promotion of mixed integer and float inputs.
"""
import builtins

from neuroflow.ops.dtype_rules import dtype_of, result_dtype
from neuroflow.ops.elementwise import cast
from neuroflow.ops.shape import concatenate, getitem, reshape, shape


def _pieces(x, bounds, axis):
    ndim = len(shape(x))
    axis %= ndim
    lead = (builtins.slice(None),) * axis
    return [getitem(x, lead + (builtins.slice(start, stop),)) for start, stop in zip(bounds[:-1], bounds[1:])]


def _bounds(size, indices_or_sections, even, name):
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections < 1:
            raise ValueError(f"ops.{name} expects a positive number of sections; received {sections}")
        if even and size % sections:
            raise ValueError(f"ops.{name} expects {sections} sections to divide the axis of size {size} evenly; "
                             "use ops.array_split for unequal parts")
        # array_split: the first size % sections parts hold one element more.
        base, extra = divmod(size, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + base + (1 if i < extra else 0))
        return bounds
    return [0] + [builtins.min(int(i), size) for i in indices_or_sections] + [size]


def split(x, indices_or_sections, axis=0):
    """x cut along `axis` into equal sections (a number) or at the given indices; a list of tensors."""
    size = shape(x)[axis]
    return _pieces(x, _bounds(size, indices_or_sections, True, "split"), axis)


def array_split(x, indices_or_sections, axis=0):
    """x cut along `axis` into `indices_or_sections` parts of sizes differing by at most one, or at indices."""
    size = shape(x)[axis]
    return _pieces(x, _bounds(size, indices_or_sections, False, "array_split"), axis)


def hsplit(x, indices_or_sections):
    """split along the second axis (the first for 1-D input)."""
    return split(x, indices_or_sections, axis=1 if len(shape(x)) > 1 else 0)


def vsplit(x, indices_or_sections):
    """split along the first axis (of an input with at least 2 dimensions)."""
    if len(shape(x)) < 2:
        raise ValueError(f"ops.vsplit expects an input of at least 2 dimensions; received shape {shape(x)}")
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """split along the third axis (of an input with at least 3 dimensions)."""
    if len(shape(x)) < 3:
        raise ValueError(f"ops.dsplit expects an input of at least 3 dimensions; received shape {shape(x)}")
    return split(x, indices_or_sections, axis=2)


def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list (`num`, when given, must be that axis' size)."""
    x_shape = shape(x)
    size = x_shape[axis]
    if num is not None and num != size:
        raise ValueError(f"ops.unstack expects `num` to equal the size {size} of axis {axis}; received num={num}")
    lead = (builtins.slice(None),) * (axis % len(x_shape))
    return [getitem(x, lead + (i,)) for i in range(size)]


def _joined(xs):
    xs = list(xs)
    dtype = result_dtype(*[dtype_of(x) for x in xs])
    return [cast(x, dtype) if dtype_of(x) != dtype else x for x in xs]


def _at_least(x, ndim):
    """x reshaped to `ndim` dimensions as NumPy's atleast_2d / atleast_3d do."""
    x_shape = tuple(shape(x))
    if len(x_shape) >= ndim:
        return x
    if ndim == 2:
        return reshape(x, (1,) + x_shape if x_shape else (1, 1))
    if len(x_shape) == 0:
        return reshape(x, (1, 1, 1))
    if len(x_shape) == 1:
        return reshape(x, (1,) + x_shape + (1,))
    return reshape(x, x_shape + (1,))


def hstack(xs):
    """The inputs joined along the second axis (the first for 1-D inputs)."""
    xs = _joined(xs)
    return concatenate(xs, axis=0 if len(shape(xs[0])) <= 1 else 1)


def vstack(xs):
    """The inputs joined along the first axis, 1-D inputs becoming rows."""
    return concatenate([_at_least(x, 2) for x in _joined(xs)], axis=0)


def dstack(xs):
    """The inputs joined along the third axis (depth), smaller inputs raised to 3 dimensions first."""
    return concatenate([_at_least(x, 3) for x in _joined(xs)], axis=2)


def append(x1, x2, axis=None):
    """x2 joined after x1 along `axis`; both flattened first when axis is None."""
    x1, x2 = _joined((x1, x2))
    if axis is None:
        return concatenate([reshape(x1, (-1,)), reshape(x2, (-1,))], axis=0)
    return concatenate([x1, x2], axis=axis)
