"""Losses under Keras 3's names: functions returning per-sample values, and `Loss` classes that reduce.

    from neuroflow import losses
    losses.mean_squared_error(y_true, y_pred)          # shape (batch,): mean over the last axis
    losses.CategoricalCrossentropy()(y_true, y_pred)   # a scalar Tensor, the batch mean
    losses.get("sparse_categorical_crossentropy")      # names, classes, instances, dicts, callables

Every loss is built from `neuroflow.ops`, so it is differentiable with respect to `y_pred`. The
cross-entropies use the fused kernels when `from_logits=True`, and also when `y_pred` came out of a
softmax / sigmoid that remembered its logits (neuroflow.activations), as Keras' TensorFlow backend
does: the value is the same, and it stays finite for saturated probabilities.

Shapes are checked before any arithmetic: pairs that would broadcast silently (labels (32,) against
predictions (32, 10)) raise a ValueError naming the loss, the shapes and the likely fix. Ranks that
differ by a trailing axis of size 1 are reconciled as Keras' `squeeze_or_expand_to_same_rank` does.
"""
import warnings

from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import registry
from neuroflow.utils.errors import shape_text, unknown_name_error

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---- helpers ---------------------------------------------------------------------------------

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


def _last_axis(axis, ndim):
    return axis == -1 or axis == ndim - 1


# ---- regression losses -----------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """Mean squared error over the last axis: mean((y_true - y_pred)^2, axis=-1).

    Example: y_true [[0, 1]], y_pred [[1, 1]] -> [0.5].
    """
    y_true, y_pred = _same_shape("mean_squared_error", *_pair(y_true, y_pred))
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error over the last axis: mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _same_shape("mean_absolute_error", *_pair(y_true, y_pred))
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)."""
    y_true, y_pred = _same_shape("mean_absolute_percentage_error", *_pair(y_true, y_pred))
    scale = ops.maximum(ops.abs(y_true), backend.epsilon())
    return ops.multiply(100.0, ops.mean(ops.abs(ops.divide(ops.subtract(y_true, y_pred), scale)), axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)."""
    y_true, y_pred = _same_shape("mean_squared_logarithmic_error", *_pair(y_true, y_pred))
    eps = backend.epsilon()
    first = ops.log(ops.add(ops.maximum(y_pred, eps), 1.0))
    second = ops.log(ops.add(ops.maximum(y_true, eps), 1.0))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss, mean over the last axis.

    With e = y_pred - y_true: 0.5 e^2 where |e| <= delta, delta (|e| - 0.5 delta) elsewhere.
    """
    y_true, y_pred = _same_shape("huber", *_pair(y_true, y_pred))
    delta = float(delta)
    error = ops.subtract(y_pred, y_true)
    absolute = ops.abs(error)
    quadratic = ops.multiply(0.5, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, absolute), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(absolute, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log 2 (no overflow)."""
    y_true, y_pred = _same_shape("log_cosh", *_pair(y_true, y_pred))
    error = ops.subtract(y_pred, y_true)
    value = ops.subtract(ops.add(error, ops.softplus(ops.multiply(-2.0, error))), 0.6931471805599453)
    return ops.mean(value, axis=-1)


def _l2_normalize(x, axis):
    # Keras' l2_normalize: x / sqrt(max(sum x^2, epsilon)), finite for an all-zero vector.
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(squares, backend.epsilon())))


def cosine_similarity(y_true, y_pred, axis=-1):
    """The negative cosine similarity along `axis` (Keras 3's loss: -1 means identical directions).

    loss = -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)
    """
    y_true, y_pred = _same_shape("cosine_similarity", *_pair(y_true, y_pred))
    return ops.negative(ops.sum(ops.multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)), axis=axis))


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


# ---- hinge losses ----------------------------------------------------------------------------

def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}, as Keras does; other labels are kept."""
    values = y_true.value
    xp = backend.xp
    if bool(xp.all((values == 0) | (values == 1))):
        return ops.subtract(ops.multiply(2.0, y_true), 1.0)
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1); y_true in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _same_shape("hinge", *_pair(y_true, y_pred))
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.maximum(margin, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1); y_true in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _same_shape("squared_hinge", *_pair(y_true, y_pred))
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.square(ops.maximum(margin, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - t) p) - sum(t p) + 1, 0) over the last axis, with one-hot t."""
    y_true, y_pred = _same_shape("categorical_hinge", *_pair(y_true, y_pred))
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(negative, positive), 1.0), 0.0)


# ---- cross-entropies -------------------------------------------------------------------------

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
    name = "sparse_categorical_crossentropy"
    y_pred = _to_tensor(y_pred)
    y_true = _to_tensor(y_true)
    y_true, axis = _sparse_labels(name, y_true, y_pred, axis, ignore_class)
    if axis == len(y_pred.shape) - 1:
        y_pred, from_logits = _use_remembered_logits(name, y_pred, from_logits, "softmax")
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    valid = y_true.value != ignore_class
    # Ignored positions get label 0 so the kernel can index; their loss is zeroed below.
    labels = Tensor(backend.xp.where(valid, y_true.value, 0))
    result = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits, axis=axis)
    return ops.multiply(result, Tensor(valid.astype(result.value.dtype)))


# ---- Loss classes ----------------------------------------------------------------------------

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


class Loss:
    """Base class of losses: `call` gives per-sample values, `__call__` weights and reduces them.

    Subclass and implement `call(y_true, y_pred)`:

        class MyLoss(neuroflow.losses.Loss):
            def call(self, y_true, y_pred):
                return ops.mean(ops.square(y_pred - y_true), axis=-1)

    Args:
        name: the loss' name (defaults to the snake_case class name).
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight',
            'none' or None.
        dtype: the dtype the inputs are cast to (default: backend.floatx()).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("losses", cls)

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = _standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self):
        return self._dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss (a scalar Tensor unless reduction is 'none')."""
        y_pred = _to_tensor(y_pred, self.dtype)
        y_true = _to_tensor(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        values = _to_tensor(values, self.dtype)
        return reduce_weighted_values(values, sample_weight, mask=self._mask(y_true, values),
                                      reduction=self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _mask(self, y_true, values):
        """A boolean array of valid loss entries, or None (see SparseCategoricalCrossentropy)."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def _snake_case(name):
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper() or
                                         (index + 1 < len(name) and name[index + 1].islower())):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


class LossFunctionWrapper(Loss):
    """A `Loss` around a function fn(y_true, y_pred, **kwargs) that returns per-sample values.

    Args:
        fn: the loss function.
        reduction, name, dtype: as for `Loss` (name defaults to fn's name).
        **kwargs: passed to fn on every call.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = {"name": self.name, "reduction": self.reduction, "dtype": self._dtype}
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper:
            fn = config.pop("fn")
            return cls(get(fn) if isinstance(fn, str) else fn, **config)
        return cls(**config)


def _wrapper_class(class_name, function, default_name, doc, **defaults):
    """A LossFunctionWrapper subclass whose constructor arguments are Keras' for that loss."""
    parameters = list(defaults)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None, **kwargs):
        if len(args) > len(parameters):
            raise TypeError(f"{class_name} takes at most {len(parameters)} positional arguments")
        options = dict(defaults)
        options.update(zip(parameters, args))
        for key, value in kwargs.items():
            if key not in options:
                raise TypeError(f"{class_name} got an unexpected argument {key!r}; "
                                f"accepted: {', '.join(parameters + ['reduction', 'name', 'dtype'])}")
            options[key] = value
        LossFunctionWrapper.__init__(self, function, reduction=reduction, name=name, dtype=dtype, **options)

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                     "__module__": __name__})
    return cls


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error",
    "Mean of squares of errors: mean((y_true - y_pred)^2), per sample over the last axis.")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
    "Mean of absolute errors: mean(|y_true - y_pred|), per sample over the last axis.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)).")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    "mean((log(y_pred + 1) - log(y_true + 1))^2).")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    "Negative cosine similarity along `axis` (default -1).", axis=-1)
Huber = _wrapper_class(
    "Huber", huber, "huber_loss",
    "Huber loss with threshold `delta` (default 1.0): quadratic inside, linear outside.", delta=1.0)
LogCosh = _wrapper_class(
    "LogCosh", log_cosh, "log_cosh", "mean(log(cosh(y_pred - y_true))).")
Hinge = _wrapper_class("Hinge", hinge, "hinge", "mean(max(1 - y_true * y_pred, 0)).")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge",
                              "mean(max(1 - y_true * y_pred, 0)^2).")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "max(max((1 - t) p) - sum(t p) + 1, 0).")
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
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class)

    def call(self, y_true, y_pred):
        # Integer labels never need squeezing against y_pred; the function handles (batch, 1).
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _mask(self, y_true, values):
        ignore_class = self._fn_kwargs.get("ignore_class")
        if ignore_class is None:
            return None
        labels = y_true.value
        if labels.ndim == values.ndim + 1 and labels.shape[-1] == 1:
            labels = labels[..., 0]
        return labels != ignore_class


# ---- identifiers -----------------------------------------------------------------------------

_CLASSES = [MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
            BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy, Loss, LossFunctionWrapper]
_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
              categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
              categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy]

# Keras 3's short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy

# The Loss classes registered themselves (Loss.__init_subclass__); add the base, the functions and
# Keras' short names.
registry.register_builtins("losses", {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS})
registry.register_builtins("losses", {
    "mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
    "kld": kld, "KLD": kld, "bce": bce, "BCE": bce, "logcosh": log_cosh,
    "kullback_leibler_divergence": kl_divergence,
})
ALL_OBJECTS = registry.builtins("losses")


def serialize(loss):
    """The config of a loss: a name for a built-in function, {'class_name', 'config'} for a Loss."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    if callable(loss) and hasattr(loss, "__name__"):
        return loss.__name__
    raise ValueError(f"Cannot serialize loss {loss!r}: expected a Loss or a function")


def deserialize(config, custom_objects=None):
    """The loss (function or Loss instance) for a name or config dict (inverse of `serialize`)."""
    objects = dict(ALL_OBJECTS)
    objects.update(custom_objects or {})
    if isinstance(config, str):
        if config not in objects:
            raise unknown_name_error("loss identifier", config, ALL_OBJECTS)
        return objects[config]
    if isinstance(config, dict):
        class_name = config.get("class_name")
        inner = config.get("config")
        if class_name not in objects:
            if isinstance(inner, str):
                return deserialize(inner, custom_objects)
            raise unknown_name_error("loss identifier", class_name, ALL_OBJECTS)
        target = objects[class_name]
        if isinstance(target, type):
            return target.from_config(inner or {})
        return target
    raise ValueError(f"Could not interpret loss config {config!r}: expected a name or a dict")


def get(identifier):
    """A loss from an identifier, as `keras.losses.get` does.

    Args:
        identifier: None, a name ('mse', 'categorical_crossentropy', 'Huber'), a config dict,
            a Loss class (instantiated with defaults), a Loss instance or any callable.

    Returns:
        A function or a Loss instance (None for None).

    Raises:
        ValueError: for unknown names (naming the closest) or identifiers that are not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier {identifier!r}: expected a name, a Loss or a callable")
