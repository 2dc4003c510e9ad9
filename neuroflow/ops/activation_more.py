"""Sparsemax (Martins and Astudillo, 2016): the Euclidean projection of x onto the probability simplex.

sparsemax(x) = max(x - tau, 0), tau chosen so the outputs sum to 1 along `axis`; many outputs are
exactly 0. With S the support (outputs > 0) and k = |S|, the Jacobian is diag(s) - s s^T / k, s the
support's indicator, so the vjp is s * (g - sum(g * s) / k).
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply

sparsemax_op = Op("sparsemax")


@sparsemax_op.forward
def _(x, axis=-1):
    xp = backend.xp
    moved = xp.moveaxis(x, axis, -1)
    ordered = -xp.sort(-moved, axis=-1)
    ranks = xp.arange(1, moved.shape[-1] + 1, dtype=x.dtype)
    cumulative = xp.cumsum(ordered, axis=-1)
    # k = the largest rank with 1 + k z_(k) > sum of the k largest.
    support_size = (1 + ranks * ordered > cumulative).sum(axis=-1, keepdims=True)
    tau = (xp.take_along_axis(cumulative, support_size - 1, axis=-1) - 1) / support_size.astype(x.dtype)
    out = xp.moveaxis(xp.maximum(moved - tau, 0), -1, axis).astype(x.dtype, copy=False)
    return out, (out, axis)


@sparsemax_op.vjp
def _(residuals, g, needs):
    out, axis = residuals
    support = (out > 0).astype(g.dtype)
    size = support.sum(axis=axis, keepdims=True)
    return (support * (g - (g * support).sum(axis=axis, keepdims=True) / size),)


def sparsemax(x, axis=-1):
    """Sparsemax along `axis`: probabilities that sum to 1, with exact zeros below a threshold.

    Example: sparsemax([0.0, 1.0, 3.0]) -> [0, 0, 1]; sparsemax([1.0, 1.2]) -> [0.4, 0.6].
    """
    return apply(sparsemax_op, (x,), {"axis": axis})
