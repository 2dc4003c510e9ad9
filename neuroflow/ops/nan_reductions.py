"""Reductions that skip NaNs: nansum, nanmean, nanmax, nanmin, nanprod, nanvar, nanstd, nanargmax,
nanargmin, nancumsum, nancumprod, nanmedian, nanquantile, nanpercentile.

Each is the plain reduction over x with its NaNs replaced by the reduction's identity (0 for sums, 1 for
products, -inf / +inf for max / min), so the gradient is the plain one and zero at the NaNs. Integer inputs
have no NaN and reduce as they are.
"""
from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.cumulative import cumprod, cumsum
from neuroflow.ops.dtype_rules import accumulation_dtype, dtype_of
from neuroflow.ops.elementwise import cast, sqrt, square, subtract, where_op
from neuroflow.ops.inspection import value_of
from neuroflow.ops.no_gradient import no_gradient_op, run
from neuroflow.ops.reduction import argmax, argmin, cast_to_float, max, min, prod, sum
from neuroflow.ops.statistics import all, order_statistic


def _is_float(x):
    return dtype_of(x).kind == "f"


# An op (not elementwise.isnan, a plain function) so that the NaN-skipping reductions work on placeholders.
nan_mask_op = no_gradient_op("nan_mask", lambda a: backend.xp.isnan(a))


def _nan_mask(x):
    return run(nan_mask_op, (x,))


def fill_nan(x, fill):
    """x with its NaNs replaced by `fill` (x itself when it cannot hold NaN)."""
    return _where(_nan_mask(x), fill, x) if _is_float(x) else x


def _where(condition, x1, x2):
    """where with a boolean op output as the condition (ops.where converts it to an array first, which a
    placeholder cannot become)."""
    return apply(where_op, (condition, x1, x2), {})


def nansum(x, axis=None, keepdims=False):
    """The sum of x over `axis`, NaNs counted as zero (integers keep their dtype, as in Keras)."""
    out = sum(fill_nan(x, 0.0), axis=axis, keepdims=keepdims)
    dtype = accumulation_dtype(dtype_of(x))
    return out if dtype_of(out) == dtype else cast(out, dtype)


def nanmean(x, axis=None, keepdims=False):
    """The mean of the non-NaN values of x over `axis` (floatx for integers); NaN where all are NaN."""
    x = cast_to_float(x)
    total = nansum(x, axis=axis, keepdims=keepdims)
    counts = cast(sum(_where(_nan_mask(x), 0.0, 1.0), axis=axis, keepdims=keepdims), dtype_of(x))
    return total / counts


def _extreme(reduce, x, axis, keepdims, fill):
    if not _is_float(x):
        return reduce(x, axis=axis, keepdims=keepdims)
    out = reduce(fill_nan(x, fill), axis=axis, keepdims=keepdims)
    # A slice of NaNs only has no extreme: NaN, as NumPy and Keras give.
    return _where(all(_nan_mask(x), axis=axis, keepdims=keepdims), float("nan"), out)


def nanmax(x, axis=None, keepdims=False):
    """The largest non-NaN value of x over `axis`."""
    return _extreme(max, x, axis, keepdims, float("-inf"))


def nanmin(x, axis=None, keepdims=False):
    """The smallest non-NaN value of x over `axis`."""
    return _extreme(min, x, axis, keepdims, float("inf"))


def nanprod(x, axis=None, keepdims=False):
    """The product of x over `axis`, NaNs counted as one."""
    return prod(fill_nan(x, 1.0), axis=axis, keepdims=keepdims)


def nanvar(x, axis=None, keepdims=False):
    """The variance of the non-NaN values of x over `axis`: nanmean((x - nanmean(x))^2)."""
    x = cast_to_float(x)
    centered = subtract(x, nanmean(x, axis=axis, keepdims=True))
    return nanmean(square(centered), axis=axis, keepdims=keepdims)


def nanstd(x, axis=None, keepdims=False):
    """The standard deviation of the non-NaN values of x over `axis`."""
    return sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def nanargmax(x, axis=None, keepdims=False):
    """The index of the largest non-NaN value over `axis` (int32)."""
    return argmax(fill_nan(x, float("-inf")), axis=axis, keepdims=keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """The index of the smallest non-NaN value over `axis` (int32)."""
    return argmin(fill_nan(x, float("inf")), axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None, dtype=None):
    """cumsum with NaNs counted as zero."""
    return cumsum(fill_nan(x, 0.0), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """cumprod with NaNs counted as one."""
    return cumprod(fill_nan(x, 1.0), axis=axis, dtype=dtype)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantile(s) of the non-NaN values of x over `axis`."""
    return order_statistic(x, q, axis=axis, method=method, keepdims=keepdims, skip_nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th percentile(s) (q in [0, 100]) of the non-NaN values of x over `axis`."""
    return order_statistic(x, backend.xp.asarray(value_of(q), dtype="float64") / 100, axis=axis, method=method,
                           keepdims=keepdims, skip_nan=True)


def nanmedian(x, axis=None, keepdims=False):
    """The median of the non-NaN values of x over `axis`."""
    return order_statistic(x, 0.5, axis=axis, keepdims=keepdims, skip_nan=True)
