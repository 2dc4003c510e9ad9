"""Division in its other forms: mod, fmod, floor_divide, divide_no_nan; gcd, lcm; ldexp (x * 2^e).

`divide` and `true_divide` are in ops/elementwise.py. mod follows Python (the result takes the divisor's
sign: mod(-3, 2) is 1), fmod follows C (the dividend's sign: fmod(-3, 2) is -1). Integer inputs stay
integer for mod, fmod and floor_divide, as in Keras; divide_no_nan and ldexp give floats.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import dtype_of, promote, result_type
from neuroflow.ops.unary import float_binary_op

HOST_NUMPY = "reads the divisor's dtype kind for the error text"  # numpy here works on host data (tests/test_backend_seam.py)


def _xp():
    return backend.xp


def _mod_inputs(a, b):
    # Keras: two bools compute in int32 (NumPy has no bool remainder).
    a, b = promote(a, b)
    if a.dtype == bool:
        a, b = a.astype("int32"), b.astype("int32")
    return a, b


def _mod_derivatives(a, b, out, g, needs):
    # a mod b = a - b floor(a / b): d/da = 1, d/db = -floor(a / b) (away from the jumps).
    return g, (-g * _xp().floor(a / b) if needs[1] else None)


def _fmod_derivatives(a, b, out, g, needs):
    return g, (-g * _xp().trunc(a / b) if needs[1] else None)


mod_op = float_binary_op("mod", lambda a, b: _xp().mod(*_mod_inputs(a, b)), _mod_derivatives, floating=False)
fmod_op = float_binary_op("fmod", lambda a, b: _xp().fmod(*_mod_inputs(a, b)), _fmod_derivatives, floating=False)


def mod(x1, x2):
    """The remainder of x1 / x2 with the sign of x2 (Python's %)."""
    return apply(mod_op, (x1, x2), {})


def fmod(x1, x2):
    """The remainder of x1 / x2 with the sign of x1 (C's fmod)."""
    return apply(fmod_op, (x1, x2), {})


floor_divide_op = no_gradient_op("floor_divide", lambda a, b: _xp().floor_divide(*promote(a, b)))


def floor_divide(x1, x2):
    """floor(x1 / x2) (Python's //), in the inputs' common dtype; no gradient (it is piecewise constant)."""
    return apply(floor_divide_op, (x1, x2), {})


def _divide_no_nan(a, b):
    xp = _xp()
    zero = b == 0
    # Dividing by a stand-in 1 where b is 0 keeps the warning and the inf/NaN out of the result.
    return xp.where(zero, 0, a / xp.where(zero, 1, b))


def _divide_no_nan_derivatives(a, b, out, g, needs):
    xp = _xp()
    zero = b == 0
    grad_a = xp.where(zero, 0, g / xp.where(zero, 1, b))
    return (grad_a if needs[0] else None), (-grad_a * out if needs[1] else None)


divide_no_nan_op = float_binary_op("divide_no_nan", _divide_no_nan, _divide_no_nan_derivatives)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 wherever x2 is 0 (also the gradient there), so 0 / 0 is 0 rather than NaN."""
    return apply(divide_no_nan_op, (x1, x2), {})


gcd_op = no_gradient_op("gcd", lambda a, b: _xp().gcd(*promote(a, b)))
lcm_op = no_gradient_op("lcm", lambda a, b: _xp().lcm(*promote(a, b)))


def gcd(x1, x2):
    """The greatest common divisor of integers, elementwise (always >= 0)."""
    return apply(gcd_op, (x1, x2), {})


def lcm(x1, x2):
    """The least common multiple of integers, elementwise (always >= 0)."""
    return apply(lcm_op, (x1, x2), {})


ldexp_op = Op("ldexp")


@ldexp_op.forward
def _(a, b):
    # The exponent stays integer (NumPy's ldexp takes no float exponent); the mantissa takes the float dtype.
    dtype = result_type(dtype_of(a), dtype_of(b), float)
    b = _xp().asarray(b)
    return _xp().ldexp(_xp().asarray(a, dtype=dtype), b).astype(dtype, copy=False), b


@ldexp_op.vjp
def _(b, g, needs):
    return g * _xp().exp2(b).astype(g.dtype, copy=False), None


def ldexp(x1, x2):
    """x1 * 2^x2, for integer exponents x2; the gradient flows to x1 only.

    Raises:
        TypeError: if x2 is not of an integer dtype.
    """
    if isinstance(x2, bool) or not isinstance(x2, int):
        kind = numpy.dtype(x2.dtype if hasattr(x2, "dtype") else numpy.asarray(x2).dtype).kind
        if kind not in "iu":
            raise TypeError("ldexp expects x2 (the exponent) of an integer dtype; got x2 with dtype "
                            f"{numpy.dtype(x2.dtype if hasattr(x2, 'dtype') else numpy.asarray(x2).dtype).name}")
    return apply(ldexp_op, (x1, x2), {})
