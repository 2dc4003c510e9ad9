"""Exponentials, logarithms and powers beyond exp/log/sqrt (ops/elementwise.py): log1p, log2, log10, expm1,
exp2, logaddexp, logaddexp2, cbrt, rsqrt, reciprocal.

log1p and expm1 exist for accuracy near 0 (log(1 + 1e-10) rounds 1 + 1e-10 first); logaddexp computes
log(e^a + e^b) as max + log1p(e^-|a - b|), which never overflows. Integer inputs give floatx, as in Keras.
"""
import math

from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.unary import float_binary_op, float_unary_op


def _xp():
    return backend.xp


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

log1p_op = float_unary_op("log1p", lambda a: _xp().log1p(a), lambda a, out, g: g / (1 + a))
log2_op = float_unary_op("log2", lambda a: _xp().log2(a), lambda a, out, g: g / (a * _LN2))
log10_op = float_unary_op("log10", lambda a: _xp().log10(a), lambda a, out, g: g / (a * _LN10))
expm1_op = float_unary_op("expm1", lambda a: _xp().expm1(a), lambda a, out, g: g * (out + 1))
exp2_op = float_unary_op("exp2", lambda a: _xp().exp2(a), lambda a, out, g: g * out * _LN2)
# cbrt' = 1 / (3 cbrt(x)^2): infinite at 0, like the true derivative.
cbrt_op = float_unary_op("cbrt", lambda a: _xp().cbrt(a), lambda a, out, g: g / (3 * out * out))
# d(x^-1/2)/dx = -x^-3/2 / 2 = -out^3 / 2.
rsqrt_op = float_unary_op("rsqrt", lambda a: 1 / _xp().sqrt(a), lambda a, out, g: -0.5 * g * out * out * out)
reciprocal_op = float_unary_op("reciprocal", lambda a: _xp().reciprocal(a), lambda a, out, g: -g * out * out)


def log1p(x):
    """log(1 + x), accurate for small x."""
    return apply(log1p_op, (x,), {})


def log2(x):
    """Base-2 logarithm."""
    return apply(log2_op, (x,), {})


def log10(x):
    """Base-10 logarithm."""
    return apply(log10_op, (x,), {})


def expm1(x):
    """e^x - 1, accurate for small x."""
    return apply(expm1_op, (x,), {})


def exp2(x):
    """2^x."""
    return apply(exp2_op, (x,), {})


def cbrt(x):
    """The real cube root (negative for negative x)."""
    return apply(cbrt_op, (x,), {})


def rsqrt(x):
    """1 / sqrt(x) (keras.ops.rsqrt)."""
    return apply(rsqrt_op, (x,), {})


def reciprocal(x):
    """1 / x; integer inputs give floatx (1 / 2 is 0.5, not NumPy's integer 0)."""
    return apply(reciprocal_op, (x,), {})


def _logaddexp_derivatives(a, b, out, g, needs):
    # d/da log(e^a + e^b) = e^a / (e^a + e^b) = e^(a - out): a softmax weight, never overflowing.
    xp = _xp()
    return (g * xp.exp(a - out) if needs[0] else None), (g * xp.exp(b - out) if needs[1] else None)


logaddexp_op = float_binary_op("logaddexp", lambda a, b: _xp().logaddexp(a, b), _logaddexp_derivatives)


def _logaddexp2_derivatives(a, b, out, g, needs):
    xp = _xp()
    return (g * xp.exp2(a - out) if needs[0] else None), (g * xp.exp2(b - out) if needs[1] else None)


logaddexp2_op = float_binary_op("logaddexp2", lambda a, b: _xp().logaddexp2(a, b), _logaddexp2_derivatives)


def logaddexp(x1, x2):
    """log(e^x1 + e^x2), without overflow."""
    return apply(logaddexp_op, (x1, x2), {})


def logaddexp2(x1, x2):
    """log2(2^x1 + 2^x2), without overflow."""
    return apply(logaddexp2_op, (x1, x2), {})
