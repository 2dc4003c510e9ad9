"""The parts of complex numbers for real inputs: conj, conjugate, real, imag, angle; isreal.

neuroflow computes in real dtypes, so conj and real are identities (with the identity gradient), imag is
zeros, and angle is 0 for x >= 0 and pi for x < 0 (NumPy's convention), with a zero gradient. Complex
inputs go through NumPy unchanged.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import as_float


def _xp():
    return backend.xp


conj_op = Op("conj")


@conj_op.forward
def _(a):
    return _xp().conj(a), None


@conj_op.vjp
def _(residuals, g, needs):
    return (_xp().conj(g),)


real_op = Op("real")


@real_op.forward
def _(a):
    return _xp().real(a), None


@real_op.vjp
def _(residuals, g, needs):
    return (g,)


imag_op = no_gradient_op("imag", lambda a: _xp().imag(_xp().asarray(a)))
isreal_op = no_gradient_op("isreal", lambda a: _xp().isreal(_xp().asarray(a)))
angle_op = no_gradient_op("angle", lambda a: _xp().angle(as_float(a)).astype(as_float(a).dtype, copy=False))


def conj(x):
    """The complex conjugate (x itself for real x)."""
    return apply(conj_op, (x,), {})


def conjugate(x):
    return conj(x)


def real(x):
    """The real part (x itself for real x)."""
    return apply(real_op, (x,), {})


def imag(x):
    """The imaginary part (zeros of x's dtype for real x)."""
    return apply(imag_op, (x,), {})


def angle(x):
    """The argument of complex x; for real x, 0 where x >= 0 and pi where x < 0 (integer inputs give floatx)."""
    return apply(angle_op, (x,), {})


def isreal(x):
    """True where the imaginary part is 0 (everywhere, for real x)."""
    return apply(isreal_op, (x,), {})
