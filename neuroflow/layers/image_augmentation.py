"""More image augmentation layers (keras.layers' names): RandomCrop, RandomGrayscale, RandomInvert,
Solarization, RandomPosterization, RandomColorDegeneration, and the deterministic AutoContrast.

As the other Random* layers (image_preprocessing.py), they act only in training and are the
identity otherwise (Keras 3.15 too returns RandomCrop's input uncropped at inference); AutoContrast
acts always. Inputs are a batch (rank 4) or one image (rank 3), channels_last unless data_format
says otherwise; the random numbers are drawn inside ops (ops/augmentation.py).
"""
from neuroflow import ops
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.image_preprocessing import _positive, _spatial_axes, _value_range
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import augmentation as augmentation_ops
from neuroflow.ops import image as image_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text

# ITU-R 601 luma weights, as Keras' rgb_to_grayscale.
_LUMA = (0.2989, 0.587, 0.114)


def _to_255(images, value_range):
    low, high = value_range
    return ops.multiply(ops.subtract(images, float(low)), 255.0 / (high - low))


def _from_255(images, value_range):
    low, high = value_range
    return ops.add(ops.multiply(images, (high - low) / 255.0), float(low))


def _factor_pair(factor, name, where):
    """(lower, upper) within [0, 1]: a number f gives (0, f), a pair is sorted."""
    values = tuple(factor) if isinstance(factor, (list, tuple)) else (0, factor)
    if len(values) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
                                   for v in values):
        raise ValueError(f"{where}: `{name}` must be a number in [0, 1] or a pair of them, got {factor!r}")
    return tuple(sorted(values))


class _ImageLayer(Layer):
    def __init__(self, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _per_image(self, images, low, high):
        return augmentation_ops.per_image_uniform(images, low=float(low), high=float(high),
                                                  generator=self.seed_generator.rng)


class RandomCrop(_ImageLayer):
    """In training, crops a (height, width) window at a random offset (one offset per batch, as Keras 3).

    An input not larger than the window along both axes is cut as Keras 3 does: from the offsets of
    the largest centred window of the target's aspect ratio, a (height, width) slice (shorter at the
    border), resized to (height, width). At inference the input passes unchanged.

    Args:
        height, width: the output size.
        seed: makes the offsets reproducible.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, name=name, **kwargs)
        where = f"RandomCrop '{self.name}'"
        self.height = _positive(height, "height", where)
        self.width = _positive(width, "width", where)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, self.data_format, self._crop, what="RandomCrop")

    def _crop(self, images):
        in_height, in_width = images.shape[1], images.shape[2]
        if in_height > self.height and in_width > self.width:
            return augmentation_ops.random_crop(images, height=self.height, width=self.width,
                                                generator=self.seed_generator.rng)
        # Keras 3: the offsets of the largest centred window of the target's aspect ratio; from there it
        # slices (height, width) (cut short at the border) and resizes the slice to (height, width).
        crop_height = max(min(in_height, int(in_width * self.height / self.width)), 1)
        crop_width = max(min(in_width, int(in_height * self.width / self.height)), 1)
        top, left = (in_height - crop_height) // 2, (in_width - crop_width) // 2
        window = ops.getitem(images, (slice(None), slice(top, top + self.height), slice(left, left + self.width)))
        if tuple(window.shape[1:3]) == (self.height, self.width):
            return window
        return image_ops.resize(window, (self.height, self.width))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        rows, columns = _spatial_axes(len(shape), self.data_format)
        shape[rows], shape[columns] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed, "data_format": self.data_format})
        return config


def rgb_to_grayscale(images):
    """(batch, h, w, 3) RGB -> (batch, h, w, 1) luma 0.2989 R + 0.587 G + 0.114 B; one channel stays itself."""
    if images.shape[-1] == 1:
        return images
    if images.shape[-1] != 3:
        raise ValueError(f"rgb_to_grayscale expects 1 or 3 channels, got images of shape {shape_text(images.shape)}")
    weights = ops.convert_to_tensor([[w] for w in _LUMA])
    return ops.matmul(images, ops.cast(weights, images.dtype))


class RandomGrayscale(_ImageLayer):
    """In training, turns each image grey with probability `factor` (its channels all become the luma
    0.2989 R + 0.587 G + 0.114 B; the channel count is kept).

    Args:
        factor: the probability, in [0, 1] (default 0.5).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: makes the draws reproducible.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale '{self.name}': `factor` must be a number in [0, 1], got {factor!r}")
        self.factor = factor

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def grey(images):
            apply = ops.less(self._per_image(images, 0.0, 1.0), float(self.factor))
            return ops.where(apply, rgb_to_grayscale(images), images)  # the grey channel broadcasts

        return image_ops.on_image_batch(inputs, self.data_format, grey, what="RandomGrayscale")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "data_format": self.data_format, "seed": self.seed})
        return config


class RandomInvert(_ImageLayer):
    """In training, inverts each image (x -> value_range[1] - x) with a probability drawn per image
    from U(factor): factor f gives (0, f), default 1.0 (each image with probability U(0, 1)).

    Args:
        factor: a number in [0, 1] or a pair (lower, upper).
        value_range: (low, high) of the input's values, default (0, 255).
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomInvert '{self.name}'"
        self.factor = _factor_pair(factor, "factor", where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def invert(images):
            probability = self._per_image(images, *self.factor)
            apply = ops.less(self._per_image(images, 0.0, 1.0), probability)
            return ops.where(apply, ops.subtract(float(self.value_range[1]), images), images)

        return image_ops.on_image_batch(inputs, self.data_format, invert, what="RandomInvert")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed,
                       "data_format": self.data_format})
        return config


class Solarization(_ImageLayer):
    """In training, on the 0..255 scale: y = clip(x + a, 0, 255); out = y where y < t, else 255 - y,
    with a ~ U(addition_factor) * 255 and t ~ U(threshold_factor) * 255 per image (Keras 3 draws a
    pair (lo, hi) as U(lo, hi * 255)). The defaults (0, 0) invert every pixel.

    Args:
        addition_factor, threshold_factor: a number f in [0, 1] (the range (0, f)) or a pair.
        value_range: (low, high) of the input's values, default (0, 255).
        seed: makes the draws reproducible.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        where = f"Solarization '{self.name}'"
        self.addition_factor = _factor_pair(addition_factor, "addition_factor", where)
        self.threshold_factor = _factor_pair(threshold_factor, "threshold_factor", where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def solarize(images):
            additions = self._per_image(images, self.addition_factor[0], self.addition_factor[1] * 255)
            thresholds = self._per_image(images, self.threshold_factor[0], self.threshold_factor[1] * 255)
            shifted = ops.clip(ops.add(_to_255(images, self.value_range), additions), 0.0, 255.0)
            flipped = ops.where(ops.less(shifted, thresholds), shifted, ops.subtract(255.0, shifted))
            return _from_255(flipped, self.value_range)

        return image_ops.on_image_batch(inputs, "channels_last", solarize, what="Solarization")

    def get_config(self):
        config = super().get_config()
        config.update({"addition_factor": self.addition_factor, "threshold_factor": self.threshold_factor,
                       "value_range": self.value_range, "seed": self.seed})
        return config


class AutoContrast(_ImageLayer):
    """Stretches each image's values, per channel, to the whole value_range: on the 0..255 scale,
    out = (x - min) * 255 / (max - min) with min / max over the image's height and width; a flat
    channel (max == min) passes unchanged. In training and inference alike.

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(value_range, f"AutoContrast '{self.name}'")

    def call(self, inputs):
        def stretch(images):
            scaled = _to_255(images, self.value_range)
            low = ops.min(scaled, axis=(1, 2), keepdims=True)
            high = ops.max(scaled, axis=(1, 2), keepdims=True)
            span = ops.subtract(high, low)
            flat = ops.equal(span, 0.0)
            # where (not a division by zero): a flat channel keeps its values, as Keras' NaN check does.
            safe = ops.where(flat, 1.0, span)
            stretched = ops.clip(ops.multiply(ops.subtract(scaled, low), ops.divide(255.0, safe)), 0.0, 255.0)
            return ops.where(flat, images, _from_255(stretched, self.value_range))

        return image_ops.on_image_batch(inputs, self.data_format, stretch, what="AutoContrast")

    def get_config(self):
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


def _bounded_pair(factor, bounds, where):
    """Keras' factor rule: a number f gives (max(-f, low), f), a pair is sorted; within `bounds`."""
    low, high = bounds
    if isinstance(factor, (list, tuple)) and len(factor) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in factor):
        if factor[0] <= high and factor[1] >= low:
            return tuple(sorted(factor))
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool) and low <= factor <= high:
        return (max(-abs(factor), low), abs(factor))
    raise ValueError(f"{where}: `factor` must be a number in [{low}, {high}] or a pair of them, got {factor!r}")


class RandomPosterization(_ImageLayer):
    """In training, keeps only the top b bits of each 0..255 value (b per image, drawn from the
    integers lower <= b < upper, or b = lower when they are equal): out = floor(x / 2^(8-b)) * 2^(8-b).

    Args:
        factor: the bits b, in [1, 8]: a number f gives (1, f), or a pair (lower, upper).
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomPosterization '{self.name}'"
        self.factor = _bounded_pair(factor, (1, 8), where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def posterize(images):
            lower, upper = self.factor
            bits = float(lower) if lower == upper else ops.floor(self._per_image(images, lower, upper))
            step = ops.power(2.0, ops.subtract(8.0, bits))
            levels = ops.floor(ops.clip(_to_255(images, self.value_range), 0.0, 255.0))  # Keras' uint8 cast
            return _from_255(ops.multiply(ops.floor(ops.divide(levels, step)), step), self.value_range)

        return image_ops.on_image_batch(inputs, "channels_last", posterize, what="RandomPosterization")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format,
                       "seed": self.seed})
        return config


class RandomColorDegeneration(_ImageLayer):
    """In training, blends each image with its greyscale version: out = clip(x + f (grey - x), value_range),
    f ~ U(factor) per image (f = 1: grey; f < 0: more saturated).

    Args:
        factor: a number f in [0, 1] gives (-f, f) (Keras 3's rule), or a pair within [-1, 1].
        value_range: (low, high) of the input's values, default (0, 255).
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomColorDegeneration '{self.name}'"
        self.factor = _bounded_pair(factor, (-1, 1), where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def degenerate(images):
            factor = self._per_image(images, *self.factor)
            blended = ops.add(images, ops.multiply(factor, ops.subtract(rgb_to_grayscale(images), images)))
            return ops.clip(blended, float(self.value_range[0]), float(self.value_range[1]))

        return image_ops.on_image_batch(inputs, self.data_format, degenerate, what="RandomColorDegeneration")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format,
                       "seed": self.seed})
        return config
