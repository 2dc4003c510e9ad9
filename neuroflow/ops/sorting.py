"""Sorting and searching: sort, argsort, argpartition, top_k, in_top_k, unique, searchsorted, digitize,
bincount, histogram, nonzero, isin, unravel_index.

Only sort and top_k's values carry a gradient (through take_along_axis with the sorting indices); every
index, count and boolean result comes from an op without a vjp (ops/no_gradient.py).
"""
from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.registry import apply
from neuroflow.ops.inspection import value_of
from neuroflow.ops.no_gradient import no_gradient_op, run
from neuroflow.ops.shape import reshape, shape, take_along_axis_op

builtin_max = max

# Keras returns int32 indices from its sorting and searching ops.
_INDEX = "int32"


def _argsort(a, axis=-1):
    xp = backend.xp
    if axis is None:
        return xp.argsort(a.reshape(-1), kind="stable").astype(_INDEX)
    return xp.argsort(a, axis=axis, kind="stable").astype(_INDEX)


argsort_op = no_gradient_op("argsort", _argsort)


def argsort(x, axis=-1):
    """The indices that sort x along `axis` (the flattened input when None), as int32."""
    return run(argsort_op, (x,), axis=axis)


def sort(x, axis=-1):
    """x sorted along `axis` (the flattened input when None); the gradient goes back to each element's place."""
    if axis is None:
        x = reshape(x, (-1,))
        axis = -1
    return _take_along_axis(x, argsort(x, axis=axis), axis)


def _take_along_axis(x, indices, axis):
    """take_along_axis with the indices as an op input, so that placeholder indices (argsort of a placeholder)
    stay symbolic; the indices get no gradient."""
    return apply(take_along_axis_op, (x, indices), {"axis": axis})


argpartition_op = no_gradient_op(
    "argpartition", lambda a, kth=0, axis=-1: backend.xp.argpartition(a, kth, axis=axis).astype(_INDEX))


def argpartition(x, kth, axis=-1):
    """Indices that put the kth element in its sorted place, smaller ones before it and larger ones after."""
    return run(argpartition_op, (x,), kth=kth, axis=axis)


def _top_k_indices(a, k=1, sorted=True):
    xp = backend.xp
    # Largest first, ties in index order (as JAX and TensorFlow; Keras' torch backend orders ties as
    # torch.topk happens to): a stable ascending sort of the reversed row, read backwards. Negating
    # instead would wrap unsigned integers.
    last = a.shape[-1] - 1
    order = last - xp.argsort(a[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    return order.astype("int64")


top_k_indices_op = no_gradient_op("top_k_indices", _top_k_indices)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras' name
    """The k largest values along the last axis and their indices (int64, as Keras), largest first."""
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"ops.top_k expects `k` to be a positive integer; received k={k!r}")
    if k > shape(x)[-1]:
        raise ValueError(f"ops.top_k expects `k` at most the size of the last axis ({shape(x)[-1]}); received k={k}")
    indices = run(top_k_indices_op, (x,), k=k, sorted=sorted)
    return _take_along_axis(x, indices, -1), indices


def _in_top_k(targets, predictions, k=1):
    xp = backend.xp
    targets = targets.astype("int64")
    target_scores = xp.take_along_axis(predictions, targets[:, None], axis=-1)
    # A target is in the top k when fewer than k classes score strictly higher (ties count in its favour, as
    # Keras compares with the k-th largest value); a NaN score never is.
    higher = (predictions > target_scores).sum(axis=-1)
    return (higher < k) & ~xp.isnan(target_scores[:, 0])


in_top_k_op = no_gradient_op("in_top_k", _in_top_k)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the k highest predictions of its row (a boolean per row)."""
    return run(in_top_k_op, (targets, predictions), k=k)


def _unique(a, part="values", axis=None, size=None, fill_value=None):
    xp = backend.xp
    values, index, inverse, counts = xp.unique(a, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    if size is not None:
        # A fixed size, as under jit: truncate, or pad with fill_value (the smallest value when None).
        pad = size - values.shape[0]
        fill = values[0] if fill_value is None and values.size else (fill_value if fill_value is not None else 0)
        if pad > 0:
            values = xp.concatenate([values, xp.full((pad,) + values.shape[1:], fill, dtype=values.dtype)])
            index = xp.concatenate([index, xp.zeros(pad, dtype=index.dtype)])
            counts = xp.concatenate([counts, xp.zeros(pad, dtype=counts.dtype)])
        else:
            values, index, counts = values[:size], index[:size], counts[:size]
    if part == "values":
        return values
    if part == "index":
        return index.astype("int64")
    if part == "inverse":
        return inverse.reshape(a.shape if axis is None else -1).astype("int64")
    return counts.astype("int64")


unique_op = no_gradient_op("unique", _unique)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None,  # noqa: A002
           size=None, fill_value=None):
    """The sorted unique values of x, with the first indices, inverse indices and counts when asked (int64).

    `size` pads (with `fill_value`, by default the smallest value) or truncates to a fixed length.
    """
    if not sorted:
        raise ValueError("ops.unique returns sorted values only; received sorted=False")
    # One op per output: each result is a single array, so placeholders and tapes see plain ops.
    parts = ["values"] + [name for name, wanted in (("index", return_index), ("inverse", return_inverse),
                                                    ("counts", return_counts)) if wanted]
    outputs = tuple(run(unique_op, (x,), part=part, axis=axis, size=size, fill_value=fill_value) for part in parts)
    return outputs[0] if len(outputs) == 1 else outputs


def _searchsorted(sequence, values, side="left"):
    return backend.xp.searchsorted(sequence, values, side=side).astype(_INDEX)


searchsorted_op = no_gradient_op("searchsorted", _searchsorted)


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would be inserted into the 1-D `sorted_sequence` to keep it sorted (int32)."""
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted expects side='left' or 'right'; received side={side!r}")
    if len(shape(sorted_sequence)) != 1:
        raise ValueError(f"ops.searchsorted expects a 1-D `sorted_sequence`; received shape {shape(sorted_sequence)}")
    return run(searchsorted_op, (sorted_sequence, values), side=side)


digitize_op = no_gradient_op("digitize", lambda a, bins: backend.xp.digitize(a, bins).astype(_INDEX))


def digitize(x, bins):
    """The index of the bin each element of x falls in (int32): bins[i - 1] <= x < bins[i]."""
    return run(digitize_op, (x, bins))


def _bincount(a, weights=None, minlength=0):
    xp = backend.xp
    if a.ndim == 1:
        out = xp.bincount(a, weights=weights, minlength=minlength)
    else:
        # A batch of rows: one count per row, all of the same length.
        length = builtin_max(int(a.max()) + 1 if a.size else 0, minlength)
        rows = [xp.bincount(row, weights=None if weights is None else weights[i], minlength=length)
                for i, row in enumerate(a)]
        out = xp.stack(rows)
    if weights is None:
        return out.astype("int32")
    return out.astype(weights.dtype if weights.dtype.kind == "f" else "float32")


bincount_op = no_gradient_op("bincount", _bincount)


def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative integer occurs in x (int32), or the sum of its `weights` (1-D or per row)."""
    if sparse:
        raise ValueError("ops.bincount has no sparse output in neuroflow; received sparse=True")
    if not isinstance(x, KerasTensor) and backend.xp.any(value_of(x) < 0):
        raise ValueError("ops.bincount expects non-negative integers in `x`")
    inputs = (x,) if weights is None else (x, weights)
    return run(bincount_op, inputs, minlength=minlength)


def _histogram(a, bins=10, range=None, part=0):  # noqa: A002 - Keras' name
    # part 0: the counts, part 1: the edges (one array per op).
    dtype = a.dtype if a.dtype.kind == "f" else backend.floatx()
    return backend.xp.histogram(a, bins=bins, range=range)[part].astype(dtype)


histogram_op = no_gradient_op("histogram", _histogram)


def histogram(x, bins=10, range=None):  # noqa: A002 - Keras' name
    """Counts of x in `bins` equal bins over `range` (default: x's min to max), and the bin edges."""
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"ops.histogram expects `bins` to be a positive integer; received bins={bins!r}")
    if len(shape(x)) != 1:
        raise ValueError(f"ops.histogram expects a 1-D input; received shape {shape(x)}")
    return tuple(run(histogram_op, (x,), bins=bins, range=range, part=part) for part in (0, 1))


nonzero_op = no_gradient_op("nonzero", lambda a, axis=0: backend.xp.nonzero(a)[axis].astype(_INDEX))


def nonzero(x):
    """The indices of the non-zero elements of x: a tuple of one int32 array per axis."""
    return tuple(run(nonzero_op, (x,), axis=axis) for axis in range(builtin_max(len(shape(x)), 1)))


isin_op = no_gradient_op("isin", lambda a, b, assume_unique=False, invert=False: backend.xp.isin(
    a, b, assume_unique=assume_unique, invert=invert))


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of x1 occurs in x2 (or does not, with invert=True)."""
    return run(isin_op, (x1, x2), assume_unique=assume_unique, invert=invert)


def _unravel_index(indices, shape=None, axis=0):
    dtype = indices.dtype if indices.dtype.kind in "iu" else "int32"
    return backend.xp.unravel_index(indices, shape)[axis].astype(dtype)


unravel_index_op = no_gradient_op("unravel_index", _unravel_index)


def unravel_index(indices, shape):
    """The coordinates in an array of `shape` of each flat index: a tuple of arrays, one per axis."""
    return tuple(run(unravel_index_op, (indices,), shape=tuple(shape), axis=axis) for axis in range(len(shape)))
