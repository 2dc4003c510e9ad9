"""Fused loss kernels: cross-entropies computed from logits in one numerically stable step.

softmax + cross-entropy has the gradient softmax(z) - t; sigmoid + binary cross-entropy has
sigmoid(z) - t. Fusing them skips the softmax Jacobian and the log of a clipped probability.
Each fused op sits beside its public function and the keras.ops loss built on it
(`neuroflow.ops.categorical_crossentropy` ...), which composes primitives when given probabilities.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops import host_kernels
from neuroflow.ops.activation import _log_softmax_forward, _sigmoid
from neuroflow.ops.elementwise import add, clip, divide, log, multiply, negative, subtract
from neuroflow.ops.reduction import sum as reduce_sum  # so `sum` stays the builtin here
from neuroflow.ops.row_index import row_starts


def _like_logits(labels, logits):
    """Float labels in the logits' dtype, as Keras losses cast y_true to y_pred's dtype.

    Without it float64 NumPy labels would promote a float32 model's loss (and the whole
    backward pass through the loss) to float64.
    """
    dtype = getattr(labels, "dtype", None)  # Python numbers stay weakly typed
    if dtype is not None and dtype.kind == "f" and dtype != logits.dtype:
        return labels.astype(logits.dtype)
    return labels


softmax_cross_entropy_op = Op("softmax_cross_entropy")


@softmax_cross_entropy_op.forward
def _(labels, logits, axis=-1):
    """Per-sample -sum(t * log_softmax(z)) over `axis`."""
    labels = _like_logits(labels, logits)
    log_probs = _log_softmax_forward(logits, axis=axis)
    return -(labels * log_probs).sum(axis=axis), (labels, log_probs, axis)


@softmax_cross_entropy_op.vjp
def _(residuals, g, needs):
    labels, log_probs, axis = residuals
    xp = backend.xp
    g = xp.expand_dims(g, axis)
    grad_labels = -g * log_probs if needs[0] else None
    grad_logits = None
    if needs[1]:
        # d/dz of -sum t log softmax(z) = softmax(z) sum(t) - t (sum(t) = 1 for one-hot rows).
        # In place on the fresh exp() array: one (batch, classes) allocation instead of four.
        grad_logits = xp.exp(log_probs)
        grad_logits *= labels.sum(axis=axis, keepdims=True)
        grad_logits -= labels
        grad_logits *= g
    return grad_labels, grad_logits


def softmax_cross_entropy(labels, logits, axis=-1):
    """Per-sample categorical cross-entropy from logits."""
    return apply(softmax_cross_entropy_op, (labels, logits), {"axis": axis})


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """keras.ops.categorical_crossentropy: per-sample loss."""
    if from_logits:
        return softmax_cross_entropy(target, output, axis=axis)
    output = divide(output, reduce_sum(output, axis=axis, keepdims=True))
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    return negative(reduce_sum(multiply(target, log(output)), axis=axis))


sparse_softmax_cross_entropy_op = Op("sparse_softmax_cross_entropy")


# Each signed integer dtype's unsigned twin (the same width), for check_label_range's one reduction.
_UNSIGNED = {numpy.dtype(signed): numpy.dtype(unsigned) for signed, unsigned in
             ((numpy.int8, numpy.uint8), (numpy.int16, numpy.uint16), (numpy.int32, numpy.uint32),
              (numpy.int64, numpy.uint64))}


def check_label_range(labels, num_classes):
    """Raises a ValueError naming the labels outside [0, num_classes).

    It runs inside the op, on every call, so a replayed (traced) training step checks each batch
    as an eager one does; NumPy would otherwise wrap negative labels around silently.
    """
    xp = backend.xp
    if labels.size == 0:
        return

    def raise_error():
        bad = backend.to_numpy(labels[(labels < 0) | (labels >= num_classes)])
        shown = [int(v) if float(v).is_integer() else v for v in sorted(set(bad.tolist()))[:10]]
        raise ValueError(f"sparse_categorical_crossentropy expects integer labels in [0, {num_classes}) for y_pred "
                         f"with {num_classes} classes, but got {bad.size} label(s) outside that range: {shown}.")

    if not backend.on_device():
        if labels.dtype.kind == "i" and num_classes <= 1 << (8 * labels.itemsize - 1):
            # One reduction: read as unsigned, a negative label is at least 2**(bits - 1), above every class.
            unsigned = _UNSIGNED.get(labels.dtype) or labels.dtype.str.replace("i", "u")  # (a big-endian one: by name)
            if not xp.maximum.reduce(labels.view(unsigned), axis=None) < num_classes:
                raise_error()
        elif not (xp.minimum.reduce(labels, axis=None) >= 0 and xp.maximum.reduce(labels, axis=None) < num_classes):
            raise_error()
    else:  # on a device: checked at the step's next copy to the host, not by waiting for the GPU here
        backend.check_later((labels.min() < 0) | (labels.max() >= num_classes), raise_error)


@sparse_softmax_cross_entropy_op.forward
def _(labels, logits, probabilities=None, axis=-1, mean=False):
    """Per-sample -log_softmax(z)[label], with integer labels in [0, classes); with `mean`, their mean.

    `probabilities`, when given, is softmax(logits) as the model's softmax output computed it:
    the loss is then -log p[label] and its gradient p - one_hot, with no exp of its own. Rows
    whose p[label] is too small for its logarithm to keep full precision (below the square root
    of the dtype's smallest normal: a loss above ~44 in float32) take the log-softmax path.

    `mean` folds the loss' batch mean into the op (losses/loss.py asks for it when nothing weighs
    the samples): the same sum / count as ops.mean, one op fewer on every step's tape.
    """
    losses, residuals = _sparse_losses(labels, logits, probabilities, axis)
    if not mean:
        return losses, residuals + (None,)
    count = losses.size
    return backend.xp.add.reduce(losses, axis=None) / count, residuals + (count,)


def _picked_by_loop(labels, logits, probabilities, axis):
    """(int64 labels, picked, how many rows are unsure) through ops/host_loops.py's pick_labels: a softmax
    output's entry at each row's label, the label check and the precision test in one pass, where NumPy
    makes eight calls. None where the loop cannot run (no loop for this size, other shapes or dtypes);
    raises for bad labels."""
    if (type(probabilities) is not numpy.ndarray or logits.ndim != 2 or axis not in (-1, 1)  # host arrays only
            or probabilities.dtype != logits.dtype or labels.dtype.kind not in "iu"):
        return None
    labels_64 = labels.astype(numpy.int64, copy=False)  # a label past int64 turns negative: caught below
    loop = host_kernels.get_for_labels("pick_labels", probabilities, labels_64)
    if loop is None:
        return None
    picked = backend.xp.empty(labels.shape[0], probabilities.dtype)
    unsure = loop(probabilities, labels_64, picked, _SURE_SCALAR[probabilities.dtype])
    if unsure < 0:
        check_label_range(labels, logits.shape[1])  # raises, naming them
    return labels_64, picked, unsure


def _sparse_losses(labels, logits, probabilities, axis):
    xp = backend.xp
    num_classes = logits.shape[axis]
    by_loop = _picked_by_loop(labels, logits, probabilities, axis)
    if by_loop is not None and not by_loop[2]:  # every row sure: -log p[label], as below
        labels_64, picked, _ = by_loop
        losses = xp.log(picked)
        xp.negative(losses, out=losses)
        return losses, (labels_64, None, None, probabilities, axis, True)
    check_label_range(labels, num_classes)
    labels = labels.astype(xp.int64, copy=False)
    # (batch, classes), the common case: each row's label entry by its flat position, which the vjp
    # reuses. Indexing the flat view costs a third of 2-D fancy indexing at small batches (and, as
    # that does, wraps out-of-range labels around on a device, where check_label_range raises later).
    flat = labels + row_starts(labels.size, num_classes, xp) if logits.ndim == 2 and axis in (-1, 1) \
        and labels.shape == logits.shape[:1] else None
    if probabilities is not None and flat is not None and probabilities.dtype == logits.dtype:
        picked = probabilities.reshape(-1)[flat]  # a fresh array
        sure = _SURE_PROBABILITY.get(picked.dtype, 1.0)
        # On a device, asking whether any row is unsure would wait for the GPU: it takes the
        # log-softmax for every row and keeps it where unsure (the same values the host computes).
        on_device = backend.on_device()
        any_unsure = on_device or bool(picked.size and xp.minimum.reduce(picked) < sure)
        if any_unsure:
            unsure = picked < sure
            picked = xp.where(unsure, picked.dtype.type(1), picked)  # no log of an underflowed 0
        losses = xp.log(picked)
        xp.negative(losses, out=losses)
        if on_device:
            stable = -_log_softmax_forward(logits, axis=-1).reshape(-1)[flat]
            losses = xp.where(unsure, stable, losses)
        elif any_unsure:
            unsure_rows = xp.flatnonzero(unsure)
            log_probs = _log_softmax_forward(logits[unsure_rows], axis=-1)
            losses[unsure_rows] = -log_probs[xp.arange(len(unsure_rows)), labels[unsure_rows]]
        return losses, (labels, flat, None, probabilities, axis, True)
    given = probabilities is not None  # an input (its gradient slot stays None) though not read here
    log_probs = _log_softmax_forward(logits, axis=axis)
    if flat is not None:
        return -log_probs.reshape(-1)[flat], (labels, flat, log_probs, None, axis, given)
    picked = xp.take_along_axis(log_probs, xp.expand_dims(labels, axis), axis=axis)
    return -xp.squeeze(picked, axis=axis), (labels, None, log_probs, None, axis, given)


# Per float dtype, sqrt of the smallest normal number: p[label] at or above it has a full-precision log.
_SURE_PROBABILITY = {numpy.dtype(dtype): float(numpy.finfo(dtype).tiny) ** 0.5
                     for dtype in (numpy.float16, numpy.float32, numpy.float64)}
_SURE_SCALAR = {dtype: dtype.type(value) for dtype, value in _SURE_PROBABILITY.items()}  # as NumPy casts it


@sparse_softmax_cross_entropy_op.vjp
def _(residuals, g, needs):
    labels, flat, log_probs, probabilities, axis, given_probabilities, mean_count = residuals
    xp = backend.xp
    # The mean's gradient is g / count for every sample (ops.mean's vjp computes the same quotient).
    scale = g / mean_count if mean_count is not None else None
    # (A NumPy dtype equals None, as float64: hence `scale is None` first.)
    loop = None if scale is None or probabilities is None or getattr(scale, "dtype", None) != probabilities.dtype \
        else host_kernels.get_for_labels("softmax_ce_grad", probabilities, labels)
    if loop is not None:  # the lines below in one pass (ops/host_loops.py), the same bits
        grad = xp.empty_like(probabilities)
        loop(probabilities, labels, scale, grad, probabilities.dtype.type(1))
    else:
        grad = probabilities.copy() if probabilities is not None else xp.exp(log_probs)  # fresh, C-ordered
        if flat is not None:  # (batch, classes): see the forward
            grad.reshape(-1)[flat] -= 1  # a view of `grad`; one entry per row, so no index repeats
            grad *= g[:, None] if scale is None else scale
        else:
            index = xp.expand_dims(labels, axis)
            xp.put_along_axis(grad, index, xp.take_along_axis(grad, index, axis=axis) - 1, axis=axis)
            grad *= xp.expand_dims(g, axis) if scale is None else scale
    # No gradient for the labels, nor for the probabilities (the logits' gradient already holds it).
    return (None, grad, None) if given_probabilities else (None, grad)


def sparse_softmax_cross_entropy(labels, logits, axis=-1, probabilities=None, mean=False):
    """Per-sample categorical cross-entropy from logits and integer labels (with `mean`, their mean).

    probabilities: softmax(logits) when the caller has it (a softmax output that remembered its
    logits), which saves recomputing it; the loss reads it where that keeps full precision.
    """
    params = {"axis": axis, "mean": True} if mean else {"axis": axis}
    if probabilities is None:
        return apply(sparse_softmax_cross_entropy_op, (labels, logits), params)
    return apply(sparse_softmax_cross_entropy_op, (labels, logits, probabilities), params)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if from_logits:
        return sparse_softmax_cross_entropy(target, output, axis=axis)
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    return sparse_softmax_cross_entropy(target, log(output), axis=axis)


sigmoid_cross_entropy_op = Op("sigmoid_cross_entropy")


@sigmoid_cross_entropy_op.forward
def _(labels, logits):
    """Elementwise max(z, 0) - z t + log(1 + e^-|z|), the stable form of binary cross-entropy."""
    xp = backend.xp
    labels = _like_logits(labels, logits)
    loss = xp.maximum(logits, 0) - logits * labels + xp.log1p(xp.exp(-xp.abs(logits)))
    return loss, (labels, logits)


@sigmoid_cross_entropy_op.vjp
def _(residuals, g, needs):
    labels, logits = residuals
    return (-g * logits if needs[0] else None), (g * (_sigmoid(logits) - labels) if needs[1] else None)


def sigmoid_cross_entropy(labels, logits):
    """Elementwise binary cross-entropy from logits."""
    return apply(sigmoid_cross_entropy_op, (labels, logits), {})


def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        return sigmoid_cross_entropy(target, output)
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    positive = multiply(target, log(output))
    negative_part = multiply(subtract(1.0, target), log(subtract(1.0, output)))
    return negative(add(positive, negative_part))
