"""Diagonals and triangles: diagonal, diag, diagflat, tril, triu.

diagonal is a fancy index (its gradient scatters back through getitem's vjp); diag of a vector builds the
matrix with scatter; tril and triu select with a fixed mask, so the gradient is zero above / below it.
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.elementwise import where
from neuroflow.ops.scatter import scatter
from neuroflow.ops.shape import getitem, reshape, shape, transpose


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal at `offset` of the matrices spanned by axis1 and axis2, as the last axis of the result."""
    xp = backend.xp
    x_shape = shape(x)
    ndim = len(x_shape)
    if ndim < 2:
        raise ValueError(f"ops.diagonal expects an input of at least 2 dimensions; received shape {x_shape}")
    axis1, axis2 = axis1 % ndim, axis2 % ndim
    if axis1 == axis2:
        raise ValueError(f"ops.diagonal expects two different axes; received axis1={axis1}, axis2={axis2}")
    others = [i for i in range(ndim) if i not in (axis1, axis2)]
    moved = transpose(x, others + [axis1, axis2])
    rows, columns = x_shape[axis1], x_shape[axis2]
    length = max(0, min(rows + min(offset, 0), columns - max(offset, 0)))
    index = xp.arange(length)
    return getitem(moved, (Ellipsis, index + max(-offset, 0), index + max(offset, 0)))


def diag(x, k=0):
    """The k-th diagonal of a matrix, or the square matrix with a vector on its k-th diagonal."""
    xp = backend.xp
    x_shape = shape(x)
    if len(x_shape) == 2:
        return diagonal(x, offset=k)
    if len(x_shape) != 1:
        raise ValueError(f"ops.diag expects a 1-D or 2-D input; received shape {x_shape}")
    size = x_shape[0] + abs(k)
    index = xp.arange(x_shape[0])
    positions = xp.stack([index + max(-k, 0), index + max(k, 0)], axis=-1)
    return scatter(positions, x, (size, size))


def diagflat(x, k=0):
    """The square matrix with the flattened x on its k-th diagonal."""
    return diag(reshape(x, (-1,)), k=k)


def _triangle(x, k, lower):
    x_shape = shape(x)
    if len(x_shape) < 2:
        raise ValueError(f"ops.{'tril' if lower else 'triu'} expects an input of at least 2 dimensions; "
                         f"received shape {x_shape}")
    xp = backend.xp
    rows, columns = x_shape[-2:]
    mask = xp.tri(rows, columns, k=k, dtype=bool) if lower else ~xp.tri(rows, columns, k=k - 1, dtype=bool)
    return where(Tensor(mask), x, 0)


def tril(x, k=0):
    """x with the elements above its k-th diagonal set to zero (over the last two axes)."""
    return _triangle(x, k, lower=True)


def triu(x, k=0):
    """x with the elements below its k-th diagonal set to zero (over the last two axes)."""
    return _triangle(x, k, lower=False)
