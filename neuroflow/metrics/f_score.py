"""F-beta and F1 scores over classes, streaming and weighted, with Keras' averaging options."""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import Metric, to_array
from neuroflow.utils.errors import shape_text

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score: (1 + beta^2) precision recall / (beta^2 precision + recall), per class.

    Predictions are made positive by `threshold` (y_pred > threshold), or, when threshold is None,
    by being the row's largest score (ties all count; an all-zero row predicts nothing). Counts
    are weighted by sample_weight and accumulated over batches; epsilon keeps the divisions finite.

    Args:
        average: None (one score per class), 'micro' (from the pooled counts), 'macro' (the mean of
            the per-class scores) or 'weighted' (their mean weighted by each class's label total).
        beta: weight of recall relative to precision (> 0).
        threshold: float in (0, 1], or None for arg-max predictions.
        name, dtype: as for Metric.

    Raises:
        ValueError: for a bad average, beta or threshold, or inputs that are not 2-D.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(f"{type(self).__name__}: average must be one of None, 'micro', 'macro', 'weighted'; "
                             f"got {average!r}")
        if not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"{type(self).__name__}: beta must be a float > 0, got {beta!r}")
        if threshold is not None and (not isinstance(threshold, (int, float)) or not 0 < threshold <= 1):
            raise ValueError(f"{type(self).__name__}: threshold must be a float in (0, 1] or None, got {threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, num_classes):
        shape = () if self.average == "micro" else (num_classes,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self.num_classes = num_classes
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds one batch: y_true and y_pred of shape (batch, num_classes)."""
        xp = backend.xp
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        if y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__} expects y_true and y_pred of shape (batch_size, num_classes), "
                             f"got y_true {shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}")
        if not self._built:
            self._build(y_pred.shape[-1])
        elif y_pred.shape[-1] != self.num_classes:
            raise ValueError(f"{type(self).__name__} '{self.name}' was built for {self.num_classes} classes, "
                             f"got y_pred {shape_text(y_pred.shape)}")
        if self.threshold is None:
            largest = y_pred.max(axis=-1, keepdims=True)
            # abs > 1e-9 keeps an all-zero row from predicting every class.
            predicted = (y_pred >= largest) & (xp.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(self.dtype)
        weights = None
        if sample_weight is not None:
            weights = to_array(sample_weight, self.dtype).reshape(-1, 1)

        def weighted_sum(values):
            if weights is not None:
                values = values * weights
            return values.sum(axis=self.axis)

        self.true_positives.value[...] += weighted_sum(predicted * y_true)
        self.false_positives.value[...] += weighted_sum(predicted * (1 - y_true))
        self.false_negatives.value[...] += weighted_sum((1 - predicted) * y_true)
        self.intermediate_weights.value[...] += weighted_sum(y_true)

    def result(self):
        """The score(s): a vector for average=None, else a scalar."""
        xp = backend.xp
        if not self._built:
            return Tensor(xp.asarray(0.0, dtype=self.dtype))
        eps = backend.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        beta_squared = self.beta ** 2
        score = (1 + beta_squared) * precision * recall / (beta_squared * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            score = (score * weights / (weights.sum() + eps)).sum()
        elif self.average is not None:
            score = score.mean()
        return Tensor(xp.asarray(score, dtype=self.dtype))

    def get_config(self):
        return {"average": self.average, "beta": self.beta, "threshold": self.threshold,
                "name": self.name, "dtype": self._dtype}


class F1Score(FBetaScore):
    """F1 score: 2 precision recall / (precision + recall); arguments as FBetaScore without beta."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        return {"average": self.average, "threshold": self.threshold, "name": self.name, "dtype": self._dtype}
