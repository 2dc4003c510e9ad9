"""Colour-space conversions of images (keras.ops.image.rgb_to_grayscale / rgb_to_hsv / hsv_to_rgb).

Grayscale is a weighted sum of the planes. The HSV conversions are piecewise (which channel is
the largest, which sixth of the hue circle), so each is one op whose vjp differentiates the piece
each pixel is in; the kernels work channels-last and the public functions move the axis.
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.image_crop_pad import image_axes

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import getitem, stack

# ITU-R BT.601 luma weights, as tf.image.rgb_to_grayscale and Keras use.
_LUMA = (0.2989, 0.5870, 0.1140)


def _images(images):
    return images if hasattr(images, "shape") and hasattr(images, "dtype") else convert_to_tensor(images)


def _planes(images, axis):
    def plane(i):
        index = [slice(None)] * len(images.shape)
        index[axis] = i
        return getitem(images, tuple(index))
    return plane(0), plane(1), plane(2)


def _check_float(images, name):
    if not str(images.dtype).startswith("float"):
        raise ValueError(f"{name} expects float images; received images.dtype={images.dtype}")


def rgb_to_grayscale(images, data_format=None):
    """0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of size 1 (single-channel input is returned as is)."""
    images = _images(images)
    _, _, channels = image_axes(images, data_format)
    if images.shape[channels] not in (1, 3):
        raise ValueError(f"rgb_to_grayscale expects 3 (RGB) or 1 (grayscale) channels; received images.shape="
                         f"{tuple(images.shape)}")
    if images.shape[channels] == 1:
        return images
    red, green, blue = _planes(images, channels)
    gray = red * _LUMA[0] + green * _LUMA[1] + blue * _LUMA[2]
    return stack([gray], axis=channels)


def _to_last(images, axis):
    return images if axis == len(images.shape) - 1 else apply(_moveaxis_op, (images,), {"source": axis, "destination": -1})


def _from_last(images, axis):
    return images if axis == len(images.shape) - 1 else apply(_moveaxis_op, (images,), {"source": -1, "destination": axis})


_moveaxis_op = Op("image_color_moveaxis")


@_moveaxis_op.forward
def _(a, source=-1, destination=-1):
    return backend.xp.moveaxis(a, source, destination), (source, destination)


@_moveaxis_op.vjp
def _(residuals, g, needs):
    source, destination = residuals
    return (backend.xp.moveaxis(g, destination, source),)


rgb_to_hsv_op = Op("rgb_to_hsv")


@rgb_to_hsv_op.forward
def _(images):
    xp = backend.xp
    eps = xp.finfo(images.dtype).eps
    images = xp.where(xp.abs(images) < eps, 0, images).astype(images.dtype, copy=False)
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    value = xp.maximum(xp.maximum(red, green), blue)
    spread = value - xp.minimum(xp.minimum(red, green), blue)
    safe_value = xp.where(value > 0, value, 1)
    safe_spread = xp.where(spread > 0, spread, 1)
    saturation = xp.where(value > 0, spread / safe_value, 0)
    # The channel holding the maximum picks the hue formula: red first, then green, then blue.
    is_red = value == red
    is_green = ~is_red & (value == green)
    numerator = xp.where(is_red, green - blue, xp.where(is_green, blue - red, red - green))
    offset = xp.where(is_red, 0.0, xp.where(is_green, 2.0 / 6.0, 4.0 / 6.0))
    hue = numerator / (6 * safe_spread) + offset
    hue = xp.where(spread > 0, hue, 0)
    hue = hue + (hue < 0)
    out = xp.stack([hue, saturation, value], axis=-1).astype(images.dtype, copy=False)
    return out, (images, value, spread, safe_value, safe_spread, numerator, is_red, is_green)


@rgb_to_hsv_op.vjp
def _(residuals, g, needs):
    # value = x[argmax], low = x[argmin], spread = value - low; saturation = spread / value;
    # hue = numerator / (6 spread) + offset with numerator a difference of the other two channels.
    images, value, spread, safe_value, safe_spread, numerator, is_red, is_green = residuals
    xp = backend.xp
    g_hue, g_saturation, g_value = g[..., 0], g[..., 1], g[..., 2]
    alive = spread > 0
    g_hue = xp.where(alive, g_hue, 0)
    g_numerator = g_hue / (6 * safe_spread)
    g_spread = -g_hue * numerator / (6 * safe_spread ** 2)
    positive = value > 0
    g_spread = g_spread + xp.where(positive, g_saturation / safe_value, 0)
    g_value = g_value - xp.where(positive, g_saturation * spread / safe_value ** 2, 0)
    g_value = g_value + g_spread
    g_low = -g_spread
    is_blue = ~is_red & ~is_green
    grad = xp.zeros_like(images)
    # numerator: red max -> green - blue; green max -> blue - red; blue max -> red - green.
    for mask, plus, minus in ((is_red, 1, 2), (is_green, 2, 0), (is_blue, 0, 1)):
        grad[..., plus] += xp.where(mask, g_numerator, 0)
        grad[..., minus] -= xp.where(mask, g_numerator, 0)
    grad[..., 0] += xp.where(is_red, g_value, 0)
    grad[..., 1] += xp.where(is_green, g_value, 0)
    grad[..., 2] += xp.where(is_blue, g_value, 0)
    low_index = xp.argmin(images, axis=-1)
    for channel in range(3):
        grad[..., channel] += xp.where(low_index == channel, g_low, 0)
    return (grad,)


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to hue, saturation, value in [0, 1] (hue in turns); float images only (differentiable).

    value = max(r, g, b), saturation = (value - min) / value, and the hue from the channel that
    holds the maximum: (g - b) / (6 range) for red, (b - r) / (6 range) + 1/3 for green,
    (r - g) / (6 range) + 2/3 for blue, wrapped into [0, 1).
    """
    images = _images(images)
    _, _, channels = image_axes(images, data_format)
    _check_float(images, "rgb_to_hsv")
    return _from_last(apply(rgb_to_hsv_op, (_to_last(images, channels),), {}), channels)


hsv_to_rgb_op = Op("hsv_to_rgb")

# Each RGB channel's hue weight is clip(sign * (c - |h6 - centre|) ..., 0, 1) with h6 = 6 (hue mod 1):
# red clip(|h6 - 3| - 1), green clip(2 - |h6 - 2|), blue clip(2 - |h6 - 4|).
_HUE_PIECES = ((3.0, 1.0, -1.0), (2.0, -1.0, 2.0), (4.0, -1.0, 2.0))  # (centre, slope of |.|, constant)


@hsv_to_rgb_op.forward
def _(images):
    xp = backend.xp
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    h6 = xp.mod(hue, 1.0) * 6.0
    weights = [xp.clip(slope * xp.abs(h6 - centre) + constant, 0.0, 1.0) for centre, slope, constant in _HUE_PIECES]
    out = xp.stack([value * (1 - saturation + saturation * w) for w in weights], axis=-1)
    return out.astype(images.dtype, copy=False), (images, h6, weights)


@hsv_to_rgb_op.vjp
def _(residuals, g, needs):
    # channel = v (1 - s + s w(h)): d/dv = 1 - s + s w, d/ds = v (w - 1), d/dh = v s w'(h6) 6.
    images, h6, weights = residuals
    xp = backend.xp
    saturation, value = images[..., 1], images[..., 2]
    grad = xp.zeros_like(images)
    for channel, ((centre, slope, constant), weight) in enumerate(zip(_HUE_PIECES, weights)):
        upstream = g[..., channel]
        raw = slope * xp.abs(h6 - centre) + constant
        d_weight = xp.where((raw > 0) & (raw < 1), slope * xp.sign(h6 - centre), 0.0)
        grad[..., 0] += upstream * value * saturation * d_weight * 6.0
        grad[..., 1] += upstream * value * (weight - 1)
        grad[..., 2] += upstream * (1 - saturation + saturation * weight)
    return (grad,)


def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value in [0, 1] back to RGB; float images only (differentiable).

    With h6 = 6 (hue mod 1): r = v (1 - s + s clip(|h6 - 3| - 1, 0, 1)), g and b likewise with
    clip(2 - |h6 - 2|, 0, 1) and clip(2 - |h6 - 4|, 0, 1).
    """
    images = _images(images)
    _, _, channels = image_axes(images, data_format)
    _check_float(images, "hsv_to_rgb")
    return _from_last(apply(hsv_to_rgb_op, (_to_last(images, channels),), {}), channels)
