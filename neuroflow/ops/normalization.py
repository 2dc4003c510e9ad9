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
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.elementwise import abs as _abs
from neuroflow.ops.elementwise import cast, maximum, minimum, multiply, power, sqrt, square, subtract
from neuroflow.ops.reduction import mean as _mean
from neuroflow.ops.reduction import sum as _sum

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import reshape, squeeze
from neuroflow.ops.shape import reshape_op as _reshape

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



# ---- keras.ops.nn's normalization functions, composed from differentiable primitives -------------

def _as_input(x):
    """Tensors and placeholders pass; arrays and lists become Tensors; integers become floatx."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        x = convert_to_tensor(x)
    if str(x.dtype).startswith(("int", "uint", "bool")):
        x = cast(x, backend.floatx())
    return x


def _axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and (biased) variance of x over `axes`.

    variance = mean((x - mean)^2), the centred form, which loses no precision to cancellation.
    `synchronized` (statistics across replicas) changes nothing here: there is one replica.

    Returns:
        (mean, variance), with `axes` kept as size 1 when keepdims is True.
    """
    x = _as_input(x)
    axes = _axes(axes, len(x.shape))
    mean = _mean(x, axis=axes, keepdims=True)
    variance = _mean(square(subtract(x, mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = squeeze(mean, axis=axes), squeeze(variance, axis=axes)
    return mean, variance


def _along(v, axis, ndim):
    """v (1-D, one value per index of `axis`) reshaped to broadcast against a rank-ndim x."""
    shape = [1] * ndim
    shape[axis] = -1
    return reshape(v, tuple(shape))


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics given per index of `axis`.

    Args:
        x: the input.
        mean, variance: 1-D, of length x.shape[axis].
        axis: the feature axis.
        offset, scale: optional 1-D, like mean (beta and gamma).
        epsilon: added to the variance.
    """
    x = _as_input(x)
    ndim = len(x.shape)
    inverse = 1.0 / sqrt(_along(variance, axis, ndim) + epsilon)
    if scale is not None:
        inverse = inverse * _along(scale, axis, ndim)
    out = (x - _along(mean, axis, ndim)) * inverse
    return out if offset is None else out + _along(offset, axis, ndim)


def _feature_broadcast(v, axes, shape):
    """gamma / beta shaped like the normalized axes, reshaped to broadcast when they are not the last axis alone."""
    if v is None or len(v.shape) == len(shape) or axes == (len(shape) - 1,):
        return v
    return reshape(v, tuple(shape[i] if i in axes else 1 for i in range(len(shape))))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta, the statistics over `axis` of each sample.

    Args:
        x: the input.
        gamma, beta: optional scale and offset shaped like the normalized axes.
        axis: int or tuple of ints.
        epsilon: added to the variance; default `backend.epsilon()` (1e-7).
        rms_scaling: (keyword, deprecated in Keras) x / sqrt(var + epsilon) * gamma, without centring.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization got unexpected keyword arguments {sorted(kwargs)}")
    epsilon = backend.epsilon() if epsilon is None else epsilon
    x = _as_input(x)
    axes = _axes(axis, len(x.shape))
    gamma = _feature_broadcast(gamma, axes, x.shape)
    beta = _feature_broadcast(beta, axes, x.shape)
    mean, variance = moments(x, axes, keepdims=True)
    inverse = 1.0 / sqrt(variance + epsilon)
    if gamma is not None:
        inverse = inverse * gamma
    if rms_scaling:
        return x * inverse
    out = (x - mean) * inverse
    return out if beta is None else out + beta


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2) + epsilon) * scale, the mean over `axis` (Zhang and Sennrich, 2019).

    epsilon defaults to `backend.epsilon()` (1e-7).
    """
    epsilon = backend.epsilon() if epsilon is None else epsilon
    x = _as_input(x)
    axes = _axes(axis, len(x.shape))
    out = x * (1.0 / sqrt(_mean(square(x), axis=axes, keepdims=True) + epsilon))
    return out if scale is None else out * _feature_broadcast(scale, axes, x.shape)


def normalize(x, axis=-1, order=2, epsilon=None):
    """x / max(||x||_order, epsilon), the norm over `axis`.

    order: an int >= 1; epsilon defaults to `backend.epsilon()` (1e-7).
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize expects `order` to be an int >= 1; received order={order!r}")
    epsilon = backend.epsilon() if epsilon is None else epsilon
    x = _as_input(x)
    if len(x.shape) == 0:
        x = reshape(x, (1,))
    if order == 2:
        # x * min(1 / sqrt(sum x^2), 1 / epsilon), Keras' form for the Euclidean norm.
        inverse = 1.0 / sqrt(_sum(square(x), axis=axis, keepdims=True))
        return multiply(x, minimum(inverse, 1.0 / epsilon))
    if order == 1:
        norm = _sum(_abs(x), axis=axis, keepdims=True)
    else:
        norm = power(_sum(power(_abs(x), float(order)), axis=axis, keepdims=True), 1.0 / order)
    return x / maximum(norm, epsilon)
