"""Probabilistic losses: cross-entropies, Kullback-Leibler divergence and Poisson.

The cross-entropies use the fused kernels when `from_logits=True`, and also when `y_pred` came out
of a softmax / sigmoid that remembered its logits (neuroflow.activations), as Keras' TensorFlow
backend does: the value is the same, and it stays finite for saturated probabilities.
"""
import warnings

from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.losses.loss import LossFunctionWrapper, _class_labels, _last_axis, _pair, _same_shape, _to_tensor, _wrapper_class
from neuroflow.utils.errors import shape_text


def _remembered_logits(y_pred, kind):
    """The logits a softmax/sigmoid output remembered, when `kind` matches."""
    remembered = getattr(y_pred, "_softmax_logits", None)
    if remembered is not None and remembered[0] == kind and isinstance(remembered[1], Tensor):
        return remembered[1]
    return None


def _use_remembered_logits(name, y_pred, from_logits, kind):
    """(y_pred, from_logits) with a remembered softmax/sigmoid input swapped in for probabilities."""
    logits = _remembered_logits(y_pred, kind)
    if logits is None:
        return y_pred, from_logits
    if from_logits:
        warnings.warn(f"{name} received from_logits=True, but y_pred was produced by a {kind} activation "
                      f"and thus does not hold logits. Was this intended?", stacklevel=3)
        return y_pred, from_logits
    if tuple(logits.shape) != tuple(y_pred.shape):
        return y_pred, from_logits
    if logits.dtype != y_pred.dtype:
        logits = ops.cast(logits, y_pred.dtype)
    return logits, True


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence: sum(t log(t / p), axis=-1), t and p clipped to [epsilon, 1]."""
    y_true, y_pred = _same_shape("kl_divergence", *_pair(y_true, y_pred))
    eps = backend.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss: mean(y_pred - y_true log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _same_shape("poisson", *_pair(y_true, y_pred))
    log_pred = ops.log(ops.add(y_pred, backend.epsilon()))
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, log_pred)), axis=-1)


def _check_label_smoothing(name, label_smoothing):
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{name} expects label_smoothing in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, mean over `axis`.

    -(t log p + (1 - t) log(1 - p)) with p clipped to [epsilon, 1 - epsilon]; from logits z it is
    max(z, 0) - z t + log(1 + e^-|z|). Label smoothing s moves t to t (1 - s) + s / 2.

    Example: y_true [[0, 1]], y_pred [[0.4, 0.6]] -> [-log 0.6] = [0.5108].
    """
    name = "binary_crossentropy"
    label_smoothing = _check_label_smoothing(name, label_smoothing)
    y_true, y_pred = _same_shape(name, *_pair(y_true, y_pred))
    y_pred, from_logits = _use_remembered_logits(name, y_pred, from_logits, "sigmoid")
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Focal binary cross-entropy (Lin et al., 2017), mean over `axis`.

    focal = (1 - p_t)^gamma * bce, p_t = t p + (1 - t)(1 - p); with `apply_class_balancing` each
    term is also weighted by alpha for positives and 1 - alpha for negatives.
    """
    name = "binary_focal_crossentropy"
    label_smoothing = _check_label_smoothing(name, label_smoothing)
    y_true, y_pred = _same_shape(name, *_pair(y_true, y_pred))
    logits = y_pred if from_logits else _remembered_logits(y_pred, "sigmoid")
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if logits is not None:
        probabilities = ops.sigmoid(logits)
        cross_entropy = ops.sigmoid_cross_entropy(y_true, logits)
    else:
        probabilities = y_pred
        cross_entropy = ops.binary_crossentropy(y_true, y_pred)
    p_t = ops.add(ops.multiply(y_true, probabilities),
                  ops.multiply(ops.subtract(1.0, y_true), ops.subtract(1.0, probabilities)))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), float(gamma)), cross_entropy)
    if apply_class_balancing:
        weight = ops.add(ops.multiply(y_true, float(alpha)), ops.multiply(ops.subtract(1.0, y_true), 1.0 - alpha))
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


_CATEGORICAL_HINT = (" For integer class labels use sparse_categorical_crossentropy, or one-hot encode "
                     "them with neuroflow.utils.to_categorical.")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with one-hot (or soft) labels: -sum(t log p, axis).

    Probabilities are normalized to sum to 1 along `axis` and clipped to [epsilon, 1 - epsilon];
    from logits z the loss is -sum(t log_softmax(z)). Label smoothing s moves t to
    t (1 - s) + s / num_classes.

    Example: y_true [[0, 1, 0]], y_pred [[0.05, 0.95, 0]] -> [-log 0.95] = [0.0513].

    Raises:
        ValueError: when y_true's shape differs from y_pred's (integer labels need the sparse loss).
    """
    name = "categorical_crossentropy"
    if isinstance(axis, bool):
        raise ValueError(f"{name}: axis must be an integer, got {axis!r}")
    label_smoothing = _check_label_smoothing(name, label_smoothing)
    y_true, y_pred = _pair(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name} expects one-hot y_true of the same shape as y_pred, but got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}.{_CATEGORICAL_HINT}")
    if _last_axis(axis, len(y_pred.shape)):
        y_pred, from_logits = _use_remembered_logits(name, y_pred, from_logits, "softmax")
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Focal categorical cross-entropy: sum(alpha (1 - p)^gamma (-t log p), axis).

    p is the softmax of logits, or the probabilities normalized and clipped to [eps, 1 - eps].
    """
    name = "categorical_focal_crossentropy"
    label_smoothing = _check_label_smoothing(name, label_smoothing)
    y_true, y_pred = _pair(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name} expects one-hot y_true of the same shape as y_pred, but got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}.{_CATEGORICAL_HINT}")
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    y_pred = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    eps = backend.epsilon()
    y_pred = ops.clip(y_pred, eps, 1.0 - eps)
    cross_entropy = ops.negative(ops.multiply(y_true, ops.log(y_pred)))
    weight = ops.multiply(float(alpha), ops.power(ops.subtract(1.0, y_pred), float(gamma)))
    return ops.sum(ops.multiply(weight, cross_entropy), axis=axis)


def _sparse_labels(name, y_true, y_pred, axis, ignore_class):
    """Checks integer labels' shape against y_pred: y_pred.shape without `axis`."""
    ndim = len(y_pred.shape)
    if ndim == 0:
        raise ValueError(f"{name} expects y_pred with a class axis, got a scalar")
    axis = axis % ndim
    if len(y_true.shape) == ndim and y_true.shape[-1] == 1 and axis == ndim - 1:
        y_true = ops.squeeze(y_true, -1)
    expected = tuple(y_pred.shape[:axis] + y_pred.shape[axis + 1:])
    if tuple(y_true.shape) != expected:
        hint = ""
        if tuple(y_true.shape) == tuple(y_pred.shape):
            hint = " y_true looks one-hot encoded: use categorical_crossentropy for one-hot labels."
        raise ValueError(f"{name} expects integer labels of shape {shape_text(expected)} (or with a "
                         f"trailing axis of size 1) for y_pred {shape_text(y_pred.shape)}, but got y_true "
                         f"{shape_text(y_true.shape)}.{hint}")
    # The values are checked by the op itself (ops/loss_kernels.check_label_range), on every batch.
    return y_true, axis


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer labels: -log p[label].

    From logits this is -log_softmax(z)[label] (one fused kernel); probabilities are clipped to
    [epsilon, 1 - epsilon] first. Labels equal to `ignore_class` get a loss of 0 (and the `Loss`
    class leaves them out of the mean).

    Example: y_true [1], y_pred [[0.05, 0.95, 0]] -> [0.0513].

    Raises:
        ValueError: for labels outside [0, num_classes) or a y_true shape that does not fit y_pred.
    """
    return _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis, mean=False)


def _sparse_batch_mean(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """The mean of sparse_categorical_crossentropy over every sample, as one kernel; None where the
    kernel cannot take the mean (ignored labels, probabilities without logits, an empty batch)."""
    return _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis, mean=True)


def _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis, mean):
    name = "sparse_categorical_crossentropy"
    y_pred = _to_tensor(y_pred)
    y_true = _class_labels(y_true, backend.floatx())
    y_true, axis = _sparse_labels(name, y_true, y_pred, axis, ignore_class)
    probabilities = y_pred
    if axis == len(y_pred.shape) - 1:
        y_pred, from_logits = _use_remembered_logits(name, y_pred, from_logits, "softmax")
    if mean and (ignore_class is not None or not from_logits or not y_true.value.size):
        return None
    if ignore_class is None:
        if y_pred is not probabilities and probabilities.dtype == y_pred.dtype:
            # The softmax output's own logits: the kernel reads its probabilities too (no second softmax).
            return ops.sparse_softmax_cross_entropy(y_true, y_pred, axis=axis, probabilities=probabilities, mean=mean)
        if mean:
            return ops.sparse_softmax_cross_entropy(y_true, y_pred, axis=axis, mean=True)
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    valid = y_true.value != ignore_class
    # Ignored positions get label 0 so the kernel can index; their loss is zeroed below.
    labels = Tensor(backend.xp.where(valid, y_true.value, 0))
    result = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits, axis=axis)
    return ops.multiply(result, Tensor(valid.astype(result.value.dtype)))


sparse_categorical_crossentropy.class_labels = True  # integer y_true stays integer (losses/loss._class_labels)
sparse_categorical_crossentropy.batch_mean = _sparse_batch_mean  # the unweighted mean in one op (losses/loss.py)

KLDivergence = _wrapper_class("KLDivergence", kl_divergence, "kl_divergence",
                              "Kullback-Leibler divergence sum(t log(t / p)).")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "mean(y_pred - y_true log(y_pred + epsilon)).")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "Binary cross-entropy; arguments from_logits=False, label_smoothing=0.0, axis=-1.",
    from_logits=False, label_smoothing=0.0, axis=-1)
BinaryFocalCrossentropy = _wrapper_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    "Focal binary cross-entropy; arguments apply_class_balancing, alpha, gamma, from_logits, "
    "label_smoothing, axis.",
    apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Categorical cross-entropy for one-hot labels; arguments from_logits=False, label_smoothing=0.0, axis=-1.",
    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _wrapper_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy, "categorical_focal_crossentropy",
    "Focal categorical cross-entropy; arguments alpha, gamma, from_logits, label_smoothing, axis.",
    alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for integer labels.

    Args:
        from_logits: whether y_pred holds logits (default False: probabilities).
        ignore_class: a label value whose entries are left out of the loss and of its mean
            (segmentation 'void' pixels, padding), or None.
        reduction, name, dtype: as for `Loss`.
        axis: the class axis of y_pred (default -1).
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        # axis: the class axis of y_pred (Keras 3.15's argument); the default keeps the config as it was.
        options = {} if axis == -1 else {"axis": axis}
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, **options)

    def call(self, y_true, y_pred):
        # Integer labels never need squeezing against y_pred; the function handles (batch, 1).
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _batch_mean(self, y_true, y_pred):
        if type(self).call is not SparseCategoricalCrossentropy.call:
            return None  # a subclass' own call decides the per-sample losses
        return _sparse_batch_mean(y_true, y_pred, **self._fn_kwargs)

    def _mask(self, y_true, values):
        ignore_class = self._fn_kwargs.get("ignore_class")
        if ignore_class is None:
            return None
        labels = y_true.value
        if labels.ndim == values.ndim + 1 and labels.shape[-1] == 1:
            labels = labels[..., 0]
        return labels != ignore_class
