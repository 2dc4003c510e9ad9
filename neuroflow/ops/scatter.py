"""Writing into arrays by index: scatter, scatter_update, slice, slice_update, and the segment reductions
segment_sum / segment_max / segment_min / segment_prod, and get_item (Keras' name for reading by index).

Each builds a new array (inputs are never changed in place); gradients flow to the values written and to
the elements of the input that were kept.
"""
import builtins

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of
from neuroflow.ops.shape import getitem, shape


def _index_tuple(indices):
    """Keras' (N, d) coordinate rows as NumPy's tuple of d index arrays."""
    indices = indices.astype("int64", copy=False)
    if indices.ndim == 1:
        indices = indices[:, None]
    return tuple(indices[..., i] for i in range(indices.shape[-1]))


scatter_op = Op("scatter")


@scatter_op.forward
def _(indices, values, shape=None):
    index = _index_tuple(indices)
    out = backend.xp.zeros(shape, dtype=values.dtype)
    backend.scatter_add(out, index, values)  # repeated coordinates add up, as in Keras
    return out, index


@scatter_op.vjp
def _(index, g, needs):
    return None, g[index]


def scatter(indices, values, shape):
    """A zero array of `shape` with `values` added at `indices` (rows of coordinates; repeats add up).

    indices has shape (N, d): each row gives the first d coordinates, and values has shape
    (N,) + shape[d:].
    """
    return apply(scatter_op, (Tensor(value_of(indices)), values), {"shape": tuple(shape)})


_REDUCTIONS = (None, "add", "max", "min", "mul")

scatter_update_op = Op("scatter_update")


@scatter_update_op.forward
def _(inputs, indices, updates, reduction=None):
    index = _index_tuple(indices)
    out = inputs.copy()
    updates = updates.astype(out.dtype, copy=False)
    if reduction is None:
        out[index] = updates
    else:
        backend.scatter_reduce(reduction, out, index, updates)
    return out, (index, reduction)


@scatter_update_op.vjp
def _(residuals, g, needs):
    index, reduction = residuals
    if reduction not in (None, "add"):
        raise NotImplementedError(f"ops.scatter_update has no gradient for reduction={reduction!r}; "
                                  "use reduction=None or 'add'")
    grad_inputs = None
    if needs[0]:
        grad_inputs = g.copy()
        if reduction is None:
            grad_inputs[index] = 0  # overwritten elements do not reach the output
    return grad_inputs, None, (g[index] if needs[2] else None)


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of `inputs` with `updates` written at `indices` (rows of coordinates), or combined with what is
    there by `reduction` ('add', 'max', 'min', 'mul')."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"ops.scatter_update expects `reduction` to be one of {_REDUCTIONS}; "
                         f"received reduction={reduction!r}")
    return apply(scatter_update_op, (inputs, Tensor(value_of(indices)), updates), {"reduction": reduction})


def get_item(x, key):
    """x[key]: Keras' functional form of indexing (ops/shape.py getitem, with its gradient)."""
    return getitem(x, key)


def _start_indices(start_indices):
    return tuple(int(value_of(i)) for i in (start_indices.value if isinstance(start_indices, Tensor)
                                             else start_indices))


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras' name
    """The block of `inputs` of the given `shape` starting at `start_indices` (one start per axis)."""
    starts = _start_indices(start_indices)
    if len(starts) != len(shape):
        raise ValueError("ops.slice expects as many `start_indices` as `shape` entries; received "
                         f"start_indices={starts}, shape={tuple(shape)}")
    return getitem(inputs, tuple(builtins.slice(start, start + size) for start, size in zip(starts, shape)))


slice_update_op = Op("slice_update")


@slice_update_op.forward
def _(inputs, updates, index=None):
    out = inputs.copy()
    out[index] = updates
    return out, index


@slice_update_op.vjp
def _(index, g, needs):
    grad_inputs = None
    if needs[0]:
        grad_inputs = g.copy()
        grad_inputs[index] = 0
    return grad_inputs, (g[index] if needs[1] else None)


def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block starting at `start_indices` replaced by `updates`."""
    starts = _start_indices(start_indices)
    updates_shape = shape(updates)
    if len(starts) != len(updates_shape):
        raise ValueError("ops.slice_update expects one start index per axis of `updates`; received "
                         f"start_indices={starts} for updates of shape {updates_shape}")
    index = tuple(builtins.slice(start, start + size) for start, size in zip(starts, updates_shape))
    return apply(slice_update_op, (inputs, updates), {"index": index})


def _segment_count(segment_ids, num_segments):
    if num_segments is not None:
        return int(num_segments)
    ids = value_of(segment_ids)
    return int(ids.max()) + 1 if ids.size else 0


segment_sum_op = Op("segment_sum")


@segment_sum_op.forward
def _(data, segment_ids, num_segments=None):
    xp = backend.xp
    ids = segment_ids.astype("int64", copy=False)
    valid = (ids >= 0) & (ids < num_segments)  # ids outside [0, num_segments) are dropped, as in Keras
    out = xp.zeros((num_segments,) + data.shape[1:], dtype=data.dtype)
    backend.scatter_add(out, ids[valid], data[valid])
    return out, (ids, valid)


@segment_sum_op.vjp
def _(residuals, g, needs):
    ids, valid = residuals
    grad = g[backend.xp.where(valid, ids, 0)]
    grad[~valid] = 0
    return grad, None


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002 - Keras' name
    """Sums of the rows of `data` that share a segment id: out[s] = sum of data[i] where segment_ids[i] = s."""
    return apply(segment_sum_op, (data, Tensor(value_of(segment_ids))),
                 {"num_segments": _segment_count(segment_ids, num_segments)})


def _segment_extreme_forward(reduction, empty):
    """The forward of segment_max / segment_min: the ufunc `reduction` ('maximum' or 'minimum') applied per
    segment, starting from `empty` times infinity (-1: max, 1: min)."""
    def forward(data, segment_ids, num_segments=None):
        xp = backend.xp
        ids = segment_ids.astype("int64", copy=False)
        valid = (ids >= 0) & (ids < num_segments)
        if data.dtype.kind == "f":
            fill = empty * xp.inf
        else:
            info = xp.iinfo(data.dtype)
            fill = info.min if empty < 0 else info.max
        out = xp.full((num_segments,) + data.shape[1:], fill, dtype=data.dtype)
        backend.scatter_reduce({"maximum": "max", "minimum": "min"}[reduction], out, ids[valid], data[valid])
        return out, (data, ids, valid, out)

    return forward


def _segment_extreme_vjp(residuals, g, needs):
    data, ids, valid, out = residuals
    xp = backend.xp
    safe = xp.where(valid, ids, 0)
    # The rows that equal their segment's extreme share its gradient (ties split evenly).
    hits = ((data == out[safe]) & valid.reshape((-1,) + (1,) * (data.ndim - 1))).astype(g.dtype)
    ties = xp.zeros(out.shape, dtype=g.dtype)
    backend.scatter_add(ties, safe, hits)
    return g[safe] * hits / xp.maximum(ties[safe], 1), None


segment_max_op = Op("segment_max")
segment_max_op.forward(_segment_extreme_forward("maximum", -1))
segment_max_op.vjp(_segment_extreme_vjp)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002 - Keras' name
    """The largest row of `data` per segment id (-inf, or the dtype's minimum, for an empty segment)."""
    return apply(segment_max_op, (data, Tensor(value_of(segment_ids))),
                 {"num_segments": _segment_count(segment_ids, num_segments)})


segment_min_op = Op("segment_min")
segment_min_op.forward(_segment_extreme_forward("minimum", 1))
segment_min_op.vjp(_segment_extreme_vjp)


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002 - Keras' name
    """The smallest row of `data` per segment id (+inf, or the dtype's maximum, for an empty segment)."""
    return apply(segment_min_op, (data, Tensor(value_of(segment_ids))),
                 {"num_segments": _segment_count(segment_ids, num_segments)})


segment_prod_op = Op("segment_prod")


@segment_prod_op.forward
def _(data, segment_ids, num_segments=None):
    xp = backend.xp
    ids = segment_ids.astype("int64", copy=False)
    valid = (ids >= 0) & (ids < num_segments)
    out = xp.ones((num_segments,) + data.shape[1:], dtype=data.dtype)
    backend.scatter_reduce("mul", out, ids[valid], data[valid])
    return out, (data, ids, valid, out)


@segment_prod_op.vjp
def _(residuals, g, needs):
    data, ids, valid, out = residuals
    xp = backend.xp
    safe = xp.where(valid, ids, 0)
    keep = valid.reshape((-1,) + (1,) * (data.ndim - 1))
    # d out_s / d data_i is the product of the segment's other rows. Dividing out_s by data_i fails at
    # zeros, so count each segment's zeros and keep the product of its non-zero rows: a zero row's
    # gradient is that product when it is the segment's only zero, and every gradient is 0 beside two zeros.
    zero = data == 0
    zeros = xp.zeros(out.shape, dtype="int64")
    backend.scatter_add(zeros, ids[valid], zero[valid].astype("int64"))
    nonzero_product = xp.ones(out.shape, dtype=data.dtype)
    backend.scatter_reduce("mul", nonzero_product, ids[valid], xp.where(zero, 1, data)[valid])
    row_zeros, row_nonzero_product = zeros[safe], nonzero_product[safe]
    others = xp.where(zero, xp.where(row_zeros == 1, row_nonzero_product, 0),
                      xp.where(row_zeros == 0, row_nonzero_product / xp.where(zero, 1, data), 0))
    return g[safe] * others * keep, None


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002 - Keras' name
    """The product of the rows of `data` per segment id (1 for an empty segment)."""
    return apply(segment_prod_op, (data, Tensor(value_of(segment_ids))),
                 {"num_segments": _segment_count(segment_ids, num_segments)})
