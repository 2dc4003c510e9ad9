"""Elementwise ops: arithmetic, exp/log family, comparisons-as-selection (maximum, where, clip)."""
from neuroflow import backend
from neuroflow.engine.registry import Op

add = Op("add")


@add.forward
def _(a, b):
    return a + b, None


@add.vjp
def _(residuals, g, needs):
    return g, g


subtract = Op("subtract")


@subtract.forward
def _(a, b):
    return a - b, None


@subtract.vjp
def _(residuals, g, needs):
    return g, (-g if needs[1] else None)


multiply = Op("multiply")


@multiply.forward
def _(a, b):
    return a * b, (a, b)


@multiply.vjp
def _(residuals, g, needs):
    a, b = residuals
    return (g * b if needs[0] else None), (g * a if needs[1] else None)


divide = Op("divide")


@divide.forward
def _(a, b):
    out = a / b
    return out, (b, out)


@divide.vjp
def _(residuals, g, needs):
    b, out = residuals
    grad_a = g / b
    # d(a/b)/db = -a/b^2 = -(a/b)/b, reusing the output instead of recomputing a/b^2.
    return grad_a, (-grad_a * out if needs[1] else None)


negative = Op("negative")


@negative.forward
def _(a):
    return -a, None


@negative.vjp
def _(residuals, g, needs):
    return (-g,)


power = Op("power")


@power.forward
def _(a, b):
    out = a ** b
    return out, (a, b, out)


@power.vjp
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


square = Op("square")


@square.forward
def _(a):
    return a * a, a


@square.vjp
def _(a, g, needs):
    return (2 * a * g,)


sqrt = Op("sqrt")


@sqrt.forward
def _(a):
    out = backend.xp.sqrt(a)
    return out, out


@sqrt.vjp
def _(out, g, needs):
    return (g / (2 * out),)


exp = Op("exp")


@exp.forward
def _(a):
    out = backend.xp.exp(a)
    return out, out


@exp.vjp
def _(out, g, needs):
    return (g * out,)


log = Op("log")


@log.forward
def _(a):
    return backend.xp.log(a), a


@log.vjp
def _(a, g, needs):
    return (g / a,)


absolute = Op("abs")


@absolute.forward
def _(a):
    return backend.xp.abs(a), a


@absolute.vjp
def _(a, g, needs):
    return (g * backend.xp.sign(a),)


maximum = Op("maximum")


@maximum.forward
def _(a, b):
    return backend.xp.maximum(a, b), (a, b)


@maximum.vjp
def _(residuals, g, needs):
    a, b = residuals
    # Ties send the gradient to the first argument, like TensorFlow's maximum.
    first = a >= b
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


minimum = Op("minimum")


@minimum.forward
def _(a, b):
    return backend.xp.minimum(a, b), (a, b)


@minimum.vjp
def _(residuals, g, needs):
    a, b = residuals
    first = a <= b
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


where = Op("where")


@where.forward
def _(condition, a, b):
    return backend.xp.where(condition, a, b), condition


@where.vjp
def _(condition, g, needs):
    # Multiplying by the mask is far faster than where() on irregular masks; g is finite in
    # practice (a NaN upstream would poison the step either way).
    return (None,
            g * condition if needs[1] else None,
            g * ~condition if needs[2] else None)


clip = Op("clip")


@clip.forward
def _(a, low=None, high=None):
    out = backend.xp.clip(a, low, high)
    # Keras keeps x's dtype: float64 bounds must not promote a float32 tensor.
    return out.astype(a.dtype, copy=False), (a, low, high)


@clip.vjp
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


sign = Op("sign")


@sign.forward
def _(a):
    return backend.xp.sign(a), None


@sign.vjp
def _(residuals, g, needs):
    return (backend.xp.zeros_like(g),)


cast = Op("cast")


@cast.forward
def _(a, dtype=None):
    return a.astype(dtype), (a.dtype,)


@cast.vjp
def _(residuals, g, needs):
    (dtype,) = residuals
    # Only float-to-float casts carry a gradient; casting to int cuts the graph.
    return (g.astype(dtype) if backend.is_float_dtype(dtype) and backend.is_float_dtype(g.dtype) else None,)


stop_gradient = Op("stop_gradient")


@stop_gradient.forward
def _(a):
    return a, None
