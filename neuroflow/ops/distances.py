"""keras.ops.cdist: the Euclidean distance between every row of x and every row of y.

Its vjp divides by the distance, taken as 1 where it is 0 so that coincident points get a zero gradient
(the subgradient) rather than NaN.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.decompositions import float_input

cdist_op = Op("cdist")


@cdist_op.forward
def _(a, b):
    diff = a[..., :, None, :] - b[..., None, :, :]
    out = backend.xp.sqrt(backend.xp.sum(diff * diff, axis=-1))
    return out, (diff, out)


@cdist_op.vjp
def _(residuals, g, needs):
    diff, out = residuals
    # d d_ij / d x_i = (x_i - y_j) / d_ij; the same with the opposite sign for y_j.
    scaled = diff * (g / backend.xp.where(out == 0, 1, out))[..., None]
    return (scaled.sum(axis=-2) if needs[0] else None), (-scaled.sum(axis=-3) if needs[1] else None)


def cdist(x, y):
    """Distances (..., N, M) between the rows of x (..., N, D) and y (..., M, D)."""
    x, y = float_input(x), float_input(y)
    if len(x.shape) < 2 or len(y.shape) < 2:
        raise ValueError(f"ops.cdist expects inputs of rank >= 2; received x.shape={tuple(x.shape)}, "
                         f"y.shape={tuple(y.shape)}")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"ops.cdist expects x and y to have the same last dimension; received "
                         f"x.shape={tuple(x.shape)}, y.shape={tuple(y.shape)}")
    return apply(cdist_op, (x, y), {})
