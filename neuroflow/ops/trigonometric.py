"""Trigonometric and hyperbolic functions, their inverses, angle conversion, sinc, arctan2 and hypot.

Each op's forward and derivative sit side by side (ops/unary.py builds the op); integer inputs give floatx,
as in Keras. The inverse functions' derivatives are infinite at the ends of their domains (arcsin at +-1,
arccosh at 1), as the calculus says; NumPy returns NaN outside the domain and so do these.
"""
import math

from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.unary import float_binary_op, float_unary_op


def _xp():
    return backend.xp


sin_op = float_unary_op("sin", lambda a: _xp().sin(a), lambda a, out, g: g * _xp().cos(a))
cos_op = float_unary_op("cos", lambda a: _xp().cos(a), lambda a, out, g: -g * _xp().sin(a))
# tan' = 1 + tan^2: reuses the output instead of dividing by cos^2.
tan_op = float_unary_op("tan", lambda a: _xp().tan(a), lambda a, out, g: g * (1 + out * out))
arcsin_op = float_unary_op("arcsin", lambda a: _xp().arcsin(a), lambda a, out, g: g / _xp().sqrt(1 - a * a))
arccos_op = float_unary_op("arccos", lambda a: _xp().arccos(a), lambda a, out, g: -g / _xp().sqrt(1 - a * a))
arctan_op = float_unary_op("arctan", lambda a: _xp().arctan(a), lambda a, out, g: g / (1 + a * a))
sinh_op = float_unary_op("sinh", lambda a: _xp().sinh(a), lambda a, out, g: g * _xp().cosh(a))
cosh_op = float_unary_op("cosh", lambda a: _xp().cosh(a), lambda a, out, g: g * _xp().sinh(a))
arcsinh_op = float_unary_op("arcsinh", lambda a: _xp().arcsinh(a), lambda a, out, g: g / _xp().sqrt(a * a + 1))
arccosh_op = float_unary_op("arccosh", lambda a: _xp().arccosh(a), lambda a, out, g: g / _xp().sqrt(a * a - 1))
arctanh_op = float_unary_op("arctanh", lambda a: _xp().arctanh(a), lambda a, out, g: g / (1 - a * a))
deg2rad_op = float_unary_op("deg2rad", lambda a: _xp().deg2rad(a), lambda a, out, g: g * (math.pi / 180))
rad2deg_op = float_unary_op("rad2deg", lambda a: _xp().rad2deg(a), lambda a, out, g: g * (180 / math.pi))


def _sinc_derivative(a, out, g):
    # d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc(x)) / x, which tends to 0 at x = 0 (sinc is even).
    xp = _xp()
    zero = a == 0
    safe = xp.where(zero, 1, a)
    return g * xp.where(zero, 0, (xp.cos(math.pi * a) - out) / safe)


sinc_op = float_unary_op("sinc", lambda a: _xp().sinc(a), _sinc_derivative)


def sin(x):
    """Sine, elementwise (radians)."""
    return apply(sin_op, (x,), {})


def cos(x):
    """Cosine, elementwise (radians)."""
    return apply(cos_op, (x,), {})


def tan(x):
    """Tangent, elementwise (radians)."""
    return apply(tan_op, (x,), {})


def arcsin(x):
    """Inverse sine, in [-pi/2, pi/2]; NaN outside [-1, 1]."""
    return apply(arcsin_op, (x,), {})


def arccos(x):
    """Inverse cosine, in [0, pi]; NaN outside [-1, 1]."""
    return apply(arccos_op, (x,), {})


def arctan(x):
    """Inverse tangent, in (-pi/2, pi/2)."""
    return apply(arctan_op, (x,), {})


def sinh(x):
    return apply(sinh_op, (x,), {})


def cosh(x):
    return apply(cosh_op, (x,), {})


def arcsinh(x):
    return apply(arcsinh_op, (x,), {})


def arccosh(x):
    """Inverse hyperbolic cosine; NaN below 1."""
    return apply(arccosh_op, (x,), {})


def arctanh(x):
    """Inverse hyperbolic tangent; +-inf at +-1, NaN outside [-1, 1]."""
    return apply(arctanh_op, (x,), {})


def deg2rad(x):
    """Degrees to radians: x * pi / 180."""
    return apply(deg2rad_op, (x,), {})


def rad2deg(x):
    """Radians to degrees: x * 180 / pi."""
    return apply(rad2deg_op, (x,), {})


def sinc(x):
    """The normalized sinc: sin(pi x) / (pi x), and 1 at x = 0."""
    return apply(sinc_op, (x,), {})


def _arctan2_derivatives(a, b, out, g, needs):
    # atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
    scale = g / (a * a + b * b)
    return (scale * b if needs[0] else None), (-scale * a if needs[1] else None)


arctan2_op = float_binary_op("arctan2", lambda a, b: _xp().arctan2(a, b), _arctan2_derivatives)


def arctan2(x1, x2):
    """The angle of the point (x2, x1) from the positive x axis, in [-pi, pi] (the quadrant-aware arctan(x1 / x2))."""
    return apply(arctan2_op, (x1, x2), {})


def _hypot_derivatives(a, b, out, g, needs):
    scale = g / out
    return (scale * a if needs[0] else None), (scale * b if needs[1] else None)


hypot_op = float_binary_op("hypot", lambda a, b: _xp().hypot(a, b), _hypot_derivatives)


def hypot(x1, x2):
    """sqrt(x1^2 + x2^2), elementwise, without overflow for large inputs."""
    return apply(hypot_op, (x1, x2), {})
