"""Colour and blur augmentation layers (keras.layers' names): RandomHue, RandomSaturation,
RandomSharpness, RandomGaussianBlur and RandomColorJitter (brightness, contrast, saturation, hue),
and the deterministic Equalization.

As the other Random* layers (image_augmentation.py), they act only in training and are the identity
otherwise; the random numbers are drawn inside ops (ops/augmentation.py, ops/augmentation_draws.py)
from the layer's SeedGenerator stream. Each factor follows Keras 3's rule (image_augmentation's
_bounded_pair): a number f gives (max(-f, low), f), a pair is sorted.
"""
from neuroflow import ops
from neuroflow.layers.image_augmentation import _bounded_pair, _ImageLayer
from neuroflow.layers.image_preprocessing import RandomBrightness, RandomContrast, _value_range
from neuroflow.ops import augmentation_draws, equalize
from neuroflow.ops import image as image_ops
from neuroflow.ops.image_color import hsv_to_rgb, rgb_to_hsv

# Keras' backend.epsilon(), in RandomSaturation's factor / (1 - factor + eps).
_EPSILON = 1e-7


def _rescale(images, source, target):
    """Values mapped linearly from the range `source` to `target`."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return ops.add(ops.multiply(ops.subtract(images, float(source[0])), scale), float(target[0]))


def shift_hue(images, delta, value_range=(0, 255)):
    """(batch, h, w, 3) RGB images with their hue turned by `delta` (turns, per image (batch, 1, 1, 1)
    or a number) and wrapped into [0, 1]; the result clipped to value_range."""
    hsv = rgb_to_hsv(_rescale(images, value_range, (0, 1)), data_format="channels_last")
    hue = ops.add(hsv[..., 0:1], delta)
    hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
    hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
    rgb = hsv_to_rgb(ops.concatenate([hue, hsv[..., 1:]], axis=-1), data_format="channels_last")
    return _rescale(ops.clip(rgb, 0.0, 1.0), (0, 1), value_range)


def scale_saturation(images, scale, value_range=(0, 255)):
    """(batch, h, w, 3) RGB images with their HSV saturation multiplied by `scale` and clipped to
    value_range (Keras 3 clips the saturation itself to the value range, and does not rescale the
    input before rgb_to_hsv: the transform is invariant to a common scale of r, g, b)."""
    hsv = rgb_to_hsv(images, data_format="channels_last")
    saturation = ops.clip(ops.multiply(hsv[..., 1:2], scale), float(value_range[0]), float(value_range[1]))
    return hsv_to_rgb(ops.concatenate([hsv[..., 0:1], saturation, hsv[..., 2:]], axis=-1), data_format="channels_last")


def sharpen(images, factor, value_range=(0, 255)):
    """Blends (batch, h, w, c) images away from their 3x3 smoothing (weights 1/13, centre 5/13, zero
    padding): out = clip(x + (1 - 2 factor) (smooth - x), value_range); factor 0.5 is the identity."""
    a, b = 1.0 / 13.0, 5.0 / 13.0
    kernel = ops.convert_to_tensor([[a, a, a], [a, b, a], [a, a, a]])
    kernel = ops.cast(ops.tile(ops.reshape(kernel, (3, 3, 1, 1)), (1, 1, images.shape[-1], 1)), images.dtype)
    smooth = ops.depthwise_conv(images, kernel, strides=1, padding="same", data_format="channels_last")
    weight = ops.subtract(1.0, ops.multiply(factor, 2.0))
    blended = ops.add(images, ops.multiply(weight, ops.subtract(smooth, images)))
    return ops.clip(blended, float(value_range[0]), float(value_range[1]))


class RandomHue(_ImageLayer):
    """In training, turns each image's hue by ±f / 2 (f ~ U(factor), the sign a fair coin, per image),
    wrapping around the colour circle.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair within [0, 1]; 1 may turn hues by half.
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomHue '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def turn(images):
            sign = ops.where(ops.greater(self._per_image(images, 0.0, 1.0), 0.5), -1.0, 1.0)
            delta = ops.multiply(ops.multiply(sign, self._per_image(images, *self.factor)), 0.5)
            return shift_hue(images, delta, self.value_range)

        return image_ops.on_image_batch(inputs, self.data_format, turn, what="RandomHue")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format,
                       "seed": self.seed})
        return config


class RandomSaturation(_ImageLayer):
    """In training, multiplies each image's HSV saturation by f / (1 - f + 1e-7), f ~ U(factor) per
    image: f = 0.5 keeps the image, 0 makes it grey, 1 fully saturated.

    Args:
        factor: a number f in [0, 1] gives (-f, f) (Keras 3's rule; negative draws give grey), or a pair
            within [-1, 1].
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomSaturation '{self.name}'"
        self.factor = _bounded_pair(factor, (-1, 1), where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def saturate(images):
            factor = self._per_image(images, *self.factor)
            scale = ops.divide(factor, ops.add(ops.subtract(1.0, factor), _EPSILON))
            return scale_saturation(images, scale, self.value_range)

        return image_ops.on_image_batch(inputs, self.data_format, saturate, what="RandomSaturation")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format,
                       "seed": self.seed})
        return config


class RandomSharpness(_ImageLayer):
    """In training, sharpens or softens each image: out = clip(x + (1 - 2 f) (smooth - x), value_range),
    f ~ U(factor) per image, smooth the 3x3 smoothing of x (f = 0.5 keeps it, 0 smooths, 1 sharpens).

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair within [0, 1].
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomSharpness '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def sharpen_batch(images):
            return sharpen(images, self._per_image(images, *self.factor), self.value_range)

        return image_ops.on_image_batch(inputs, self.data_format, sharpen_batch, what="RandomSharpness")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format,
                       "seed": self.seed})
        return config


def _kernel_size(value, where):
    values = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 and v % 2 == 1
                                   for v in values):
        raise ValueError(f"{where}: `kernel_size` must be an odd positive integer or a pair of them, got {value!r}")
    return values


class RandomGaussianBlur(_ImageLayer):
    """In training, blurs each image with probability p ~ U(factor) (drawn per image) with one Gaussian
    kernel for the batch, its two sigmas drawn from U(sigma); the result clipped to value_range.

    Args:
        factor: the blur probability range, a number f in [0, 1] (the range (0, f)) or a pair; default 1.
        kernel_size: an odd integer or a pair (columns' size, rows' size, as Keras 3), default 3.
        sigma: a number s in [0, 1] (the range (0, s)) or a pair, default 1.
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomGaussianBlur '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        self.kernel_size = _kernel_size(kernel_size, where)
        try:
            self.sigma = _bounded_pair(sigma, (0, 1), where)
        except ValueError:
            raise ValueError(f"{where}: `sigma` must be a number in [0, 1] or a pair of them, got {sigma!r}") from None
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def blur(images):
            probability = self._per_image(images, *self.factor)
            apply = ops.less(self._per_image(images, 0.0, 1.0), probability)
            blurred = augmentation_draws.random_gaussian_blur(images, kernel_size=self.kernel_size, sigma=self.sigma,
                                                              generator=self.seed_generator.rng)
            out = ops.where(apply, blurred, images)
            return ops.clip(out, float(self.value_range[0]), float(self.value_range[1]))

        return image_ops.on_image_batch(inputs, self.data_format, blur, what="RandomGaussianBlur")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                       "value_range": self.value_range, "data_format": self.data_format, "seed": self.seed})
        return config


class RandomColorJitter(_ImageLayer):
    """In training, applies in turn RandomBrightness, RandomContrast, RandomSaturation and RandomHue,
    each only when its factor is given (each with its own draws, all sharing `value_range` and `seed`).

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
        brightness_factor, contrast_factor, saturation_factor, hue_factor: each layer's `factor`, or None
            (default) to skip it.
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.value_range = _value_range(value_range, f"RandomColorJitter '{self.name}'")
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        common = {"value_range": self.value_range, "seed": seed, "data_format": self.data_format}
        steps = ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
        self.steps = [kind(factor, **common) for kind, factor in steps if factor is not None]

    def call(self, inputs, training=None):
        if not training:
            return inputs
        outputs = inputs
        for step in self.steps:
            outputs = step(outputs, training=True)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor, "seed": self.seed, "data_format": self.data_format})
        return config


class Equalization(_ImageLayer):
    """Histogram equalization: each channel's values (over the whole batch, as Keras 3) mapped through
    the cumulative histogram of `bins` bins on the 0..255 scale, so they spread over value_range; a
    channel with a single occupied bin passes unchanged. Acts unless called with training=False (Keras 3
    preprocessing layers' default training=True; predict passes False).

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
        bins: the histogram's bin count, a positive integer (default 256).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"Equalization '{self.name}'"
        self.value_range = _value_range(value_range, where)
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
            raise ValueError(f"{where}: `bins` must be a positive integer, got {bins!r}")
        self.bins = bins

    def call(self, inputs, training=None):
        if training is False:
            return inputs
        channel_axis = -1 if self.data_format == "channels_last" else -3
        return equalize.equalize(inputs, value_range=tuple(float(v) for v in self.value_range), bins=self.bins,
                                 channel_axis=channel_axis)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "bins": self.bins, "data_format": self.data_format})
        return config
