"""Fused loss kernels: cross-entropies computed from logits in one numerically stable step.

softmax + cross-entropy has the gradient softmax(z) - t; sigmoid + binary cross-entropy has
sigmoid(z) - t. Fusing them skips the softmax Jacobian and the log of a clipped probability.
Each fused op sits beside its public function and the keras.ops loss built on it
(`neuroflow.ops.categorical_crossentropy` ...), which composes primitives when given probabilities.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.activation import _log_softmax_forward, _sigmoid
from neuroflow.ops.elementwise import add, clip, divide, log, multiply, negative, subtract
from neuroflow.ops.reduction import sum as reduce_sum  # so `sum` stays the builtin here


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
        if not (xp.minimum.reduce(labels, axis=None) >= 0 and xp.maximum.reduce(labels, axis=None) < num_classes):
            raise_error()
    else:  # on a device: checked at the step's next copy to the host, not by waiting for the GPU here
        backend.check_later((labels.min() < 0) | (labels.max() >= num_classes), raise_error)


@sparse_softmax_cross_entropy_op.forward
def _(labels, logits, axis=-1):
    """Per-sample -log_softmax(z)[label], with integer labels in [0, classes)."""
    xp = backend.xp
    check_label_range(labels, logits.shape[axis])
    log_probs = _log_softmax_forward(logits, axis=axis)
    labels = labels.astype(xp.int64, copy=False)
    if log_probs.ndim == 2 and axis in (-1, 1):
        # The common (batch, classes) case: plain fancy indexing costs a third of
        # take_along_axis's Python-level index building, which dominates at small batches.
        return -log_probs[xp.arange(len(labels)), labels], (labels, log_probs, axis)
    picked = xp.take_along_axis(log_probs, xp.expand_dims(labels, axis), axis=axis)
    return -xp.squeeze(picked, axis=axis), (labels, log_probs, axis)


@sparse_softmax_cross_entropy_op.vjp
def _(residuals, g, needs):
    labels, log_probs, axis = residuals
    xp = backend.xp
    grad = xp.exp(log_probs)
    if grad.ndim == 2 and axis in (-1, 1):  # (batch, classes): see the forward
        grad[xp.arange(len(labels)), labels] -= 1
        grad *= g[:, None]
        return None, grad
    index = xp.expand_dims(labels, axis)
    xp.put_along_axis(grad, index, xp.take_along_axis(grad, index, axis=axis) - 1, axis=axis)
    grad *= xp.expand_dims(g, axis)
    return None, grad


def sparse_softmax_cross_entropy(labels, logits, axis=-1):
    """Per-sample categorical cross-entropy from logits and integer labels."""
    return apply(sparse_softmax_cross_entropy_op, (labels, logits), {"axis": axis})


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
