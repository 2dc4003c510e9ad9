"""Regression losses: errors between real-valued targets and predictions, mean over the last axis."""
from neuroflow import backend, ops
from neuroflow.losses.loss import _pair, _same_shape, _wrapper_class


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
