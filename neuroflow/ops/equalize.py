"""Histogram equalization of images (the Equalization layer's op).

A lookup through a histogram is piecewise constant in the values, so the op is a constant for the
tape (no vjp). Computed in float32 as Keras 3 does, so the bins and the rounding match.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

equalize = Op("equalize")


def _rescale(values, source, target):
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * numpy.float32(scale) + numpy.float32(target[0] - source[0] * scale)


def _equalize_channel(channel, bins):
    """One channel (any shape) on the 0..255 scale, equalized with a `bins`-bin histogram of all its values."""
    xp = backend.xp
    indices = xp.clip((channel * numpy.float32((bins - 1) / 255.0)).astype("int32"), 0, bins - 1)
    histogram = xp.bincount(indices.reshape(-1), minlength=bins)
    if xp.count_nonzero(histogram) <= 1:
        return channel
    cdf = xp.cumsum(histogram)
    cdf_min = cdf[xp.nonzero(cdf)[0][0]]
    denominator = cdf[-1] - cdf_min
    denominator = denominator if denominator != 0 else 1
    table = xp.clip(xp.round((cdf - cdf_min) * 255 / denominator), 0, 255).astype(channel.dtype)
    lookup = xp.clip(channel / numpy.float32(255.0) * numpy.float32(bins - 1), 0, bins - 1).astype("int32")
    return table[lookup]


@equalize.forward
def _(images, value_range=(0.0, 255.0), bins=256, channel_axis=-1):
    """Each channel (along `channel_axis`) of the whole input equalized over its values (all the
    images of the batch together, as Keras 3 computes the histogram)."""
    xp = backend.xp
    x = images.astype("float32")
    scaled = _rescale(x, value_range, (0.0, 255.0))
    channels = [_equalize_channel(xp.take(scaled, c, axis=channel_axis), bins) for c in range(x.shape[channel_axis])]
    out = _rescale(xp.stack(channels, axis=channel_axis), (0.0, 255.0), value_range)
    return out.astype(images.dtype if images.dtype.kind == "f" else "float32"), None
