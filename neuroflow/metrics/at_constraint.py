"""One rate at the best threshold that keeps another rate above a floor.

SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall and RecallAtPrecision count
tp / fp / tn / fn at `num_thresholds` thresholds spread evenly over [0, 1] (a prediction above a
threshold is positive), then report the largest value of one rate among the thresholds where the
other rate is at least the given floor (0 where none is).
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.confusion import _divide_no_nan, _prepare, confusion_counts
from neuroflow.metrics.metric import Metric


def _check_rate(class_name, argument, value):
    if not 0 <= value <= 1:
        raise ValueError(f"{class_name}: argument `{argument}` must be in the range [0, 1], got {argument}={value!r}")


class _AtConstraint(Metric):
    """The four counts per threshold, and the constrained maximum of two rates built from them."""

    _argument = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate(type(self).__name__, self._argument, value)
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ValueError(f"{type(self).__name__}: argument `num_thresholds` must be an integer > 0, "
                             f"got num_thresholds={num_thresholds!r}")
        super().__init__(name=name, dtype=dtype)
        setattr(self, self._argument, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        count = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(count,), name="true_positives")
        self.false_positives = self.add_variable(shape=(count,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(count,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(count,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels, predictions, weights = _prepare(self.name, y_true, y_pred, sample_weight, class_id=self.class_id)
        counts = confusion_counts(labels, predictions, weights, self.thresholds)
        for variable, count in zip((self.true_positives, self.false_positives, self.true_negatives,
                                    self.false_negatives), counts):
            variable.value[...] += count.astype(self.dtype)

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": _divide_no_nan(tp, tp + fn), "specificity": _divide_no_nan(tn, tn + fp),
                "precision": _divide_no_nan(tp, tp + fp)}

    def _best(self, constrained, dependent):
        xp = backend.xp
        best = xp.where(constrained >= self.value, dependent, 0).max(initial=0)
        return Tensor(xp.asarray(best, dtype=self.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._argument: getattr(self, self._argument)}


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) among thresholds whose specificity is at least `specificity`.

    Args:
        specificity: the floor, in [0, 1].
        num_thresholds: thresholds spread evenly over [0, 1] (default 200).
        class_id: the class (column of the last axis) to measure, or None for all entries.
        name, dtype: the metric's name and state dtype.
    """

    _argument = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["specificity"], rates["sensitivity"])


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity among thresholds whose sensitivity is at least `sensitivity`."""

    _argument = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["sensitivity"], rates["specificity"])


class PrecisionAtRecall(_AtConstraint):
    """The best precision among thresholds whose recall is at least `recall`."""

    _argument = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["sensitivity"], rates["precision"])


class RecallAtPrecision(_AtConstraint):
    """The best recall among thresholds whose precision is at least `precision`."""

    _argument = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["precision"], rates["sensitivity"])
