"""Weighting and reducing per-sample loss values, as Keras' `reduce_weighted_values` does."""
from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.losses.inputs import _to_tensor, squeeze_or_expand_to_same_rank
from neuroflow.utils.errors import shape_text

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def _standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid reduction {reduction!r}: expected one of "
                         f"{', '.join(repr(r) for r in REDUCTIONS)}")
    return reduction


def _weights_like(values, sample_weight):
    """Brings `sample_weight` to a shape that multiplies `values` element by element (or fails)."""
    values_shape, weight_shape = tuple(values.shape), tuple(sample_weight.shape)
    if weight_shape == values_shape or weight_shape == ():
        return values, sample_weight
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    weight_shape, values_shape = tuple(sample_weight.shape), tuple(values.shape)
    # Per-sample weights for a loss that keeps more axes (a sequence loss, say) apply to all of them.
    while len(weight_shape) < len(values_shape):
        sample_weight = ops.expand_dims(sample_weight, -1)
        weight_shape = weight_shape + (1,)
    if len(weight_shape) != len(values_shape) or any(w not in (1, v) for w, v in zip(weight_shape, values_shape)):
        raise ValueError(f"sample_weight of shape {shape_text(sample_weight.shape)} does not fit the "
                         f"per-sample losses of shape {shape_text(values.shape)}; pass one weight per "
                         "sample (shape (batch,)) or one per loss element.")
    return values, sample_weight


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Applies sample weights (and a mask) to per-sample losses, then reduces them as Keras does.

    'sum' sums; 'sum_over_batch_size' and 'mean' divide the weighted sum by the number of loss
    elements; 'mean_with_sample_weight' divides by the sum of the weights; 'none' / None keep the
    weighted values. A mask (ignored labels) counts only its valid entries in the divisor.
    """
    reduction = _standardize_reduction(reduction)
    dtype = values.dtype
    if mask is not None:
        mask = Tensor(mask.astype(dtype))
        if reduction in ("sum_over_batch_size", "mean"):
            # valid entries weigh total / valid, so the mean over all entries is the mean over valid ones
            total = mask.value.size
            valid = float(mask.value.sum())
            mask = Tensor(mask.value * (total / (valid + backend.epsilon())))
        if sample_weight is None:
            sample_weight = mask
        else:
            sample_weight = _to_tensor(sample_weight, dtype)
            mask, sample_weight = _weights_like(mask, sample_weight)
            sample_weight = ops.multiply(sample_weight, mask)
    if sample_weight is not None:
        sample_weight = _to_tensor(sample_weight, dtype)
        values, sample_weight = _weights_like(values, sample_weight)
        values = ops.multiply(values, sample_weight)
    if reduction in ("none", None) or values.ndim == 0:
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        weight_total = float(backend.xp.broadcast_to(sample_weight.value, values.shape).sum())
        return ops.divide(ops.sum(values), weight_total) if weight_total else ops.multiply(ops.sum(values), 0.0)
    if values.size == 0:
        return ops.sum(values)
    return ops.mean(values)
