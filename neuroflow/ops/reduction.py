"""Reductions over axes: sum, mean, max, min, logsumexp, prod (keepdims as in NumPy).

Each op sits beside its public function (`neuroflow.ops.sum` ...); var and std are composites.
The public sum, max and min take keras.ops' names, so in this module those names are not the builtins.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.dtype_rules import accumulation_dtype, dtype_of, float_dtype
from neuroflow.ops.elementwise import cast, maximum, minimum, sqrt, square, subtract
from neuroflow.ops.no_gradient import no_gradient_op


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(a % ndim if ndim else a for a in axis))


def _axis(axis):
    """keras.ops accepts a list of axes; the kernels take a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis


def _restore_reduced_axes(g, shape, axes, keepdims):
    """Reshapes a reduced gradient so it broadcasts back over the input's shape."""
    if keepdims:
        return g
    kept_shape = tuple(1 if i in axes else size for i, size in enumerate(shape))
    return g.reshape(kept_shape)


sum_op = Op("sum")


@sum_op.forward
def _(a, axis=None, keepdims=False):
    axes = _normalize_axis(axis, a.ndim)
    return a.sum(axis=axes, keepdims=keepdims), (a.shape, axes, keepdims)


@sum_op.vjp
def _(residuals, g, needs):
    shape, axes, keepdims = residuals
    g = _restore_reduced_axes(g, shape, axes, keepdims)
    return (backend.xp.broadcast_to(g, shape),)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops' name
    return apply(sum_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})


mean_op = Op("mean")


@mean_op.forward
def _(a, axis=None, keepdims=False):
    axes = _normalize_axis(axis, a.ndim)
    count = 1
    for axis_index in axes:
        count *= a.shape[axis_index]
    if a.dtype.kind == "f" and a.dtype.itemsize >= 4:
        # sum / count is what ndarray.mean computes for float32 / float64, minus its Python-level wrapper
        # (a few microseconds: the loss of every training step ends in a mean).
        return backend.xp.add.reduce(a, axis=axes, keepdims=keepdims) / count, (a.shape, axes, keepdims, count)
    return a.mean(axis=axes, keepdims=keepdims), (a.shape, axes, keepdims, count)


@mean_op.vjp
def _(residuals, g, needs):
    shape, axes, keepdims, count = residuals
    if g.ndim == 0:
        return (backend.xp.full(shape, g / count, dtype=g.dtype),)  # the usual scalar loss: no broadcast view
    g = _restore_reduced_axes(g, shape, axes, keepdims)
    return (backend.xp.broadcast_to(g / count, shape),)


def mean(x, axis=None, keepdims=False):
    return apply(mean_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})


def cast_to_float(x):
    """x cast to the floating dtype Keras computes its statistics in (floatx for integers and booleans)."""
    dtype = float_dtype(dtype_of(x))
    return x if dtype_of(x) == dtype else cast(x, dtype)


def var(x, axis=None, keepdims=False):
    x = cast_to_float(x)
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def _extreme_vjp(residuals, g, needs):
    a, out, axes, keepdims = residuals
    out = _restore_reduced_axes(out, a.shape, axes, keepdims)
    g = _restore_reduced_axes(g, a.shape, axes, keepdims)
    # Ties share the gradient equally, so the total matches the one output that was chosen.
    hits = (a == out).astype(g.dtype)
    return (g * hits / hits.sum(axis=axes, keepdims=True),)


def _extreme_forward(method):
    """The forward of max / min: the array method `method` ('max' or 'min') over the axes, keeping
    what the shared vjp needs to find the extreme elements."""
    def forward(a, axis=None, keepdims=False):
        axes = _normalize_axis(axis, a.ndim)
        out = getattr(a, method)(axis=axes, keepdims=keepdims)
        return out, (a, out, axes, keepdims)

    return forward


max_op = Op("max")
max_op.forward(_extreme_forward("max"))
max_op.vjp(_extreme_vjp)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - keras.ops' name
    out = apply(max_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})
    return out if initial is None else maximum(out, initial)


min_op = Op("min")
min_op.forward(_extreme_forward("min"))
min_op.vjp(_extreme_vjp)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - keras.ops' name
    out = apply(min_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})
    return out if initial is None else minimum(out, initial)


amax, amin = max, min


logsumexp_op = Op("logsumexp")


@logsumexp_op.forward
def _(a, axis=None, keepdims=False):
    xp = backend.xp
    axes = _normalize_axis(axis, a.ndim)
    # Shift by the max so exp never overflows: log sum e^a = m + log sum e^(a - m).
    shift = a.max(axis=axes, keepdims=True)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    exps = xp.exp(a - shift)
    sums = exps.sum(axis=axes, keepdims=True)
    out = xp.log(sums) + shift
    softmax = exps / sums
    if not keepdims:
        out = out.reshape(tuple(s for i, s in enumerate(a.shape) if i not in axes))
    return out, (softmax, a.shape, axes, keepdims)


@logsumexp_op.vjp
def _(residuals, g, needs):
    softmax, shape, axes, keepdims = residuals
    return (_restore_reduced_axes(g, shape, axes, keepdims) * softmax,)


def logsumexp(x, axis=None, keepdims=False):
    return apply(logsumexp_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})


prod_op = Op("prod")


@prod_op.forward
def _(a, axis=None, keepdims=False):
    axes = _normalize_axis(axis, a.ndim)
    # Keras keeps an integer input's dtype (NumPy would widen int32 to int64).
    return a.prod(axis=axes, keepdims=keepdims, dtype=accumulation_dtype(a.dtype)), (a, axes, keepdims)


@prod_op.vjp
def _(residuals, g, needs):
    a, axes, keepdims = residuals
    xp = backend.xp
    # d prod / d a_i is the product of the other elements. Dividing the product by a_i fails at
    # zeros, so multiply exclusive cumulative products from the left and from the right instead.
    kept = [i for i in range(a.ndim) if i not in axes]
    order = kept + list(axes)
    moved = xp.transpose(a, order)
    flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    left = xp.concatenate([ones, xp.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    right = xp.flip(xp.concatenate([ones, xp.cumprod(xp.flip(flat[..., 1:], axis=-1), axis=-1)], axis=-1), axis=-1)
    inverse = sorted(range(a.ndim), key=order.__getitem__)
    others = xp.transpose((left * right).reshape(moved.shape), inverse)
    return (_restore_reduced_axes(g, a.shape, axes, keepdims) * others,)


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over `axis`; `dtype` casts the input first (Keras' accumulation dtype)."""
    if dtype is not None:
        x = cast(x, dtype)
    return apply(prod_op, (x,), {"axis": _axis(axis), "keepdims": keepdims})


# ---- arg-reductions (ops without a vjp: not differentiable; int32 indices, as Keras) -------------

argmax_op = no_gradient_op(
    "argmax", lambda a, axis=None, keepdims=False: backend.xp.argmax(a, axis=axis, keepdims=keepdims).astype("int32"))


def argmax(x, axis=None, keepdims=False):
    return apply(argmax_op, (x,), {"axis": axis, "keepdims": keepdims})


argmin_op = no_gradient_op(
    "argmin", lambda a, axis=None, keepdims=False: backend.xp.argmin(a, axis=axis, keepdims=keepdims).astype("int32"))


def argmin(x, axis=None, keepdims=False):
    return apply(argmin_op, (x,), {"axis": axis, "keepdims": keepdims})
