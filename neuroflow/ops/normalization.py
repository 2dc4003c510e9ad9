"""Fused normalization: x_hat = (x - mean) / sqrt(var + epsilon), out = gamma * x_hat + beta.

One op serves BatchNormalization in training (statistics over every axis but the feature axis)
and LayerNormalization (statistics over the feature axes): the statistics are the mean and
biased variance of x itself over `axes`, and the vjp differentiates through them. Composed from
primitives the backward pass would take about a dozen ops and as many temporaries; fused it is
three reductions and two elementwise passes:

    dx_hat = g * gamma
    dx     = inv_std * (dx_hat - mean_axes(dx_hat) - x_hat * mean_axes(dx_hat * x_hat))
    dgamma = sum of g * x_hat over gamma's broadcast axes,  dbeta = sum of g likewise.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import reshape as _reshape

normalize_op = Op("batch_norm")


@normalize_op.forward
def _(x, gamma, beta, axes=(0,), epsilon=1e-3, mean=None, variance=None):
    """out = gamma * (x - mean) / sqrt(variance + epsilon) + beta with mean, variance over `axes`.

    `mean` / `variance` (keepdims-shaped) may be handed in when the caller already computed them
    from x (BatchNormalization needs them for its moving averages); they must be x's statistics.
    """
    xp = backend.xp
    if mean is None:
        mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    if variance is None:
        variance = xp.mean(xp.square(centered), axis=axes, keepdims=True)
    inv_std = 1.0 / xp.sqrt(variance + epsilon)
    x_hat = centered
    x_hat *= inv_std  # in place: `centered` is a fresh array and not needed again
    out = x_hat * gamma
    out += beta
    return out, (x_hat, inv_std, gamma, axes)


def _reduce_to(array, shape):
    """Sums `array` over the axes where `shape` (same rank) has size 1."""
    axes = tuple(i for i, (a, b) in enumerate(zip(array.shape, shape)) if b == 1 and a != 1)
    return array.sum(axis=axes, keepdims=True).reshape(shape) if axes else array


@normalize_op.vjp
def _(residuals, g, needs):
    x_hat, inv_std, gamma, axes = residuals
    xp = backend.xp
    grad_x = grad_gamma = grad_beta = None
    if needs[0]:
        dx_hat = g * gamma
        term = xp.mean(dx_hat * x_hat, axis=axes, keepdims=True)
        grad_x = dx_hat
        grad_x -= xp.mean(dx_hat, axis=axes, keepdims=True)
        grad_x -= x_hat * term
        grad_x *= inv_std
    if needs[1]:
        grad_gamma = _reduce_to(g * x_hat, gamma.shape)
    if needs[2]:
        grad_beta = _reduce_to(g, gamma.shape)
    return grad_x, grad_gamma, grad_beta


def _broadcast_shape(ndim, feature_axes, shape):
    return tuple(shape[i] if i in feature_axes else 1 for i in range(ndim))


def batch_norm_training(x, gamma, beta, axis, epsilon):
    """Batch normalization with the batch's own statistics.

    Args:
        x: a Tensor.
        gamma, beta: Tensors (or None for 1 / 0) shaped like x's feature axes `axis`.
        axis: tuple of feature axes (non-negative); statistics run over all the others.
        epsilon: added to the variance.

    Returns:
        (output Tensor, batch mean array, batch variance array) with the statistics shaped like
        gamma, for the moving averages (variance is the biased one, as in Keras 3).
    """
    xp = backend.xp
    value = x.value
    axes = tuple(i for i in range(value.ndim) if i not in axis)
    mean = value.mean(axis=axes, keepdims=True)
    variance = xp.mean(xp.square(value - mean), axis=axes, keepdims=True)
    shape = _broadcast_shape(value.ndim, axis, value.shape)
    out = _normalize(x, gamma, beta, shape, axes, epsilon, mean, variance)
    feature_shape = tuple(value.shape[i] for i in axis)
    return out, mean.reshape(feature_shape), variance.reshape(feature_shape)


def layer_norm(x, gamma, beta, axis, epsilon):
    """Layer normalization: statistics over the feature axes `axis` of each sample.

    out = gamma * (x - mean_axis(x)) / sqrt(var_axis(x) + epsilon) + beta.
    """
    shape = _broadcast_shape(len(x.shape), axis, x.shape)
    return _normalize(x, gamma, beta, shape, tuple(axis), epsilon, None, None)


def _normalize(x, gamma, beta, shape, axes, epsilon, mean, variance):
    dtype = x.value.dtype
    xp = backend.xp
    gamma = xp.ones(shape, dtype=dtype) if gamma is None else _reshape(gamma, shape=tuple(shape))
    beta = xp.zeros(shape, dtype=dtype) if beta is None else _reshape(beta, shape=tuple(shape))
    return apply(normalize_op, (x, gamma, beta),
                 {"axes": axes, "epsilon": float(epsilon), "mean": mean, "variance": variance})
