"""Activation functions: each kernel's forward and derivative side by side.

One table serves both the standalone ops (`ops.relu(x)`, their public functions at the end) and the
fused dense op, which applies the activation to `x @ kernel + bias` in the same kernel. A derivative
gets the upstream gradient, the activation's input and its output, and uses whichever is cheaper
(sigmoid' = out (1 - out)).
"""
import math

import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops import device_kernels
from neuroflow.ops.elementwise import multiply
from neuroflow.ops.row_index import row_starts

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import getitem

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x):
    """1 / (1 + e^-x), accurate in both tails.

    This form keeps full relative accuracy for x << 0 (e^-x is large and exact), where the tanh
    form 0.5 (1 + tanh(x / 2)) cancels (relative error 3e-4 at x = -10 in float32, and 0 below
    about -17). e^-x overflows to inf for x < -88 (float32): 1 / inf = 0 is the right limit, so
    that warning is silenced. It avoids a where() on the sign, which is slow on random signs.
    """
    with numpy.errstate(over="ignore"):  # host-side warning control only; cupy does not warn
        denominator = backend.xp.exp(-x)
    denominator += 1.0
    return backend.xp.reciprocal(denominator, out=denominator)


def _erf(x):
    """erf to ~1.2e-7 absolute (Numerical Recipes' erfc Chebyshev fit); NumPy has no erf."""
    xp = backend.xp
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277)))))))))
    erfc = t * xp.exp(poly)
    return xp.where(x >= 0, 1.0 - erfc, erfc - 1.0)


class ActivationKernel:
    """forward(x, **options) -> y and derivative(g, x, y, **options) -> dL/dx.

    `needs_input` says whether the derivative reads x (else x is not kept for the backward
    pass): a bool, or a callable of the options when that depends on them (relu).
    """

    def __init__(self, name, forward, derivative, needs_input=True):
        self.name = name
        self.forward = forward
        self.derivative = derivative
        self.needs_input = needs_input

    def keeps_input(self, options):
        """Whether the backward pass needs x for these options."""
        return self.needs_input(options) if callable(self.needs_input) else self.needs_input


def _relu_forward(x, negative_slope=0.0, max_value=None, threshold=0.0):
    xp = backend.xp
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return xp.maximum(x, 0)
    out = xp.where(x >= threshold, x, negative_slope * (x - threshold) if negative_slope else 0)
    if max_value is not None:
        out = xp.minimum(out, max_value)
    return out.astype(x.dtype, copy=False)


def _relu_needs_input(options):
    # Plain relu's derivative reads y > 0; a slope, cap or threshold needs x itself.
    return (options.get("negative_slope", 0.0) != 0.0 or options.get("max_value") is not None
            or options.get("threshold", 0.0) != 0.0)


def _relu_derivative(g, x, y, negative_slope=0.0, max_value=None, threshold=0.0):
    xp = backend.xp
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        # g * (y > 0), as TensorFlow's ReluGrad computes it: a multiply by the boolean mask is
        # ~15x faster than where(y > 0, g, 0), whose per-element select branches on random signs
        # (0.24 ms vs 0.014 ms for 128 x 512). It differs only where g is inf or NaN and y <= 0.
        return g * (y > 0)
    slope = xp.where(x > threshold, 1.0, negative_slope)
    if max_value is not None:
        slope = xp.where(x >= max_value, 0.0, slope)
    return (g * slope).astype(g.dtype, copy=False)


# ufunc.reduce rather than x.max() / x.sum(): the array methods go through a Python-level wrapper
# in NumPy that costs more than the reduction itself on a batch of class scores.

_ARGMAX_GATHER_DTYPES = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))


def _row_max(xp, x, axis):
    if xp is not numpy:  # CuPy's ufuncs reduce only with add and multiply
        return xp.max(x, axis=axis, keepdims=True)
    if axis in (-1, x.ndim - 1) and x.ndim and x.size and x.dtype in _ARGMAX_GATHER_DTYPES and x.flags.c_contiguous:
        # NumPy's argmax along short contiguous rows is SIMD code, the max reduction a loop per row:
        # the entries argmax points at (the same values, NaN first as the max propagates it) cost
        # a half to a third as much at rows of 10-512 classes, and no more beyond.
        width = x.shape[-1]
        flat = x.reshape(-1, width).argmax(axis=1)
        flat += row_starts(len(flat), width)
        picked = x.reshape(-1)[flat]
        return picked[:, None] if x.ndim == 2 else picked.reshape(x.shape[:-1] + (1,))
    return xp.maximum.reduce(x, axis=axis, keepdims=True)


def _softmax_forward(x, axis=-1):
    xp = backend.xp
    exps = xp.exp(x - _row_max(xp, x, axis))
    exps /= xp.add.reduce(exps, axis=axis, keepdims=True)
    return exps


def _softmax_derivative(g, x, y, axis=-1):
    # J^T g for the softmax Jacobian diag(y) - y y^T, without forming the matrix.
    return y * (g - (g * y).sum(axis=axis, keepdims=True))


def _log_softmax_forward(x, axis=-1):
    xp = backend.xp
    shifted = x - _row_max(xp, x, axis)
    shifted -= xp.log(xp.add.reduce(xp.exp(shifted), axis=axis, keepdims=True))  # in place: shifted is fresh
    return shifted


def _log_softmax_derivative(g, x, y, axis=-1):
    return g - backend.xp.exp(y) * g.sum(axis=axis, keepdims=True)


def _elu_forward(x, alpha=1.0):
    xp = backend.xp
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype, copy=False)


def _elu_derivative(g, x, y, alpha=1.0):
    # For x <= 0: d/dx alpha (e^x - 1) = alpha e^x = y + alpha.
    return backend.xp.where(x > 0, g, g * (y + alpha)).astype(g.dtype, copy=False)


def _softplus_forward(x):
    return backend.xp.logaddexp(0, x).astype(x.dtype, copy=False)


def _gelu_forward(x, approximate=False):
    xp = backend.xp
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return 0.5 * x * (1 + xp.tanh(inner))
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)


def _gelu_derivative(g, x, y, approximate=False):
    xp = backend.xp
    if approximate:
        c = math.sqrt(2 / math.pi)
        tanh_inner = xp.tanh(c * (x + 0.044715 * x ** 3))
        d_inner = c * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + tanh_inner) + 0.5 * x * (1 - tanh_inner ** 2) * d_inner)
    cdf = 0.5 * (1 + _erf(x / math.sqrt(2)))
    pdf = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return (g * (cdf + x * pdf)).astype(g.dtype, copy=False)


def _mish_forward(x):
    xp = backend.xp
    return x * xp.tanh(xp.logaddexp(0, x))


def _mish_derivative(g, x, y):
    xp = backend.xp
    tanh_softplus = xp.tanh(xp.logaddexp(0, x))
    return g * (tanh_softplus + x * (1 - tanh_softplus ** 2) * _sigmoid(x))


def _hard_sigmoid_forward(x):
    # Keras 3: relu6(x + 3) / 6.
    return backend.xp.clip(x / 6.0 + 0.5, 0.0, 1.0).astype(x.dtype, copy=False)


def _hard_sigmoid_derivative(g, x, y):
    return g * ((x > -3) & (x < 3)) / 6.0


def _hard_silu_forward(x):
    return x * _hard_sigmoid_forward(x)


def _hard_silu_derivative(g, x, y):
    return g * (_hard_sigmoid_forward(x) + x * ((x > -3) & (x < 3)) / 6.0)


def _celu_forward(x, alpha=1.0):
    xp = backend.xp
    return (xp.maximum(x, 0) + alpha * xp.expm1(xp.minimum(x, 0) / alpha)).astype(x.dtype, copy=False)


def _celu_derivative(g, x, y, alpha=1.0):
    # For x <= 0: d/dx alpha (e^(x / alpha) - 1) = e^(x / alpha) = y / alpha + 1.
    return backend.xp.where(x > 0, g, g * (y / alpha + 1)).astype(g.dtype, copy=False)


def _sparse_plus_forward(x):
    # 0 below -1, (x + 1)^2 / 4 on [-1, 1], x above 1: softplus with a compact transition.
    xp = backend.xp
    return xp.where(x <= -1, 0.0, xp.where(x < 1, 0.25 * (x + 1) ** 2, x)).astype(x.dtype, copy=False)


def _sparse_plus_derivative(g, x, y):
    return g * backend.xp.clip(0.5 * (x + 1), 0.0, 1.0).astype(g.dtype, copy=False)


def _squareplus_forward(x, b=4):
    return ((x + backend.xp.sqrt(x * x + b)) / 2).astype(x.dtype, copy=False)


def _squareplus_derivative(g, x, y, b=4):
    return (g * 0.5 * (1 + x / backend.xp.sqrt(x * x + b))).astype(g.dtype, copy=False)


def _shrink_forward(x, threshold=0.5):
    # soft_shrink: moves x towards 0 by `threshold` and zeroes what crosses it.
    xp = backend.xp
    return xp.where(x > threshold, x - threshold, xp.where(x < -threshold, x + threshold, 0.0)).astype(x.dtype, copy=False)


def _outside_derivative(g, x, y, threshold=0.5):
    # hard_shrink and soft_shrink pass the gradient where |x| > threshold, 0 elsewhere.
    return g * (backend.xp.abs(x) > threshold)


def _threshold_forward(x, threshold=0.0, default_value=0.0):
    return backend.xp.where(x > threshold, x, default_value).astype(x.dtype, copy=False)


KERNELS = {kernel.name: kernel for kernel in [
    ActivationKernel("linear", lambda x: x, lambda g, x, y: g, needs_input=False),
    ActivationKernel("relu", _relu_forward, _relu_derivative, needs_input=_relu_needs_input),
    ActivationKernel("sigmoid", _sigmoid, lambda g, x, y: g * y * (1 - y), needs_input=False),
    ActivationKernel("tanh", lambda x: backend.xp.tanh(x), lambda g, x, y: g * (1 - y * y), needs_input=False),
    ActivationKernel("softmax", _softmax_forward, _softmax_derivative, needs_input=False),
    ActivationKernel("log_softmax", _log_softmax_forward, _log_softmax_derivative, needs_input=False),
    ActivationKernel("exponential", lambda x: backend.xp.exp(x), lambda g, x, y: g * y, needs_input=False),
    ActivationKernel("leaky_relu",
                     lambda x, negative_slope=0.2: backend.xp.where(x > 0, x, negative_slope * x).astype(x.dtype, copy=False),
                     lambda g, x, y, negative_slope=0.2: backend.xp.where(x > 0, g, negative_slope * g).astype(
                         g.dtype, copy=False)),
    ActivationKernel("relu6",
                     lambda x: backend.xp.clip(x, 0, 6),
                     lambda g, x, y: g * ((x > 0) & (x < 6))),
    ActivationKernel("elu", _elu_forward, _elu_derivative),
    ActivationKernel("selu",
                     lambda x: SELU_SCALE * _elu_forward(x, SELU_ALPHA),
                     lambda g, x, y: SELU_SCALE * backend.xp.where(x > 0, g, g * (y / SELU_SCALE + SELU_ALPHA))),
    ActivationKernel("softplus", _softplus_forward, lambda g, x, y: g * _sigmoid(x)),
    ActivationKernel("softsign",
                     lambda x: x / (1 + backend.xp.abs(x)),
                     lambda g, x, y: g / (1 + backend.xp.abs(x)) ** 2),
    ActivationKernel("hard_sigmoid", _hard_sigmoid_forward, _hard_sigmoid_derivative),
    ActivationKernel("hard_silu", _hard_silu_forward, _hard_silu_derivative),
    ActivationKernel("silu", lambda x: x * _sigmoid(x),
                     lambda g, x, y: g * (_sigmoid(x) * (1 + x * (1 - _sigmoid(x))))),
    ActivationKernel("gelu", _gelu_forward, _gelu_derivative),
    ActivationKernel("mish", _mish_forward, _mish_derivative),
    ActivationKernel("celu", _celu_forward, _celu_derivative),
    ActivationKernel("hard_tanh", lambda x: backend.xp.clip(x, -1, 1), lambda g, x, y: g * ((x > -1) & (x < 1))),
    ActivationKernel("hard_shrink",
                     lambda x, threshold=0.5: backend.xp.where(backend.xp.abs(x) > threshold, x, 0.0).astype(x.dtype, copy=False),
                     _outside_derivative),
    ActivationKernel("soft_shrink", _shrink_forward, _outside_derivative),
    ActivationKernel("log_sigmoid",
                     lambda x: -_softplus_forward(-x),
                     lambda g, x, y: g * _sigmoid(-x)),
    ActivationKernel("sparse_plus", _sparse_plus_forward, _sparse_plus_derivative),
    ActivationKernel("sparse_sigmoid",
                     lambda x: backend.xp.clip(0.5 * (x + 1), 0.0, 1.0).astype(x.dtype, copy=False),
                     lambda g, x, y: g * (0.5 * ((x > -1) & (x < 1))).astype(g.dtype, copy=False)),
    ActivationKernel("squareplus", _squareplus_forward, _squareplus_derivative),
    # tanh_shrink' = 1 - tanh'(x) = tanh(x)^2 = (x - y)^2.
    ActivationKernel("tanh_shrink", lambda x: x - backend.xp.tanh(x), lambda g, x, y: g * (x - y) ** 2),
    ActivationKernel("threshold", _threshold_forward,
                     lambda g, x, y, threshold=0.0, default_value=0.0: g * (x > threshold)),
]}
KERNELS["swish"] = KERNELS["silu"]
KERNELS["hard_swish"] = KERNELS["hard_silu"]
# On the cupy backend these vjps run as one fused GPU kernel each (ops/device_kernels.py); NumPy keeps the code above.
for _name in ("relu", "sigmoid", "tanh"):
    KERNELS[_name].derivative = device_kernels.activation_vjp(_name, KERNELS[_name].derivative)


def _make_activation_op(kernel):
    op = Op(kernel.name)

    forward = kernel.forward
    if callable(kernel.needs_input):
        @op.forward
        def _(x, **options):
            y = forward(x, **options)
            return y, (x if kernel.keeps_input(options) else None, y, options)
    else:
        # The common case (the answer does not depend on the options), without a call per op.
        keeps_input = kernel.needs_input

        @op.forward
        def _(x, **options):
            y = forward(x, **options)
            return y, (x if keeps_input else None, y, options)

    @op.vjp
    def _(residuals, g, needs):
        x, y, options = residuals
        return (kernel.derivative(g, x, y, **options),)

    return op


ACTIVATION_OPS = {name: _make_activation_op(kernel) for name, kernel in KERNELS.items()
                  if name not in ("swish", "hard_swish")}
ACTIVATION_OPS["swish"] = ACTIVATION_OPS["silu"]
ACTIVATION_OPS["hard_swish"] = ACTIVATION_OPS["hard_silu"]


# ---- the public functions (neuroflow.ops.relu ...) ------------------------------------------------

def _activation_function(name):
    op = ACTIVATION_OPS[name]

    def activation(x, **options):
        return apply(op, (x,), options)
    activation.__name__ = name
    activation.__doc__ = f"The {name} activation, elementwise (differentiable)."
    return activation


relu = _activation_function("relu")
sigmoid = _activation_function("sigmoid")
tanh = _activation_function("tanh")
elu = _activation_function("elu")
selu = _activation_function("selu")
softplus = _activation_function("softplus")
softsign = _activation_function("softsign")
hard_sigmoid = _activation_function("hard_sigmoid")
hard_silu = hard_swish = _activation_function("hard_silu")
silu = swish = _activation_function("silu")
_gelu = _activation_function("gelu")


def gelu(x, approximate=True):
    """GELU, x P(X <= x) for X ~ N(0, 1): keras.ops.gelu's default is the tanh approximation.

    approximate=True: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))); False: 0.5 x (1 + erf(x / sqrt(2))).
    (keras.activations.gelu and Dense(activation='gelu') default to the exact form.)
    """
    return _gelu(x, approximate=bool(approximate))


mish = _activation_function("mish")
relu6 = _activation_function("relu6")
exponential = _activation_function("exponential")


def leaky_relu(x, negative_slope=0.2):
    return apply(ACTIVATION_OPS["leaky_relu"], (x,), {"negative_slope": negative_slope})


def softmax(x, axis=-1):
    return apply(ACTIVATION_OPS["softmax"], (x,), {"axis": axis})


def log_softmax(x, axis=-1):
    return apply(ACTIVATION_OPS["log_softmax"], (x,), {"axis": axis})



# ---- Keras 3.x additions to keras.ops.nn (celu, glu, the shrink family, sparsemax ...) -----------

def celu(x, alpha=1.0):
    """CELU: max(x, 0) + alpha (e^(min(x, 0) / alpha) - 1), continuously differentiable for every alpha."""
    return apply(ACTIVATION_OPS["celu"], (x,), {"alpha": float(alpha)})


hard_tanh = _activation_function("hard_tanh")
hard_tanh.__doc__ = "hard_tanh(x) = clip(x, -1, 1) (differentiable; gradient 1 inside (-1, 1), 0 outside)."
log_sigmoid = _activation_function("log_sigmoid")
log_sigmoid.__doc__ = "log(sigmoid(x)) = -softplus(-x), stable in both tails; gradient sigmoid(-x)."
sparse_plus = _activation_function("sparse_plus")
sparse_plus.__doc__ = "0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."
sparse_sigmoid = _activation_function("sparse_sigmoid")
sparse_sigmoid.__doc__ = "0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."
tanh_shrink = _activation_function("tanh_shrink")
tanh_shrink.__doc__ = "x - tanh(x); gradient tanh(x)^2."


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return apply(ACTIVATION_OPS["hard_shrink"], (x,), {"threshold": float(threshold)})


def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold, 0 between."""
    return apply(ACTIVATION_OPS["soft_shrink"], (x,), {"threshold": float(threshold)})


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth relu; b >= 0 sets the curvature at 0."""
    return apply(ACTIVATION_OPS["squareplus"], (x,), {"b": float(b)})


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value; the gradient is 1 where x passes, 0 elsewhere."""
    return apply(ACTIVATION_OPS["threshold"], (x,), {"threshold": float(threshold), "default_value": float(default_value)})


def glu(x, axis=-1):
    """Gated linear unit: a * sigmoid(b), where a, b are the two halves of x along `axis`.

    Raises:
        ValueError: when x's size along `axis` is odd.
    """
    size = x.shape[axis]
    if size is not None and size % 2:
        raise ValueError(f"glu expects an even size along axis={axis}; received x.shape={tuple(x.shape)}")
    half = size // 2
    index = [slice(None)] * len(x.shape)
    index[axis] = slice(0, half)
    first = getitem(x, tuple(index))
    index[axis] = slice(half, None)
    return multiply(first, sigmoid(getitem(x, tuple(index))))


sparsemax_op = Op("sparsemax")


@sparsemax_op.forward
def _(x, axis=-1):
    """max(x - tau, 0), tau chosen so each slice along `axis` sums to 1 (Martins and Astudillo, 2016).

    With z sorted descending and k the largest index with 1 + k z_k > sum_{j <= k} z_j, tau =
    (sum_{j <= k} z_j - 1) / k.
    """
    xp = backend.xp
    ordered = -xp.sort(-x, axis=axis)
    cumulative = xp.cumsum(ordered, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    ranks = xp.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(shape)
    support = ordered - (cumulative - 1) / ranks > 0
    count = support.sum(axis=axis, keepdims=True)
    # tau = (z_1 + ... + z_k - 1) / k, the k-th cumulative sum. (Keras 3.15.1 sums the cumulative sums
    # over the support instead, which agrees only when k = 1: its outputs then do not sum to 1.)
    tau = (xp.take_along_axis(cumulative, count - 1, axis=axis) - 1) / count
    out = xp.maximum(x - tau, 0).astype(x.dtype, copy=False)
    return out, (out, axis)


@sparsemax_op.vjp
def _(residuals, g, needs):
    # On the support S (out > 0) the Jacobian is I - 1 1^T / |S|; off it, 0.
    out, axis = residuals
    inside = out > 0
    count = inside.sum(axis=axis, keepdims=True)
    mean_inside = (g * inside).sum(axis=axis, keepdims=True) / count
    return ((inside * (g - mean_inside)).astype(g.dtype, copy=False),)


def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of x onto the probability simplex along `axis`."""
    return apply(sparsemax_op, (x,), {"axis": axis})
