"""Elementwise ops: arithmetic, exp/log family, comparisons-as-selection (maximum, where, clip).

Each op sits beside its public function (`neuroflow.ops.add` ...). Comparisons and rounding, at the
end, are no ops: they have no gradient and never become a graph node. The public abs and round take
keras.ops' names, so in this module those names are not the builtins.
"""
import numpy

from neuroflow import backend
from neuroflow.engine import autocast as autocast_module
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of
from neuroflow.ops.promotion import as_float

add_op = Op("add")


@add_op.forward
def _(a, b):
    return a + b, None


@add_op.vjp
def _(residuals, g, needs):
    return g, g


def add(x1, x2):
    return apply(add_op, (x1, x2), {})


subtract_op = Op("subtract")


@subtract_op.forward
def _(a, b):
    return a - b, None


@subtract_op.vjp
def _(residuals, g, needs):
    return g, (-g if needs[1] else None)


def subtract(x1, x2):
    return apply(subtract_op, (x1, x2), {})


multiply_op = Op("multiply")


@multiply_op.forward
def _(a, b):
    return a * b, (a, b)


@multiply_op.vjp
def _(residuals, g, needs):
    a, b = residuals
    return (g * b if needs[0] else None), (g * a if needs[1] else None)


def multiply(x1, x2):
    return apply(multiply_op, (x1, x2), {})


divide_op = Op("divide")


@divide_op.forward
def _(a, b):
    out = a / b
    return out, (b, out)


@divide_op.vjp
def _(residuals, g, needs):
    b, out = residuals
    grad_a = g / b
    # d(a/b)/db = -a/b^2 = -(a/b)/b, reusing the output instead of recomputing a/b^2.
    return grad_a, (-grad_a * out if needs[1] else None)


def divide(x1, x2):
    return apply(divide_op, (x1, x2), {})


true_divide = divide


negative_op = Op("negative")


@negative_op.forward
def _(a):
    return -a, None


@negative_op.vjp
def _(residuals, g, needs):
    return (-g,)


def negative(x):
    return apply(negative_op, (x,), {})


power_op = Op("power")


@power_op.forward
def _(a, b):
    out = a ** b
    return out, (a, b, out)


@power_op.vjp
def _(residuals, g, needs):
    a, b, out = residuals
    xp = backend.xp
    grad_a = g * b * a ** (b - 1) if needs[0] else None
    grad_b = None
    if needs[1]:
        # d(a^b)/db = a^b ln a, defined for a > 0; zero elsewhere (as TensorFlow does).
        safe = xp.where(a > 0, a, 1)
        grad_b = g * out * xp.log(safe)
    return grad_a, grad_b


def power(x1, x2):
    return apply(power_op, (x1, x2), {})


square_op = Op("square")


@square_op.forward
def _(a):
    return a * a, a


@square_op.vjp
def _(a, g, needs):
    return (2 * a * g,)


def square(x):
    return apply(square_op, (x,), {})


sqrt_op = Op("sqrt")


@sqrt_op.forward
def _(a):
    # Integer inputs give floatx, as in Keras (NumPy would give float64); the float array test comes
    # first so the common case pays no call.
    if type(a) is not numpy.ndarray or a.dtype.kind != "f":
        a = as_float(a)
    out = backend.xp.sqrt(a)
    return out, out


@sqrt_op.vjp
def _(out, g, needs):
    return (g / (2 * out),)


def sqrt(x):
    return apply(sqrt_op, (x,), {})


exp_op = Op("exp")


@exp_op.forward
def _(a):
    if type(a) is not numpy.ndarray or a.dtype.kind != "f":
        a = as_float(a)
    out = backend.xp.exp(a)
    return out, out


@exp_op.vjp
def _(out, g, needs):
    return (g * out,)


def exp(x):
    return apply(exp_op, (x,), {})


log_op = Op("log")


@log_op.forward
def _(a):
    if type(a) is not numpy.ndarray or a.dtype.kind != "f":
        a = as_float(a)
    return backend.xp.log(a), a


@log_op.vjp
def _(a, g, needs):
    return (g / a,)


def log(x):
    return apply(log_op, (x,), {})


abs_op = Op("abs")


@abs_op.forward
def _(a):
    return backend.xp.abs(a), a


@abs_op.vjp
def _(a, g, needs):
    return (g * backend.xp.sign(a),)


def abs(x):  # noqa: A001 - keras.ops' name
    return apply(abs_op, (x,), {})


absolute = abs


maximum_op = Op("maximum")


@maximum_op.forward
def _(a, b):
    return backend.xp.maximum(a, b), (a, b)


@maximum_op.vjp
def _(residuals, g, needs):
    a, b = residuals
    # Ties send the gradient to the first argument, like TensorFlow's maximum.
    first = a >= b
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


def maximum(x1, x2):
    return apply(maximum_op, (x1, x2), {})


minimum_op = Op("minimum")


@minimum_op.forward
def _(a, b):
    return backend.xp.minimum(a, b), (a, b)


@minimum_op.vjp
def _(residuals, g, needs):
    a, b = residuals
    first = a <= b
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


def minimum(x1, x2):
    return apply(minimum_op, (x1, x2), {})


where_op = Op("where")


@where_op.forward
def _(condition, a, b):
    return backend.xp.where(condition, a, b), condition


@where_op.vjp
def _(condition, g, needs):
    # Multiplying by the mask is far faster than where() on irregular masks; g is finite in
    # practice (a NaN upstream would poison the step either way).
    return (None,
            g * condition if needs[1] else None,
            g * ~condition if needs[2] else None)


def where(condition, x1=None, x2=None):
    """Elementwise choice: x1 where `condition` holds, else x2 (gradients flow to both)."""
    if x1 is None and x2 is None:
        return Tensor(backend.xp.stack(backend.xp.nonzero(value_of(condition))))
    if x1 is None or x2 is None:
        raise ValueError("ops.where expects x1 and x2 both given or both None; got only "
                         f"{'x1' if x2 is None else 'x2'}")
    return apply(where_op, (Tensor(value_of(condition).astype(bool)), x1, x2), {})


clip_op = Op("clip")


@clip_op.forward
def _(a, low=None, high=None):
    # xp.clip, not maximum then minimum: one pass over the array (on 256 x 256, 20 us against 60),
    # though its Python-level wrapper costs a few microseconds on small arrays.
    out = backend.xp.clip(a, low, high)
    # Keras keeps x's dtype: float64 bounds must not promote a float32 tensor.
    return out.astype(a.dtype, copy=False), (a, low, high)


@clip_op.vjp
def _(residuals, g, needs):
    a, low, high = residuals
    # Gradient passes only where the value was not clipped (bounds included, as in TensorFlow).
    if low is None:
        inside = a <= high
    elif high is None:
        inside = a >= low
    else:
        inside = (a >= low) & (a <= high)
    return (g * inside,)


def clip(x, x_min, x_max):
    """Limits x to [x_min, x_max]; the gradient is 1 inside (bounds included), 0 outside."""
    low = x_min.value if isinstance(x_min, Tensor) else x_min
    high = x_max.value if isinstance(x_max, Tensor) else x_max
    return apply(clip_op, (x,), {"low": low, "high": high})


sign_op = Op("sign")


@sign_op.forward
def _(a):
    return backend.xp.sign(a), None


@sign_op.vjp
def _(residuals, g, needs):
    return (backend.xp.zeros_like(g),)


def sign(x):
    return apply(sign_op, (x,), {})


cast_op = Op("cast")


@cast_op.forward
def _(a, dtype=None):
    a = backend.xp.asarray(a)  # a Python number too, as Keras' ops.cast takes one
    return a.astype(dtype), (a.dtype,)


@cast_op.vjp
def _(residuals, g, needs):
    (dtype,) = residuals
    # Only float-to-float casts carry a gradient; casting to int cuts the graph.
    return (g.astype(dtype) if backend.is_float_dtype(dtype) and backend.is_float_dtype(g.dtype) else None,)


# dtype argument -> its canonical name: str(numpy.dtype(...)) costs ten times the cast of a small
# array, and a custom layer's call may cast several times per batch.
_DTYPE_NAMES = {}


def _dtype_name(dtype):
    try:
        return _DTYPE_NAMES[dtype]
    except (KeyError, TypeError):   # TypeError: an unhashable dtype-like, resolved every time
        name = str(numpy.dtype(dtype))
        try:
            _DTYPE_NAMES[dtype] = name
        except TypeError:
            pass
        return name


def cast(x, dtype):
    return apply(cast_op, (x,), {"dtype": _dtype_name(dtype)})


# A mixed-precision layer's call reads its variables through this cast (engine/autocast.py).
autocast_module.install_cast(cast)


stop_gradient_op = Op("stop_gradient")


@stop_gradient_op.forward
def _(a):
    return a, None


def stop_gradient(x):
    # An op without a vjp: never differentiated, yet visible to a traced step (engine/trace.py).
    return apply(stop_gradient_op, (x,), {})


# ---- comparisons and rounding (no ops: not differentiable) -------------------------------------

def _compare(name):
    def compare(x1, x2):
        # The backend's ufunc, read at call time: NumPy's own would refuse (or copy) device arrays.
        return Tensor(getattr(backend.xp, name)(value_of(x1), value_of(x2)))
    compare.__name__ = name
    return compare


equal = _compare("equal")
not_equal = _compare("not_equal")
greater = _compare("greater")
greater_equal = _compare("greater_equal")
less = _compare("less")
less_equal = _compare("less_equal")
logical_and = _compare("logical_and")
logical_or = _compare("logical_or")


def logical_not(x):
    return Tensor(backend.xp.logical_not(value_of(x)))


def isnan(x):
    return Tensor(backend.xp.isnan(value_of(x)))


def isfinite(x):
    return Tensor(backend.xp.isfinite(value_of(x)))


def round(x, decimals=0):  # noqa: A001 - keras.ops' name
    return Tensor(backend.xp.round(value_of(x), decimals))


def floor(x):
    # Keras gives floats for integer inputs (floatx), where NumPy 2 keeps the integer dtype.
    return Tensor(backend.xp.floor(as_float(value_of(x))))


def ceil(x):
    return Tensor(backend.xp.ceil(as_float(value_of(x))))


polar_op = Op("polar")


@polar_op.forward
def _(magnitude, angle):
    xp = backend.xp
    dtype = xp.result_type(magnitude, angle, xp.float32)
    magnitude, angle = xp.asarray(magnitude, dtype=dtype), xp.asarray(angle, dtype=dtype)
    return xp.asarray(magnitude * xp.cos(angle) + 1j * (magnitude * xp.sin(angle))), None


def polar(abs_, angle):
    """The complex numbers abs_ (cos(angle) + i sin(angle)) (complex64 from float32; not differentiable)."""
    return apply(polar_op, (abs_, angle), {})
