"""keras.ops.logdet and slogdet: the log of |det A| (and det A's sign), with gradient g A^-T.

slogdet is computed from an LU factorisation, which stays finite where det itself would over- or underflow.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.decompositions import float_input
from neuroflow.ops.plain import plain_op

logabsdet_op = Op("logabsdet")


@logabsdet_op.forward
def _(a):
    return backend.xp.linalg.slogdet(a)[1], a


@logabsdet_op.vjp
def _(a, g, needs):
    # d log|det A| = tr(A^-1 dA), so gA = g A^-T.
    return (g[..., None, None] * backend.xp.swapaxes(backend.xp.linalg.inv(a), -1, -2),)


sign_det_op = plain_op("sign_det", lambda a: backend.xp.linalg.slogdet(a)[0])


def _square(x, name):
    x = float_input(x)
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"ops.{name} expects square matrices (..., M, M); received x.shape={shape}")
    return x


def slogdet(x):
    """(sign, log|det|) of each square matrix; the log is differentiable, the sign is not."""
    x = _square(x, "slogdet")
    return apply(sign_det_op, (x,), {}), apply(logabsdet_op, (x,), {})


def logdet(x):
    """log|det| of each square matrix (Keras' logdet, meant for positive-definite ones); gradient g A^-T."""
    return apply(logabsdet_op, (_square(x, "logdet"),), {})
