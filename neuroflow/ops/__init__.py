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
from neuroflow.ops.activation import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
    tanh,
)
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
from neuroflow.ops.linalg import dense, dot, matmul
from neuroflow.ops.loss_kernels import (
    binary_crossentropy,
    categorical_crossentropy,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    sparse_categorical_crossentropy,
    sparse_softmax_cross_entropy,
)
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
