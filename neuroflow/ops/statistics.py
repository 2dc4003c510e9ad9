"""Order statistics and summaries: quantile, percentile, median, average, ptp, corrcoef, and the logical and counting
reductions any, all, count_nonzero.

Quantiles are composites: a sort, a take of the two neighbouring order statistics and their interpolation,
so the gradient flows to the elements they were taken from. Integer inputs compute in floatx, as in Keras.
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.dtype_rules import dtype_of, float_dtype
from neuroflow.ops.elementwise import cast, clip, multiply, sqrt, square, subtract, where
from neuroflow.ops.inspection import value_of
from neuroflow.ops.matmul import matmul
from neuroflow.ops.no_gradient import no_gradient_op, run
from neuroflow.ops.reduction import _axis, _normalize_axis, cast_to_float, max, mean, min, sum
from neuroflow.ops.shape import reshape, shape, take, take_along_axis, transpose
from neuroflow.ops.sorting import sort

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def order_statistic(x, q, axis=None, method="linear", keepdims=False, skip_nan=False):
    """The q-th quantile(s) of x over `axis`, by one of NumPy's methods; NaNs are skipped when `skip_nan`.

    With n values sorted as v_0 <= ... <= v_(n-1), the quantile q sits at position p = q (n - 1): 'linear'
    gives v_floor(p) + (p - floor(p)) (v_ceil(p) - v_floor(p)), 'lower' / 'higher' the neighbour below /
    above, 'midpoint' their mean, 'nearest' the closer one. The output has q's shape before the kept axes.
    """
    xp = backend.xp
    if method not in _METHODS:
        raise ValueError(f"ops.quantile expects `method` to be one of {', '.join(_METHODS)}; received method={method!r}")
    q_value = xp.asarray(value_of(q), dtype="float64")
    if xp.any((q_value < 0) | (q_value > 1)):
        raise ValueError(f"ops.quantile expects quantiles `q` in [0, 1]; received q={q_value.tolist()}")
    x = cast_to_float(x)
    dtype = dtype_of(x)
    input_shape = shape(x)
    axes = _normalize_axis(_axis(axis), len(input_shape))
    kept = [i for i in range(len(input_shape)) if i not in axes]
    kept_shape = tuple(input_shape[i] for i in kept)
    reduced = [input_shape[i] for i in axes]
    if None in reduced:
        raise ValueError("ops.quantile cannot reduce over an axis of unknown size (the batch axis of a placeholder)")
    size = 1
    for dimension in reduced:
        size *= dimension
    # The reduced axes moved last and flattened into one: each row holds the values of one quantile.
    rows = reshape(transpose(x, kept + list(axes)), _known(kept_shape) + (size,))
    values = sort(rows, axis=-1)  # NaNs sort last
    if skip_nan:
        # Each row has its own count of values, so each its own positions: (kept..., q...).
        counts = (~xp.isnan(value_of(values))).sum(axis=-1).reshape(kept_shape + (1,) * q_value.ndim)
    else:
        counts = xp.asarray(size)
    position = xp.maximum(q_value * (counts - 1), 0)
    lower = xp.floor(position).astype("int64")
    upper = xp.minimum(xp.ceil(position).astype("int64"), xp.maximum(counts - 1, 0))

    def gathered(index):
        """values[..., index]: shape kept + q.shape."""
        if not skip_nan:
            return take(values, Tensor(index), axis=-1)
        flat = take_along_axis(values, Tensor(index.reshape(kept_shape + (-1,))), axis=-1)
        return reshape(flat, kept_shape + q_value.shape)

    if method == "lower":
        result = gathered(lower)
    elif method == "higher":
        result = gathered(upper)
    elif method == "nearest":
        result = gathered(xp.around(position).astype("int64"))
    else:
        low_value, high_value = gathered(lower), gathered(upper)
        fraction = xp.full(position.shape, 0.5, dtype=dtype) if method == "midpoint" else (position - lower).astype(dtype)
        result = low_value + multiply(subtract(high_value, low_value), fraction)
    if skip_nan:
        # A row of NaNs only has no quantile.
        result = where(xp.broadcast_to(counts == 0, position.shape), float("nan"), result)
    # q's axes come first, as in NumPy.
    result = transpose(result, [len(kept_shape) + i for i in range(q_value.ndim)] + list(range(len(kept_shape))))
    if keepdims:
        kept_with_ones = tuple(1 if i in axes else s for i, s in enumerate(input_shape))
        result = reshape(result, q_value.shape + _known(kept_with_ones))
    return cast(result, dtype) if dtype_of(result) != dtype else result


def _known(dimensions):
    """A shape for reshape: the one unknown (batch) size, if any, as -1."""
    return tuple(-1 if d is None else d for d in dimensions)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantile(s) of x over `axis` (q in [0, 1], a number or a 1-D array)."""
    return order_statistic(x, q, axis=axis, method=method, keepdims=keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th percentile(s) of x over `axis` (q in [0, 100])."""
    return order_statistic(x, backend.xp.asarray(value_of(q), dtype="float64") / 100, axis=axis, method=method,
                           keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    """The median of x over `axis`: the mean of the two middle values when their count is even."""
    return order_statistic(x, 0.5, axis=axis, keepdims=keepdims)


def average(x, axis=None, weights=None):
    """The weighted mean sum(x w) / sum(w) over `axis`; 1-D weights run along `axis`."""
    if weights is None:
        return mean(cast_to_float(x), axis=axis)
    dtype = float_dtype(dtype_of(x), dtype_of(weights))
    x = cast(x, dtype) if dtype_of(x) != dtype else x
    weights = cast(weights, dtype) if dtype_of(weights) != dtype else weights
    x_shape, weights_shape = shape(x), shape(weights)
    if weights_shape != x_shape:
        if axis is None or len(weights_shape) != 1 or not isinstance(axis, int):
            raise ValueError(f"ops.average expects `weights` of x's shape {x_shape}, or 1-D along an integer axis; "
                             f"received weights of shape {weights_shape} with axis={axis!r}")
        if weights_shape[0] != x_shape[axis]:
            raise ValueError(f"ops.average expects 1-D `weights` of length {x_shape[axis]} (x's axis {axis}); "
                             f"received length {weights_shape[0]}")
        along = [1] * len(x_shape)
        along[axis] = weights_shape[0]
        weights = reshape(weights, along)
        total_weight = sum(weights)
    else:
        total_weight = sum(weights, axis=axis)
    return sum(multiply(x, weights), axis=axis) / total_weight


def ptp(x, axis=None, keepdims=False):
    """The range max - min over `axis` ('peak to peak'), in x's dtype."""
    return subtract(max(x, axis=axis, keepdims=keepdims), min(x, axis=axis, keepdims=keepdims))


def corrcoef(x):
    """Pearson correlation coefficients between the rows of x (each row a variable, each column an
    observation): cov(x_i, x_j) / sqrt(var(x_i) var(x_j)). Integers correlate in floatx (int64 in float64)."""
    x_shape = shape(x)
    if len(x_shape) not in (1, 2):
        raise ValueError(f"ops.corrcoef expects a 1-D or 2-D input; received shape {x_shape}")
    dtype = backend.xp.dtype("float64") if dtype_of(x) == backend.xp.dtype("int64") else float_dtype(dtype_of(x))
    x = cast(x, dtype) if dtype_of(x) != dtype else x
    rows = reshape(x, (1, -1)) if len(x_shape) == 1 else x
    centered = subtract(rows, mean(rows, axis=-1, keepdims=True))
    # The 1 / (n - 1) of the covariance cancels in the ratio.
    products = matmul(centered, transpose(centered))
    scale = sqrt(sum(square(centered), axis=-1))
    result = products / multiply(reshape(scale, (-1, 1)), reshape(scale, (1, -1)))
    result = clip(result, -1.0, 1.0)
    return reshape(result, ()) if len(x_shape) == 1 else result


any_op = no_gradient_op("any", lambda a, axis=None, keepdims=False: backend.xp.any(a, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Whether any element of x over `axis` is non-zero (a boolean tensor)."""
    return run(any_op, (x,), axis=_axis(axis), keepdims=keepdims)


all_op = no_gradient_op("all", lambda a, axis=None, keepdims=False: backend.xp.all(a, axis=axis, keepdims=keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Whether every element of x over `axis` is non-zero (a boolean tensor)."""
    return run(all_op, (x,), axis=_axis(axis), keepdims=keepdims)


count_nonzero_op = no_gradient_op(
    "count_nonzero", lambda a, axis=None: backend.xp.asarray(backend.xp.count_nonzero(a, axis=axis)).astype("int32"))


def count_nonzero(x, axis=None):
    """The number of non-zero elements of x over `axis` (int32)."""
    return run(count_nonzero_op, (x,), axis=_axis(axis))
