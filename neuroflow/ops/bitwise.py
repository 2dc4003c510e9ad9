"""Bit operations on integers (and bools): and, or, xor, not, shifts; and logical_xor.

The inputs meet at their common Keras dtype first (int32 with int8 is int32, never NumPy's value-based
widening). No gradients: these are defined on integers only.
"""
from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import promote


def _xp():
    return backend.xp


bitwise_and_op = no_gradient_op("bitwise_and", lambda a, b: _xp().bitwise_and(*promote(a, b)))
bitwise_or_op = no_gradient_op("bitwise_or", lambda a, b: _xp().bitwise_or(*promote(a, b)))
bitwise_xor_op = no_gradient_op("bitwise_xor", lambda a, b: _xp().bitwise_xor(*promote(a, b)))
bitwise_invert_op = no_gradient_op("bitwise_invert", lambda a: _xp().invert(_xp().asarray(a)))
left_shift_op = no_gradient_op("left_shift", lambda a, b: _xp().left_shift(*promote(a, b)))
right_shift_op = no_gradient_op("right_shift", lambda a, b: _xp().right_shift(*promote(a, b)))
logical_xor_op = no_gradient_op("logical_xor", lambda a, b: _xp().logical_xor(a, b))


def bitwise_and(x, y):
    return apply(bitwise_and_op, (x, y), {})


def bitwise_or(x, y):
    return apply(bitwise_or_op, (x, y), {})


def bitwise_xor(x, y):
    return apply(bitwise_xor_op, (x, y), {})


def bitwise_invert(x):
    """Flips every bit (~x: -x - 1 for signed integers, logical not for bools)."""
    return apply(bitwise_invert_op, (x,), {})


def bitwise_not(x):
    """The same as bitwise_invert."""
    return bitwise_invert(x)


def bitwise_left_shift(x, y):
    """x << y: x * 2^y for integers."""
    return apply(left_shift_op, (x, y), {})


def bitwise_right_shift(x, y):
    """x >> y: floor(x / 2^y) for integers (arithmetic shift for signed ones)."""
    return apply(right_shift_op, (x, y), {})


def left_shift(x, y):
    return bitwise_left_shift(x, y)


def right_shift(x, y):
    return bitwise_right_shift(x, y)


def logical_xor(x1, x2):
    """True where exactly one of x1, x2 is true (nonzero), as a bool Tensor."""
    return apply(logical_xor_op, (x1, x2), {})
