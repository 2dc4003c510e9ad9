"""Vector and matrix norms (keras.ops.linalg.norm), composed from differentiable primitives.

The matrix 2-norm and nuclear norm go through the singular values (ops/decompositions.py), whose
gradient is U diag(g) V^T; every other norm is a reduction of |x| or x^2.
"""
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.decompositions import float_input, svd
from neuroflow.ops.elementwise import abs as _abs
from neuroflow.ops.elementwise import power, sqrt, square
from neuroflow.ops.reduction import max as _max
from neuroflow.ops.reduction import min as _min
from neuroflow.ops.reduction import sum as _sum

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims, squeeze, transpose


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - keras.ops' name
    """Vector or matrix norms, as numpy.linalg.norm; differentiable (through svd values for 'nuc' and +-2).

    Vector (one axis): ord None / 2 Euclidean, inf / -inf max / min |x|, 0 the count of non-zeros,
    otherwise (sum |x|^ord)^(1 / ord). Matrix (two axes): None / 'fro' Frobenius, 'nuc' the sum of
    singular values, 2 / -2 the largest / smallest, 1 / -1 max / min column sum of |x|, inf / -inf
    max / min row sum.

    Raises:
        ValueError: for an ord that does not fit the number of axes.
    """
    x = float_input(x)
    ndim = len(x.shape)
    if axis is None:
        if ord is not None and ndim not in (1, 2):
            raise ValueError(f"norm with ord={ord!r} needs a 1-D or 2-D x or an explicit axis; received x.shape={tuple(x.shape)}")
        axes = tuple(range(ndim))
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % ndim for a in axes)
    if len(axes) == 1 or (axis is None and ord is None):
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) != 2:
        raise ValueError(f"norm expects one or two axes; received axis={axis!r}")
    return _matrix_norm(x, ord, axes, keepdims)


def _vector_norm(x, ord, axes, keepdims):  # noqa: A002
    if ord is None or ord == 2:
        return sqrt(_sum(square(x), axis=axes, keepdims=keepdims))
    if ord == float("inf"):
        return _max(_abs(x), axis=axes, keepdims=keepdims)
    if ord == float("-inf"):
        return _min(_abs(x), axis=axes, keepdims=keepdims)
    if ord == 0:
        nonzero = apply(_nonzero_op, (x,), {})
        return _sum(nonzero, axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; pass two axes (axis=(-2, -1))")
    if ord == 1:
        return _sum(_abs(x), axis=axes, keepdims=keepdims)
    return power(_sum(power(_abs(x), float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)


_nonzero_op = Op("norm_nonzero")


@_nonzero_op.forward
def _(a):
    return (a != 0).astype(a.dtype), None


def _matrix_norm(x, ord, axes, keepdims):  # noqa: A002
    rows, columns = axes
    if ord is None or ord == "fro":
        return sqrt(_sum(square(x), axis=axes, keepdims=keepdims))
    if ord in (1, -1, float("inf"), float("-inf")):
        inner, outer = (rows, columns) if ord in (1, -1) else (columns, rows)
        sums = _sum(_abs(x), axis=inner, keepdims=True)
        out = (_max if ord > 0 else _min)(sums, axis=outer, keepdims=True)
        return out if keepdims else squeeze(out, axis=axes)
    if ord in ("nuc", 2, -2):
        moved = transpose(x, tuple(a for a in range(len(x.shape)) if a not in axes) + axes)
        values = svd(moved, compute_uv=False)
        out = {"nuc": _sum, 2: _max, -2: _min}[ord](values, axis=-1)
        if keepdims:
            for axis in sorted(axes):
                out = expand_dims(out, axis)
        return out
    raise ValueError(f"norm: invalid ord={ord!r} for a matrix norm; expected None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf")
