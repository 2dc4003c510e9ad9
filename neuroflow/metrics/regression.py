"""Regression metrics: weighted streaming means of the regression losses, plus RMSE and cosine."""
from neuroflow import backend, losses
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import Mean, squeeze_or_expand, to_array, wrapper_class
from neuroflow.utils.errors import shape_text

_MODULE = __name__


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine similarity along `axis` (positive: 1 for identical directions).

    sum(y_true y_pred) / (|y_true| |y_pred|), each norm kept at least sqrt(epsilon).
    """
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


MeanSquaredError = wrapper_class("MeanSquaredError", losses.mean_squared_error, "mean_squared_error",
                                 "Streaming mean of mean((y_true - y_pred)^2) per sample.", _MODULE)
MeanAbsoluteError = wrapper_class("MeanAbsoluteError", losses.mean_absolute_error, "mean_absolute_error",
                                  "Streaming mean of mean(|y_true - y_pred|) per sample.", _MODULE)
MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "Streaming mean of 100 * mean(|y_true - y_pred| / |y_true|) per sample.", _MODULE)
MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    "Streaming mean of mean((log(y_pred + 1) - log(y_true + 1))^2) per sample.", _MODULE)
LogCoshError = wrapper_class("LogCoshError", losses.log_cosh, "logcosh",
                             "Streaming mean of mean(log(cosh(y_pred - y_true))) per sample.", _MODULE)
CosineSimilarity = wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                 "Streaming mean of the cosine similarity along `axis`.", _MODULE, axis=-1)


class RootMeanSquaredError(Mean):
    """sqrt of the weighted streaming mean of squared errors: sqrt(sum(w (y - p)^2) / sum(w)).

    Each element's squared error counts (a per-sample weight covers all of a sample's elements).
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = squeeze_or_expand(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name} expects y_true and y_pred of the same shape, got y_true "
                             f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}")
        return super().update_state((y_pred - y_true) ** 2, sample_weight=sample_weight)

    def result(self):
        return Tensor(backend.xp.sqrt(super().result().value))

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype}
