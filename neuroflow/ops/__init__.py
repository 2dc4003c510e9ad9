"""neuroflow.ops: the counterpart of `keras.ops`, differentiable wherever that is meaningful.

Every function accepts Tensors, Variables, NumPy arrays or Python numbers and returns a Tensor.
Inside a GradientTape they are recorded; in a functional model they build graph nodes.

    import neuroflow
    from neuroflow import ops
    x = ops.convert_to_tensor([1.0, 2.0, 3.0])
    with neuroflow.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.square(x))
    tape.gradient(y, x)   # 2 x
"""
import numpy

from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.registry import apply
from neuroflow.engine.tensor import Tensor, convert_to_tensor
from neuroflow.ops import activation as _activation
from neuroflow.ops import linalg as _linalg
from neuroflow.ops import loss_kernels as _loss_kernels
from neuroflow.ops.elementwise import (
    abs,
    absolute,
    add,
    cast,
    ceil,
    clip,
    divide,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    isfinite,
    isnan,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    round,
    sign,
    sqrt,
    square,
    stop_gradient,
    subtract,
    true_divide,
    where,
)
from neuroflow.ops.inspection import convert_to_numpy, dtype, is_tensor
from neuroflow.ops.reduction import amax, amin, argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from neuroflow.ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    gather,
    getitem,
    one_hot,
    pad,
    reshape,
    shape,
    squeeze,
    stack,
    take,
    take_along_axis,
    tile,
    transpose,
)


def _call(op, *inputs, **params):
    return apply(op, inputs, params)


def _value(x):
    return x.value if isinstance(x, Tensor) else backend.xp.asarray(x)


# ---- linear algebra --------------------------------------------------------------------------

def matmul(x1, x2):
    return _call(_linalg.matmul, x1, x2)


def dot(x1, x2):
    """NumPy's dot: a matmul for 1-D and 2-D operands, a product when one is a scalar."""
    if numpy.ndim(_value(x1)) == 0 or numpy.ndim(_value(x2)) == 0:
        return multiply(x1, x2)
    return matmul(x1, x2)


def dense(x, kernel, bias=None, activation="linear", **options):
    """Fused activation(x @ kernel + bias), the kernel behind layers.Dense."""
    inputs = (x, kernel) if bias is None else (x, kernel, bias)
    return apply(_linalg.dense, inputs, {"activation": activation, "options": options})


# ---- activations -----------------------------------------------------------------------------

def _activation_function(name):
    op = _activation.ACTIVATION_OPS[name]

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
    return apply(_activation.ACTIVATION_OPS["leaky_relu"], (x,), {"negative_slope": negative_slope})


def softmax(x, axis=-1):
    return apply(_activation.ACTIVATION_OPS["softmax"], (x,), {"axis": axis})


def log_softmax(x, axis=-1):
    return apply(_activation.ACTIVATION_OPS["log_softmax"], (x,), {"axis": axis})


# ---- fused losses ----------------------------------------------------------------------------

def softmax_cross_entropy(labels, logits, axis=-1):
    """Per-sample categorical cross-entropy from logits."""
    return _call(_loss_kernels.softmax_cross_entropy, labels, logits, axis=axis)


def sparse_softmax_cross_entropy(labels, logits, axis=-1):
    """Per-sample categorical cross-entropy from logits and integer labels."""
    return _call(_loss_kernels.sparse_softmax_cross_entropy, labels, logits, axis=axis)


def sigmoid_cross_entropy(labels, logits):
    """Elementwise binary cross-entropy from logits."""
    return _call(_loss_kernels.sigmoid_cross_entropy, labels, logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """keras.ops.categorical_crossentropy: per-sample loss."""
    if from_logits:
        return softmax_cross_entropy(target, output, axis=axis)
    output = divide(output, sum(output, axis=axis, keepdims=True))
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    return negative(sum(multiply(target, log(output)), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if from_logits:
        return sparse_softmax_cross_entropy(target, output, axis=axis)
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    return sparse_softmax_cross_entropy(target, log(output), axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        return sigmoid_cross_entropy(target, output)
    eps = backend.epsilon()
    output = clip(output, eps, 1.0 - eps)
    positive = multiply(target, log(output))
    negative_part = multiply(subtract(1.0, target), log(subtract(1.0, output)))
    return negative(add(positive, negative_part))


# ---- operators of Tensor and KerasTensor ------------------------------------------------------

def _reflected(function):
    return lambda self, other: function(other, self)


# One table for both classes: `tensor + 1` runs the add op, `placeholder + 1` records the same op as
# a graph node (engine/registry.py `apply` tells them apart). The entries are the op functions
# themselves, so a Tensor operator costs one call, as before. Comparisons are not ops (no
# gradient, no graph node): on a placeholder they raise a TypeError (KerasTensor.__array__).
OPERATORS = {
    "__add__": add,
    "__radd__": _reflected(add),
    "__sub__": subtract,
    "__rsub__": _reflected(subtract),
    "__mul__": multiply,
    "__rmul__": _reflected(multiply),
    "__truediv__": divide,
    "__rtruediv__": _reflected(divide),
    "__matmul__": matmul,
    "__rmatmul__": _reflected(matmul),
    "__pow__": power,
    "__rpow__": _reflected(power),
    "__neg__": negative,
    "__pos__": lambda self: self,
    "__abs__": abs,
    "__getitem__": getitem,
    "__lt__": less,
    "__le__": less_equal,
    "__gt__": greater,
    "__ge__": greater_equal,
}

for _name, _operator in OPERATORS.items():
    setattr(Tensor, _name, _operator)
    setattr(KerasTensor, _name, _operator)
del _name, _operator

# Array-like methods of concrete tensors only (a placeholder's transpose would move its batch axis).
Tensor.T = property(lambda self: transpose(self))
Tensor.reshape = lambda self, *shape: reshape(self, shape[0] if len(shape) == 1 else shape)
Tensor.astype = lambda self, dtype: cast(self, dtype)


# ---- convolution and pooling (ops/convolution/, ops/pooling.py) ------------------------------------
# ---- images (ops/image.py): neuroflow.ops.image.resize, as keras.ops.image.resize ---------------
from neuroflow.ops import image  # noqa: E402,F401
from neuroflow.ops.convolution import conv, conv_transpose, depthwise_conv, separable_conv  # noqa: E402
from neuroflow.ops.pooling import average_pool, max_pool  # noqa: E402
