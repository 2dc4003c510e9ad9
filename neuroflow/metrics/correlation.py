"""Correlation metrics: Pearson's and Lin's concordance correlation along an axis, averaged over batches."""
from neuroflow import backend, ops
from neuroflow.losses.loss import _pair, squeeze_or_expand_to_same_rank
from neuroflow.metrics.metric import MeanMetricWrapper


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient along `axis`: mean(z(y_true) * z(y_pred)), z the standardized values.

    Example: y_true [[0, 1, 2]], y_pred [[0, 2, 4]] -> [1.0].
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    true_centered = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    pred_centered = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    true_standard = ops.divide(true_centered, ops.std(true_centered, axis=axis, keepdims=True))
    pred_standard = ops.divide(pred_centered, ops.std(pred_centered, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(true_standard, pred_standard), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`, as Keras 3.15 computes it.

    mean(2 (y_true - mean(y_pred)) (y_pred - mean(y_pred)), axis) /
        (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred))^2 + epsilon)

    Keras centres y_true on the mean of y_pred in the covariance term; neuroflow keeps that, so values
    match Keras'.
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(ops.subtract(y_true, true_mean), axis=axis, keepdims=True)
    pred_var = ops.var(ops.subtract(y_pred, pred_mean), axis=axis, keepdims=True)
    covariance = ops.multiply(ops.subtract(y_true, pred_mean), ops.subtract(y_pred, pred_mean))
    norm = ops.add(ops.add(true_var, pred_var), ops.square(ops.subtract(true_mean, pred_mean)))
    return ops.mean(ops.divide(ops.multiply(2.0, covariance), ops.add(norm, backend.epsilon())), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over samples of Pearson's correlation along `axis` (default -1)."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over samples of the concordance correlation along `axis` (default -1)."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
