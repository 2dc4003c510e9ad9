"""R2Score: the coefficient of determination, streamed through per-output sums."""
import warnings

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import Metric, squeeze_or_expand, to_array

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """R^2 = 1 - SS_res / SS_tot per output column, then aggregated.

    Streams weighted sums of y, y^2, (y - y_pred)^2 and the weights per output, so the result over
    several batches equals the result over their concatenation. A column of constant targets
    (SS_tot = 0) scores 0, as in Keras.

    Args:
        class_aggregation: 'uniform_average' (default: the mean of the columns' scores),
            'variance_weighted_average' (weighted by each column's SS_tot) or None (one score per column).
        num_regressors: p > 0 gives the adjusted R^2, 1 - (1 - R^2) (n - 1) / (n - p - 1), n counting
            every target entry seen.
        name, dtype: the metric's name and state dtype.

    Example: y_true [[1], [4], [3]], y_pred [[2], [4], [4]] -> 1 - 2 / 4.667 = 0.5714.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`: expected one of {_AGGREGATIONS}, "
                             f"got class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`: expected a value >= 0, "
                             f"got num_regressors={num_regressors!r}")
        super().__init__(name=name, dtype=dtype)
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(true_shape) != 2 or len(pred_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs of shape (batch_size, output_dim), got y_true of shape "
                             f"{tuple(true_shape)} and y_pred of shape {tuple(pred_shape)}")
        outputs = pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(outputs,), name="squared_sum")
        self.sum = self.add_variable(shape=(outputs,), name="sum")
        self.total_mse = self.add_variable(shape=(outputs,), name="residual")
        self.count = self.add_variable(shape=(outputs,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp = backend.xp
        y_true, y_pred = squeeze_or_expand(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        # ones(()) is made on the device; asarray(1.0) would copy a scalar over at every update.
        weights = xp.ones((), dtype=self.dtype) if sample_weight is None else xp.asarray(to_array(sample_weight),
                                                                                             dtype=self.dtype)
        if weights.ndim == 1:
            weights = weights[:, None]
        weights = xp.broadcast_to(weights, y_true.shape)
        weighted = y_true * weights
        self.sum.value[...] += weighted.sum(axis=0)
        self.squared_sum.value[...] += (y_true * weighted).sum(axis=0)
        self.total_mse.value[...] += (((y_true - y_pred) ** 2) * weights).sum(axis=0)
        self.count.value[...] += weights.sum(axis=0)
        self.num_samples.value[...] += y_true.size

    def result(self):
        xp = backend.xp
        if not self._built:
            return Tensor(xp.asarray(0.0, dtype=self.dtype))
        with xp.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum.value / self.count.value
            total = self.squared_sum.value - self.sum.value * mean
            scores = 1 - self.total_mse.value / total
        scores = xp.where(xp.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * scores).sum() / total.sum()
        else:
            score = scores
        if self.num_regressors:
            n, p = float(self.num_samples.value), float(self.num_regressors)
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score; "
                              "falling back to the standard R2 score", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in the adjusted R2 score; falling back to the standard R2 score",
                              stacklevel=2)
            else:
                score = 1 - (1 - score) * (n - 1) / (n - p - 1)
        return Tensor(xp.asarray(score, dtype=self.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
