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
        if not backend.on_device():
            clipped = []
            for grad in grads:
                norm = float(xp.sqrt(xp.sum(xp.square(grad))))
                # g * clipnorm / max(norm, clipnorm): unchanged when already short enough.
                clipped.append(grad if norm <= clipnorm else grad * (clipnorm / norm))
            return clipped
        # On a device, without asking it for the norms (a wait per gradient): the same factor
        # clipnorm / max(norm, clipnorm), in float64 as Python computes it, then in the gradient's dtype.
        return [grad * _scale(clipnorm, xp.sqrt(xp.sum(xp.square(grad))), grad.dtype) for grad in grads]
    if global_clipnorm:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue:
        return [xp.clip(grad, -clipvalue, clipvalue) for grad in grads]
    return grads


def _scale(clip, norm, dtype):
    """clip / max(norm, clip) as a 0-d array of `dtype`, computed in float64; NaN for a non-finite norm."""
    xp = backend.xp
    norm = norm.astype("float64")
    return xp.where(xp.isfinite(norm), clip / xp.maximum(norm, clip), math.nan).astype(dtype)


def global_norm(value_list):
    """sqrt(sum of squares of every element of every array), ignoring None: a float (on a device, a 0-d float64 array)."""
    xp = backend.xp
    squares = [xp.sum(xp.square(v)) for v in value_list if v is not None]
    if not backend.on_device():
        return math.sqrt(sum(float(square) for square in squares))
    # Summed in float64 in the same order as on the host, without a copy to the host per array.
    total = xp.zeros((), dtype="float64")
    for square in squares:
        total = total + square.astype("float64")
    return xp.sqrt(total)


def clip_by_global_norm(value_list, clip_norm):
    """Rescales all arrays by `clip_norm / max(global_norm, clip_norm)`.

    A non-finite global norm makes every value NaN (as Keras does), so a diverged step shows.
    """
    norm = global_norm(value_list)
    if backend.on_device():  # the factor stays on the device: no wait for the norm
        return [None if v is None else v * _scale(clip_norm, norm, v.dtype) for v in value_list]
    if not math.isfinite(norm):
        scale = math.nan
    elif norm <= clip_norm:
        return list(value_list)
    else:
        scale = clip_norm / norm
    return [None if v is None else v * scale for v in value_list]
