"""The error function and its inverse (keras.ops.erf, keras.ops.erfinv), without SciPy.

NumPy has no erf and SciPy is no runtime dependency, so both are computed here:

- erf, float64: the C library's erf (Python's `math.erf`, accurate to about an ulp), mapped over the
  elements. float32 and float16: the Numerical Recipes Chebyshev fit of erfc (|error| < 1.2e-7, below
  float32's resolution near 1), vectorized and fast (ops/activation.py, which exact GELU also uses).
- erfinv: Winitzki's closed-form approximation (relative error ~2e-3) as a start, then Halley steps on
  f(x) = erf(x) - y, which converge cubically: three steps take the start past float64 precision.
  y = +-1 gives +-inf and |y| > 1 NaN, as SciPy does.

Derivatives: erf'(x) = 2 / sqrt(pi) e^(-x^2); erfinv'(y) = sqrt(pi) / 2 e^(erfinv(y)^2).
"""
import math

import numpy

from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.activation import _erf as _erf_chebyshev
from neuroflow.ops.unary import float_unary_op

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_math_erf = numpy.frompyfunc(math.erf, 1, 1)


def _erf(a):
    if a.dtype == numpy.float64:
        host = backend.to_numpy(a)
        return backend.xp.asarray(_math_erf(host).astype(numpy.float64))
    return _erf_chebyshev(a).astype(a.dtype, copy=False)


_WINITZKI_A = 0.147


def _erfinv(y):
    xp = backend.xp
    with numpy.errstate(divide="ignore", invalid="ignore"):
        # Winitzki: erfinv(y) ~ sign(y) sqrt(sqrt(t^2 - ln(1 - y^2) / a) - t), t = 2 / (pi a) + ln(1 - y^2) / 2.
        log_term = xp.log1p(-y * y)
        t = 2.0 / (math.pi * _WINITZKI_A) + 0.5 * log_term
        x = xp.sign(y) * xp.sqrt(xp.sqrt(t * t - log_term / _WINITZKI_A) - t)
        inside = xp.abs(y) < 1
        x = xp.where(inside, x, 0)
        for _ in range(3):
            # Halley on f = erf(x) - y, with f' = 2/sqrt(pi) e^-x^2 and f'' = -2 x f':
            # x <- x - 2 f f' / (2 f'^2 - f f'') = x - f / (f' + x f).
            f = _erf(x) - y
            slope = _TWO_OVER_SQRT_PI * xp.exp(-x * x)
            x = x - f / (slope + x * f)
        x = xp.where(inside, x, xp.where(xp.abs(y) == 1, y * xp.inf, xp.nan))
    return x.astype(y.dtype, copy=False)


erf_op = float_unary_op("erf", _erf, lambda a, out, g: g * _TWO_OVER_SQRT_PI * backend.xp.exp(-a * a))
erfinv_op = float_unary_op("erfinv", _erfinv, lambda a, out, g: g / _TWO_OVER_SQRT_PI * backend.xp.exp(out * out))


def erf(x):
    """The error function, 2 / sqrt(pi) * integral of e^(-t^2) from 0 to x; integer inputs give floatx.

    Example: `erf([0.0, 1.0])` is about [0.0, 0.8427].
    """
    return apply(erf_op, (x,), {})


def erfinv(x):
    """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside); erf(erfinv(y)) == y."""
    return apply(erfinv_op, (x,), {})
