"""Rounding and the floating-point bit level: trunc, fabs, signbit, nextafter.

floor, ceil, round and sign are in ops/elementwise.py. Rounding has a zero derivative almost everywhere,
so these are ops without a gradient, except fabs (|x| as a float, with the gradient of abs).
"""
from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import promote
from neuroflow.ops.unary import float_unary_op


def _trunc(a):
    # Integers are already whole: Keras returns them unchanged, in their dtype.
    return a if a.dtype.kind in "iub" else backend.xp.trunc(a)


trunc_op = no_gradient_op("trunc", _trunc)
signbit_op = no_gradient_op("signbit", lambda a: backend.xp.signbit(a))
nextafter_op = no_gradient_op("nextafter", lambda a, b: backend.xp.nextafter(*promote(a, b, floating=True)))
fabs_op = float_unary_op("fabs", lambda a: backend.xp.fabs(a), lambda a, out, g: g * backend.xp.sign(a))


def trunc(x):
    """Rounds toward zero (trunc(-1.7) is -1.0); integer inputs come back unchanged."""
    return apply(trunc_op, (x,), {})


def fabs(x):
    """|x| as a float (integer inputs give floatx); the gradient is sign(x)."""
    return apply(fabs_op, (x,), {})


def signbit(x):
    """Whether the sign bit is set: True for negatives and for -0.0 (a bool Tensor)."""
    return apply(signbit_op, (x,), {})


def nextafter(x1, x2):
    """The next representable float after x1 in the direction of x2 (in their common float dtype)."""
    return apply(nextafter_op, (x1, x2), {})
