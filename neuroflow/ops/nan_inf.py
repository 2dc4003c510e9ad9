"""Tests for infinities and closeness, and the replacement of NaN and infinities: isinf, isneginf,
isposinf, isclose, allclose, nan_to_num. isnan and isfinite are in ops/elementwise.py.

All are without gradient except nan_to_num, which passes the gradient where x was finite (elsewhere the
output is a constant).
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of
from neuroflow.ops.no_gradient import no_gradient_op


def _xp():
    return backend.xp


isinf_op = no_gradient_op("isinf", lambda a: _xp().isinf(a))
isneginf_op = no_gradient_op("isneginf", lambda a: _xp().isneginf(a))
isposinf_op = no_gradient_op("isposinf", lambda a: _xp().isposinf(a))
isclose_op = no_gradient_op("isclose", lambda a, b, rtol, atol, equal_nan: _xp().isclose(
    a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isinf(x):
    """True where x is +inf or -inf."""
    return apply(isinf_op, (x,), {})


def isneginf(x):
    return apply(isneginf_op, (x,), {})


def isposinf(x):
    return apply(isposinf_op, (x,), {})


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where |x1 - x2| <= atol + rtol |x2| (NaNs equal each other only with equal_nan)."""
    return apply(isclose_op, (x1, x2), {"rtol": float(rtol), "atol": float(atol), "equal_nan": bool(equal_nan)})


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere: a scalar bool Tensor."""
    return Tensor(_xp().asarray(_xp().allclose(value_of(x1), value_of(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)))


nan_to_num_op = Op("nan_to_num")


@nan_to_num_op.forward
def _(a, nan=0.0, posinf=None, neginf=None):
    a = _xp().asarray(a)
    return _xp().nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf), a


@nan_to_num_op.vjp
def _(a, g, needs):
    return (g * _xp().isfinite(a),)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN replaced by `nan` and infinities by `posinf` / `neginf` (default: the dtype's largest finite values)."""
    return apply(nan_to_num_op, (x,), {"nan": nan, "posinf": posinf, "neginf": neginf})
