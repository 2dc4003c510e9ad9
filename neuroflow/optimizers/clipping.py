"""Gradient clipping: by each gradient's norm, by the joint norm of all, or element by element."""
import math

from neuroflow import backend


def clip_gradients(grads, clipnorm=None, global_clipnorm=None, clipvalue=None):
    """The gradients clipped by the one clipping argument that is set (the optimizer allows one).

    clipnorm: g * clipnorm / max(norm(g), clipnorm) for each g; global_clipnorm: every g scaled by
    global_clipnorm / max(global_norm, global_clipnorm); clipvalue: clip(g, -clipvalue, clipvalue).
    """
    xp = backend.xp
    if clipnorm:
        clipped = []
        for grad in grads:
            norm = float(xp.sqrt(xp.sum(xp.square(grad))))
            # g * clipnorm / max(norm, clipnorm): unchanged when already short enough.
            clipped.append(grad if norm <= clipnorm else grad * (clipnorm / norm))
        return clipped
    if global_clipnorm:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue:
        return [xp.clip(grad, -clipvalue, clipvalue) for grad in grads]
    return grads


def global_norm(value_list):
    """sqrt(sum of squares of every element of every array), ignoring None."""
    xp = backend.xp
    return math.sqrt(sum(float(xp.sum(xp.square(v))) for v in value_list if v is not None))


def clip_by_global_norm(value_list, clip_norm):
    """Rescales all arrays by `clip_norm / max(global_norm, clip_norm)`.

    A non-finite global norm makes every value NaN (as Keras does), so a diverged step shows.
    """
    norm = global_norm(value_list)
    if not math.isfinite(norm):
        scale = math.nan
    elif norm <= clip_norm:
        return list(value_list)
    else:
        scale = clip_norm / norm
    return [None if v is None else v * scale for v in value_list]
