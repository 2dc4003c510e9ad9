"""Bringing a loss' inputs to Tensors of one shape, before any arithmetic.

y_pred keeps its identity (the tape records it), y_true is cast to its dtype, and ranks that differ
by a trailing axis of size 1 are reconciled as Keras' `squeeze_or_expand_to_same_rank` does; pairs
that would still broadcast silently are refused, naming the loss.
"""
from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.utils.errors import shape_text


def _to_tensor(x, dtype=None):
    """A Tensor for `x`, keeping the same object when it already is one of the dtype (tape identity)."""
    if isinstance(x, Tensor):
        if dtype is None or x.dtype == dtype:
            return x
        return _carry_logits(x, ops.cast(x, dtype), lambda t: ops.cast(t, dtype))
    value = backend.xp.asarray(x)
    if dtype is None and value.dtype.kind != "f":
        dtype = backend.floatx()
    if dtype is not None and value.dtype != dtype:
        # An op, not astype: a traced training step then converts every batch's labels.
        return ops.cast(value, dtype)
    return Tensor(value)


def _pair(y_true, y_pred):
    """Tensors for a loss function's inputs: y_pred as given (float), y_true cast to its dtype."""
    y_pred = _to_tensor(y_pred)
    if y_pred.value.dtype.kind != "f":
        y_pred = ops.cast(y_pred, backend.floatx())
    return _to_tensor(y_true, y_pred.dtype), y_pred


def _carry_logits(original, new, transform):
    """Keeps a softmax/sigmoid output's remembered logits through a reshape of that output."""
    remembered = getattr(original, "_softmax_logits", None)
    if remembered is not None and new is not original:
        new._softmax_logits = (remembered[0], transform(remembered[1]))
    return new


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Reconciles ranks that differ by one trailing axis of size 1, as Keras does.

    When one tensor has one more axis than the other and that last axis has size 1, it is squeezed;
    except that a rank-1 partner is expanded instead (with `expand_rank_1`), so labels (32,) meet
    predictions (32, 1) as (32, 1). Anything else is returned unchanged.

    Returns:
        (x1, x2), possibly reshaped.
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = _carry_logits(x2, ops.expand_dims(x2, -1), lambda t: ops.expand_dims(t, -1))
        else:
            x1 = _carry_logits(x1, ops.squeeze(x1, -1), lambda t: ops.squeeze(t, -1))
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = _carry_logits(x1, ops.expand_dims(x1, -1), lambda t: ops.expand_dims(t, -1))
        else:
            x2 = _carry_logits(x2, ops.squeeze(x2, -1), lambda t: ops.squeeze(t, -1))
    return x1, x2


def _same_shape(name, y_true, y_pred, hint=""):
    """Reconciles trailing size-1 axes, then refuses any remaining shape difference."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name} expects y_true and y_pred of the same shape, but got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}; they would "
                         f"broadcast to a wrong loss.{hint}")
    return y_true, y_pred


def _last_axis(axis, ndim):
    return axis == -1 or axis == ndim - 1
