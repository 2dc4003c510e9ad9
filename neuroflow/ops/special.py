"""The error function, its complement and its inverse (keras.ops.erf, erfc, erfinv), and the Bessel i0, without SciPy.

NumPy has no erf and SciPy is no runtime dependency, so both are computed here:

- erf, float64: the C library's erf (Python's `math.erf`, accurate to about an ulp), mapped over the
  elements. float32 and float16: the Numerical Recipes Chebyshev fit of erfc (|error| < 1.2e-7, below
  float32's resolution near 1), vectorized and fast (ops/activation.py, which exact GELU also uses).
- erfinv: Winitzki's closed-form approximation (relative error ~2e-3) as a start, then Halley steps on
  f(x) = erf(x) - y, which converge cubically: three steps take the start past float64 precision.
  y = +-1 gives +-inf and |y| > 1 NaN, as SciPy does.

- erfc: the C library's erfc in every dtype (1 - erf would lose all digits of erfc(4) = 1.5e-8 in float32).
- i0: NumPy's (Clenshaw's Chebyshev series), without a gradient (i0' is i1, which NumPy lacks).

Derivatives: erf'(x) = 2 / sqrt(pi) e^(-x^2) = -erfc'(x); erfinv'(y) = sqrt(pi) / 2 e^(erfinv(y)^2).
"""
import math

import numpy

from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.activation import _erf as _erf_chebyshev
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import as_float
from neuroflow.ops.unary import float_unary_op

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "float64 erf/erfc through math.erf on a host copy (exact, for gradient checks); float32 stays on the device"

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_math_erf = numpy.frompyfunc(math.erf, 1, 1)
_math_erfc = numpy.frompyfunc(math.erfc, 1, 1)


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


def _erfc(a):
    host = backend.to_numpy(a).astype(numpy.float64)
    return backend.xp.asarray(_math_erfc(host).astype(a.dtype))


erfc_op = float_unary_op("erfc", _erfc, lambda a, out, g: -g * _TWO_OVER_SQRT_PI * backend.xp.exp(-a * a))


def erfc(x):
    """The complementary error function 1 - erf(x), accurate where it is tiny (large x)."""
    return apply(erfc_op, (x,), {})


def _i0(a):
    # Keras: int64 computes in float64, other integers in floatx.
    a = a.astype("float64") if a.dtype == numpy.int64 else as_float(a)
    return backend.xp.i0(a).astype(a.dtype, copy=False)


i0_op = no_gradient_op("i0", _i0)


def i0(x):
    """The modified Bessel function of the first kind, order 0: I0(x) = sum over k of ((x / 2)^k / k!)^2."""
    return apply(i0_op, (x,), {})
