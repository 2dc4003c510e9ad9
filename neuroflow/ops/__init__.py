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
from neuroflow.ops import elementwise as _elementwise
from neuroflow.ops import linalg as _linalg
from neuroflow.ops import loss_kernels as _loss_kernels
from neuroflow.ops import reduction as _reduction
from neuroflow.ops import shape as _shape


def _call(op, *inputs, **params):
    return apply(op, inputs, params)


def _value(x):
    return x.value if isinstance(x, Tensor) else backend.xp.asarray(x)


# ---- conversion and inspection -------------------------------------------------------------

def convert_to_numpy(x):
    """A NumPy array with the value of `x`."""
    return backend.to_numpy(_value(x))


def shape(x):
    """The static shape of `x` as a tuple."""
    return tuple(x.shape) if hasattr(x, "shape") else numpy.shape(x)


def dtype(x):
    return str(_value(x).dtype)


def is_tensor(x):
    return isinstance(x, Tensor)


def cast(x, dtype):
    return _call(_elementwise.cast, x, dtype=str(numpy.dtype(dtype)))


def stop_gradient(x):
    # An op without a vjp: never differentiated, yet visible to a traced step (engine/trace.py).
    return _call(_elementwise.stop_gradient, x)


# ---- arithmetic ------------------------------------------------------------------------------

def add(x1, x2):
    return _call(_elementwise.add, x1, x2)


def subtract(x1, x2):
    return _call(_elementwise.subtract, x1, x2)


def multiply(x1, x2):
    return _call(_elementwise.multiply, x1, x2)


def divide(x1, x2):
    return _call(_elementwise.divide, x1, x2)


true_divide = divide


def negative(x):
    return _call(_elementwise.negative, x)


def power(x1, x2):
    return _call(_elementwise.power, x1, x2)


def square(x):
    return _call(_elementwise.square, x)


def sqrt(x):
    return _call(_elementwise.sqrt, x)


def exp(x):
    return _call(_elementwise.exp, x)


def log(x):
    return _call(_elementwise.log, x)


def abs(x):  # noqa: A001 - keras.ops' name
    return _call(_elementwise.absolute, x)


absolute = abs


def sign(x):
    return _call(_elementwise.sign, x)


def maximum(x1, x2):
    return _call(_elementwise.maximum, x1, x2)


def minimum(x1, x2):
    return _call(_elementwise.minimum, x1, x2)


def where(condition, x1=None, x2=None):
    """Elementwise choice: x1 where `condition` holds, else x2 (gradients flow to both)."""
    if x1 is None and x2 is None:
        return Tensor(backend.xp.stack(backend.xp.nonzero(_value(condition))))
    if x1 is None or x2 is None:
        raise ValueError("ops.where expects x1 and x2 both given or both None; got only "
                         f"{'x1' if x2 is None else 'x2'}")
    return _call(_elementwise.where, Tensor(_value(condition).astype(bool)), x1, x2)


def clip(x, x_min, x_max):
    """Limits x to [x_min, x_max]; the gradient is 1 inside (bounds included), 0 outside."""
    low = x_min.value if isinstance(x_min, Tensor) else x_min
    high = x_max.value if isinstance(x_max, Tensor) else x_max
    return _call(_elementwise.clip, x, low=low, high=high)


# ---- comparisons and arg-reductions (not differentiable) -------------------------------------

def _compare(function):
    def compare(x1, x2):
        return Tensor(function(_value(x1), _value(x2)))
    compare.__name__ = function.__name__
    return compare


equal = _compare(numpy.equal)
not_equal = _compare(numpy.not_equal)
greater = _compare(numpy.greater)
greater_equal = _compare(numpy.greater_equal)
less = _compare(numpy.less)
less_equal = _compare(numpy.less_equal)
logical_and = _compare(numpy.logical_and)
logical_or = _compare(numpy.logical_or)


def logical_not(x):
    return Tensor(backend.xp.logical_not(_value(x)))


def argmax(x, axis=None, keepdims=False):
    return Tensor(backend.xp.argmax(_value(x), axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims=False):
    return Tensor(backend.xp.argmin(_value(x), axis=axis, keepdims=keepdims))


def isnan(x):
    return Tensor(backend.xp.isnan(_value(x)))


def isfinite(x):
    return Tensor(backend.xp.isfinite(_value(x)))


def round(x, decimals=0):  # noqa: A001 - keras.ops' name
    return Tensor(backend.xp.round(_value(x), decimals))


def floor(x):
    return Tensor(backend.xp.floor(_value(x)))


def ceil(x):
    return Tensor(backend.xp.ceil(_value(x)))


# ---- reductions ------------------------------------------------------------------------------

def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops' name
    return _call(_reduction.total, x, axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return _call(_reduction.mean, x, axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops' name
    return _call(_reduction.maximum_reduce, x, axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops' name
    return _call(_reduction.minimum_reduce, x, axis=_axis(axis), keepdims=keepdims)


amax, amin = max, min


def logsumexp(x, axis=None, keepdims=False):
    return _call(_reduction.logsumexp, x, axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def prod(x, axis=None, keepdims=False):
    return _call(_reduction.prod, x, axis=_axis(axis), keepdims=keepdims)


# ---- shapes ----------------------------------------------------------------------------------

def reshape(x, new_shape):
    return _call(_shape.reshape, x, shape=tuple(new_shape) if not isinstance(new_shape, int) else (new_shape,))


def transpose(x, axes=None):
    return _call(_shape.transpose, x, axes=tuple(axes) if axes is not None else None)


def expand_dims(x, axis):
    return _call(_shape.expand_dims, x, axis=axis)


def squeeze(x, axis=None):
    return _call(_shape.squeeze, x, axis=_axis(axis))


def broadcast_to(x, shape):
    return _call(_shape.broadcast_to, x, shape=tuple(shape))


def concatenate(xs, axis=0):
    return apply(_shape.concatenate, tuple(xs), {"axis": axis})


def stack(x, axis=0):
    return apply(_shape.stack, tuple(x), {"axis": axis})


def take(x, indices, axis=None):
    return _call(_shape.take, x, Tensor(_value(indices)), axis=axis)


gather = take


def take_along_axis(x, indices, axis=None):
    return _call(_shape.take_along_axis, x, Tensor(_value(indices)), axis=axis)


def one_hot(x, num_classes, axis=-1, dtype=None):
    return _call(_shape.one_hot, x, num_classes=int(num_classes), axis=axis, dtype=dtype)


def pad(x, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise ValueError(f"ops.pad supports mode='constant' only, got {mode!r}")
    return _call(_shape.pad, x, pad_width=tuple(tuple(p) for p in pad_width), constant_values=constant_values)


def tile(x, repeats):
    return _call(_shape.tile, x, repeats=tuple(repeats) if not isinstance(repeats, int) else (repeats,))


def flatten(x):
    return reshape(x, (-1,))


def getitem(x, index):
    if isinstance(index, Tensor):
        index = index.value
    elif isinstance(index, tuple):
        index = tuple(i.value if isinstance(i, Tensor) else i for i in index)
    return _call(_shape.getitem, x, index=index)


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
