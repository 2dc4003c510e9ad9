"""Confusion-matrix metrics: true/false positive/negative counts, Precision, Recall, AUC.

All of them count, for each threshold t, the (weighted) predictions with y_pred > t against the
labels (any nonzero label is positive), as Keras does. The counts for all thresholds come from one
sort: a prediction above the first k sorted thresholds adds to those k counts, so a histogram over
k followed by a reversed cumulative sum gives every threshold's count at once.
"""
import functools

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import Metric, squeeze_or_expand, to_array
from neuroflow.utils.errors import shape_text


def _divide_no_nan(numerator, denominator):
    xp = backend.xp
    safe = xp.where(denominator == 0, 1, denominator)
    return xp.where(denominator == 0, 0, numerator / safe)


@functools.lru_cache(maxsize=64)
def _threshold_array(backend_name, values):
    """A metric's thresholds as a float64 array of the backend `backend_name`, made once (on a device: copied once,
    not at every update). Never written to: confusion_counts only reads it."""
    return backend.xp.asarray(values, dtype="float64")


def _thresholds_list(thresholds, default):
    """(list of floats, whether the user gave a single number)."""
    if thresholds is None:
        return [float(default)], True
    if isinstance(thresholds, (int, float)):
        return [float(thresholds)], True
    values = [float(t) for t in thresholds]
    if not values:
        raise ValueError("thresholds must hold at least one value")
    return values, False


def _prepare(name, y_true, y_pred, sample_weight, check_range=True, top_k=None, class_id=None):
    """Flattened-last-axis arrays (labels as 0/1 floats, predictions, weights) of equal shape."""
    xp = backend.xp
    y_pred = to_array(y_pred, "float64")
    y_true = to_array(y_true, "float64")
    y_true, y_pred = squeeze_or_expand(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name} expects y_true and y_pred of the same shape, got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}")
    if check_range and y_pred.size:
        def out_of_range(y_pred=y_pred):
            raise ValueError(f"{name} expects predictions in [0, 1] (probabilities), got values in "
                             f"[{float(y_pred.min()):.4g}, {float(y_pred.max()):.4g}]; apply a sigmoid to logits "
                             "(or, for AUC, pass from_logits=True)")
        # Inside a step on a device, checked with the step's one copy to the host (backend.check_later).
        backend.check_later(xp.logical_or(y_pred.min() < 0, y_pred.max() > 1), out_of_range)
    if top_k is not None:
        # Keep each row's k largest scores; the rest can never exceed a threshold.
        # Ties go to the lower index, as top-k selection does in Keras.
        if top_k < y_pred.shape[-1]:
            order = xp.argsort(-y_pred, axis=-1, kind="stable")
            keep = xp.zeros(y_pred.shape, dtype=bool)
            xp.put_along_axis(keep, order[..., :top_k], True, axis=-1)
            y_pred = xp.where(keep, y_pred, -xp.inf)
    if class_id is not None:
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if sample_weight is None:
        weights = xp.ones_like(y_pred)
    else:
        weights = to_array(sample_weight, "float64")
        _, weights = squeeze_or_expand(y_pred, weights)
        while weights.ndim < y_pred.ndim:
            weights = weights[..., None]
        try:
            weights = xp.broadcast_to(weights, y_pred.shape)
        except ValueError:
            raise ValueError(f"{name}: sample_weight of shape {shape_text(to_array(sample_weight).shape)} does not "
                             f"fit y_pred of shape {shape_text(y_pred.shape)}") from None
    return (y_true != 0).astype("float64"), y_pred, weights


def confusion_counts(labels, predictions, weights, thresholds):
    """Weighted tp, fp, tn, fn for each threshold (prediction > threshold counts as positive).

    Args:
        labels, predictions, weights: arrays of one shape (labels 0/1).
        thresholds: 1-D array, any order.

    Returns:
        Four float64 arrays of shape (len(thresholds),).
    """
    xp = backend.xp
    if isinstance(thresholds, (list, tuple)):
        thresholds = _threshold_array(backend.backend(), tuple(thresholds))
    else:
        thresholds = xp.asarray(thresholds, dtype="float64")
    order = xp.argsort(thresholds)
    sorted_thresholds = thresholds[order]
    labels, predictions, weights = labels.reshape(-1), predictions.reshape(-1), weights.reshape(-1)
    # k = how many sorted thresholds lie strictly below each prediction.
    above = xp.searchsorted(sorted_thresholds, predictions, side="left")
    count = len(thresholds) + 1

    def counts_above(w):
        histogram = xp.bincount(above, weights=w, minlength=count)
        # suffix[j] = sum of histogram[j:]; the threshold at sorted position j counts histogram[j + 1:].
        suffix = xp.cumsum(histogram[::-1])[::-1]
        result = xp.empty(len(thresholds), dtype="float64")
        result[order] = suffix[1:]
        return result

    positive_weights = weights * labels
    negative_weights = weights * (1 - labels)
    true_positives = counts_above(positive_weights)
    false_positives = counts_above(negative_weights)
    false_negatives = positive_weights.sum() - true_positives
    true_negatives = negative_weights.sum() - false_positives
    return true_positives, false_positives, true_negatives, false_negatives


class _ConfusionCount(Metric):
    """One confusion-matrix count per threshold (default 0.5)."""

    _which = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.thresholds = thresholds
        self._threshold_values, self._single = _thresholds_list(thresholds, 0.5)
        self.accumulator = self.add_variable(shape=(len(self._threshold_values),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels, predictions, weights = _prepare(self.name, y_true, y_pred, sample_weight)
        counts = dict(zip(("tp", "fp", "tn", "fn"),
                          confusion_counts(labels, predictions, weights, self._threshold_values)))
        self.accumulator.value[...] += counts[self._which].astype(self.dtype)

    def result(self):
        value = self.accumulator.value
        return Tensor(value[0].copy() if self._single else value.copy())

    def get_config(self):
        return {"thresholds": self.thresholds, "name": self.name, "dtype": self._dtype}


class TruePositives(_ConfusionCount):
    """Weighted count of positives predicted above the threshold(s)."""
    _which = "tp"


class FalsePositives(_ConfusionCount):
    """Weighted count of negatives predicted above the threshold(s)."""
    _which = "fp"


class TrueNegatives(_ConfusionCount):
    """Weighted count of negatives predicted at or below the threshold(s)."""
    _which = "tn"


class FalseNegatives(_ConfusionCount):
    """Weighted count of positives predicted at or below the threshold(s)."""
    _which = "fn"


class _PrecisionRecall(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k every kept score counts as predicted positive, whatever its value.
        default = 0.5 if top_k is None else -float("inf")
        self.thresholds, self._single = _thresholds_list(thresholds, default)
        size = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape=size, name="true_positives")
        self._other = self.add_variable(shape=size, name=self._other_name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds one batch: y_true 0/1 labels, y_pred probabilities in [0, 1] of the same shape."""
        labels, predictions, weights = _prepare(self.name, y_true, y_pred, sample_weight,
                                                top_k=self.top_k, class_id=self.class_id)
        tp, fp, tn, fn = confusion_counts(labels, predictions, weights, self.thresholds)
        self.true_positives.value[...] += tp.astype(self.dtype)
        self._other.value[...] += (fp if self._other_name == "false_positives" else fn).astype(self.dtype)

    def result(self):
        value = _divide_no_nan(self.true_positives.value, self.true_positives.value + self._other.value)
        return Tensor(value[0].copy() if self._single else value.astype(self.dtype))

    def get_config(self):
        return {"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id,
                "name": self.name, "dtype": self._dtype}


class Precision(_PrecisionRecall):
    """Precision = tp / (tp + fp), streaming and weighted (0 when nothing was predicted positive).

    Args:
        thresholds: a float or list of floats in [0, 1]; y_pred > threshold is a positive
            prediction (default 0.5; a list gives one precision per threshold).
        top_k: only each row's k highest scores count as positive.
        class_id: compute for this class (column of the last axis) only.
        name, dtype: as for Metric.
    """
    _other_name = "false_positives"

    @property
    def false_positives(self):
        return self._other


class Recall(_PrecisionRecall):
    """Recall = tp / (tp + fn), streaming and weighted (0 when there were no positives).

    Arguments as for `Precision`.
    """
    _other_name = "false_negatives"

    @property
    def false_negatives(self):
        return self._other


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds (Keras' method).

    Thresholds default to num_thresholds values: -epsilon, i / (num_thresholds - 1) for
    i = 1 .. num_thresholds - 2, and 1 + epsilon. The curve's points are summed as a Riemann sum:
    'interpolation' uses the trapezoid rule for ROC and, for PR, the interpolation of Davis &
    Goadrich (2006), in which precision varies as tp / (tp + fp) with tp linear in tp + fp between
    thresholds; 'minoring' / 'majoring' take the lower / upper height of each step.

    Args:
        num_thresholds: number of thresholds (> 1), default 200.
        curve: 'ROC' (default) or 'PR'.
        summation_method: 'interpolation' (default), 'minoring' or 'majoring'.
        name, dtype: as for Metric.
        thresholds: explicit thresholds in [0, 1] (then num_thresholds = len(thresholds) + 2).
        multi_label: treat each column of the last axis as its own label, averaging their AUCs.
        num_labels: number of labels for multi_label (found from the data when None).
        label_weights: per-label weights (the average's weights with multi_label, else per-label
            sample weights).
        from_logits: apply a sigmoid to y_pred first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or 'majoring', "
                             f"got {summation_method!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            if int(num_thresholds) <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}")
            num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.num_thresholds = num_thresholds
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else [float(w) for w in label_weights]
        self.from_logits = bool(from_logits)
        self._built = False
        if not self.multi_label or num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels):
        shape = (self.num_thresholds, num_labels) if self.multi_label else (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.num_labels = num_labels
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds one batch of 0/1 labels and probabilities (or logits with from_logits)."""
        xp = backend.xp
        if self.from_logits:
            y_pred = 0.5 * (1.0 + xp.tanh(0.5 * to_array(y_pred, "float64")))
        labels, predictions, weights = _prepare(self.name, y_true, y_pred, sample_weight)
        if self.label_weights is not None and not self.multi_label:
            weights = weights * xp.asarray(self.label_weights, dtype="float64")
        if not self.multi_label:
            counts = confusion_counts(labels, predictions, weights, self.thresholds)
        else:
            num_labels = labels.shape[-1]
            if not self._built:
                self._build(num_labels)
            elif num_labels != self.num_labels:
                raise ValueError(f"AUC '{self.name}' (multi_label) was built for {self.num_labels} labels, "
                                 f"got y_pred with {num_labels}")
            per_label = [confusion_counts(labels[..., j], predictions[..., j], weights[..., j], self.thresholds)
                         for j in range(num_labels)]
            counts = [xp.stack([c[i] for c in per_label], axis=-1) for i in range(4)]
        for variable, count in zip((self.true_positives, self.false_positives, self.true_negatives,
                                    self.false_negatives), counts):
            variable.value[...] += count.astype(self.dtype)

    def _interpolated_pr_auc(self, tp, fp, fn):
        """Davis & Goadrich: exact area when precision = tp / p with tp linear in p per step."""
        xp = backend.xp
        predicted = tp + fp
        d_true_positives = tp[:-1] - tp[1:]
        d_predicted = predicted[:-1] - predicted[1:]
        slope = _divide_no_nan(d_true_positives, xp.maximum(d_predicted, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = xp.where(both_positive, _divide_no_nan(predicted[:-1], xp.maximum(predicted[1:], 0)), 1.0)
        ratio = xp.where(ratio > 0, ratio, 1.0)
        # integral of precision d(recall) over one step = slope (dtp + intercept log(p_i / p_i+1)) / positives
        return _divide_no_nan(slope * (d_true_positives + intercept * xp.log(ratio)),
                              xp.maximum(tp[1:] + fn[1:], 0))

    def result(self):
        xp = backend.xp
        if not self._built:
            return Tensor(xp.asarray(0.0, dtype=self.dtype))
        tp, fp, tn, fn = (v.value.astype("float64") for v in (self.true_positives, self.false_positives,
                                                                self.true_negatives, self.false_negatives))
        if self.curve == "PR" and self.summation_method == "interpolation":
            pieces = self._interpolated_pr_auc(tp, fp, fn)
        else:
            recall = _divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = _divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, _divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = xp.minimum(y[:-1], y[1:])
            else:
                heights = xp.maximum(y[:-1], y[1:])
            pieces = (x[:-1] - x[1:]) * heights
        if not self.multi_label:
            value = pieces.sum()
        else:
            per_label = pieces.sum(axis=0)
            if self.label_weights is None:
                value = per_label.mean()
            else:
                weights = xp.asarray(self.label_weights, dtype="float64")
                value = _divide_no_nan((per_label * weights).sum(), weights.sum())
        return Tensor(xp.asarray(value, dtype=self.dtype))

    def reset_state(self):
        super().reset_state()

    def get_config(self):
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "name": self.name, "dtype": self._dtype,
                "thresholds": self.thresholds[1:-1], "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": self.label_weights,
                "from_logits": self.from_logits}
