"""Cumulative ops along an axis: cumsum, cumprod, diff and trapezoid (the NaN-skipping forms: nan_reductions.py).

Each op sits beside its public function. The axis defaults to None, which runs over the flattened input
as in NumPy and Keras.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.dtype_rules import accumulation_dtype, dtype_of, float_dtype
from neuroflow.ops.elementwise import cast, multiply, subtract
from neuroflow.ops.reduction import sum
from neuroflow.ops.shape import getitem, reshape, shape


def _flattened(a, axis):
    """`a` and the axis to run along: a flattened view and axis 0 when `axis` is None."""
    return (a.reshape(-1), 0) if axis is None else (a, axis)


cumsum_op = Op("cumsum")


@cumsum_op.forward
def _(a, axis=None, dtype=None):
    flat, run_axis = _flattened(a, axis)
    out = backend.xp.cumsum(flat, axis=run_axis, dtype=accumulation_dtype(a.dtype, dtype))
    return out, (run_axis, a.shape)


@cumsum_op.vjp
def _(residuals, g, needs):
    run_axis, shape = residuals
    xp = backend.xp
    # Each input adds to every later output: the gradient is the reversed cumulative sum of g.
    grad = xp.flip(xp.cumsum(xp.flip(g, run_axis), axis=run_axis), run_axis)
    return (grad.reshape(shape),)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (over the flattened input when None); booleans sum as int32."""
    return apply(cumsum_op, (x,), {"axis": axis, "dtype": dtype})


cumprod_op = Op("cumprod")


@cumprod_op.forward
def _(a, axis=None, dtype=None):
    flat, run_axis = _flattened(a, axis)
    out = backend.xp.cumprod(flat, axis=run_axis, dtype=accumulation_dtype(flat.dtype, dtype))
    return out, (flat, out, run_axis, a.shape)


@cumprod_op.vjp
def _(residuals, g, needs):
    a, out, axis, shape = residuals
    xp = backend.xp
    # d out_j / d a_i = prod_{k <= j, k != i} a_k for j >= i. With no zero that is out_j / a_i, so the
    # gradient is a reversed cumsum of g * out divided by a; zeros need the exact products instead.
    if xp.all(a != 0):
        grad = xp.flip(xp.cumsum(xp.flip(g * out, axis), axis=axis), axis) / a
        return (grad.reshape(shape),)
    moved = xp.moveaxis(a, axis, -1)
    g_moved = xp.moveaxis(g, axis, -1)
    n = moved.shape[-1]
    # others[..., i, j] = a_j with a_i replaced by 1, cumulated over j: the product without a_i.
    others = xp.repeat(moved[..., None, :], n, axis=-2)
    index = xp.arange(n)
    others[..., index, index] = 1
    partial = xp.cumprod(others, axis=-1)
    later = index[None, :] >= index[:, None]
    grad = (partial * later * g_moved[..., None, :]).sum(axis=-1)
    return (xp.moveaxis(grad, -1, axis).reshape(shape),)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (over the flattened input when None); booleans multiply as int32."""
    return apply(cumprod_op, (x,), {"axis": axis, "dtype": dtype})


def _axis_slice(ndim, axis, part):
    index = [slice(None)] * ndim
    index[axis] = part
    return tuple(index)


def diff(a, n=1, axis=-1):
    """The n-th discrete difference along `axis`: out[i] = a[i + 1] - a[i], applied n times."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"ops.diff expects `n` to be a non-negative integer; received n={n!r}")
    out = a
    ndim = len(shape(out))
    for _ in range(n):
        out = subtract(getitem(out, _axis_slice(ndim, axis, slice(1, None))),
                       getitem(out, _axis_slice(ndim, axis, slice(None, -1))))
    return out


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along `axis` by the trapezoidal rule, with sample points `x` or spacing `dx`.

    sum_i (y[i] + y[i + 1]) / 2 * (x[i + 1] - x[i]); integer inputs integrate in floatx.
    """
    y_dtype = dtype_of(y)
    dtype = float_dtype(y_dtype, *([dtype_of(x)] if x is not None else []))
    y = cast(y, dtype) if backend.xp.dtype(y_dtype) != dtype else y
    ndim = len(shape(y))
    heights = getitem(y, _axis_slice(ndim, axis, slice(1, None))) + getitem(y, _axis_slice(ndim, axis, slice(None, -1)))
    if x is None:
        widths = dx
    else:
        x = cast(x, dtype)
        widths = diff(x, axis=axis if len(shape(x)) > 1 else -1)
        if len(shape(x)) == 1 and ndim > 1:
            widths_shape = [1] * ndim
            widths_shape[axis] = shape(x)[0] - 1
            widths = reshape(widths, widths_shape)
    return cast(sum(multiply(heights, widths), axis=axis) * 0.5, dtype)
