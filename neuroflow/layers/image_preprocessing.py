"""Image preprocessing layers: Resizing, CenterCrop, and the augmentations RandomFlip, RandomRotation,
RandomZoom, RandomTranslation, RandomContrast and RandomBrightness (keras.layers' names).

Resizing and CenterCrop act in training and inference alike; the Random* layers are data
augmentation, applied only in training (Keras 3's behaviour) and the identity otherwise. Each draws
its random numbers inside one op (ops/image.py), from the layer's SeedGenerator stream, so a traced
training step replays them afresh at every batch.
"""
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import image as image_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text, unknown_name_error


def _positive(value, name, where):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{where}: `{name}` must be a positive integer, got {value!r}")
    return value


def _spatial_axes(rank, data_format):
    """(height axis, width axis) of a batch (rank 4) or a single image (rank 3)."""
    offset = rank - 3
    return (offset, offset + 1) if data_format == "channels_last" else (offset + 1, offset + 2)


def _with_image_size(shape, data_format, height, width):
    """`shape` with its height and width replaced."""
    shape = list(shape)
    rows, columns = _spatial_axes(len(shape), data_format)
    shape[rows], shape[columns] = height, width
    return tuple(shape)


class Resizing(Layer):
    """Resizes images to (height, width) with ops.image.resize (bilinear or nearest, half-pixel centres).

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default) or 'nearest'.
        crop_to_aspect_ratio, pad_to_aspect_ratio: only False is supported.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"Resizing '{self.name}'"
        self.height, self.width = _positive(height, "height", where), _positive(width, "width", where)
        if interpolation not in ("bilinear", "nearest"):
            raise unknown_name_error("interpolation", interpolation, ("bilinear", "nearest"))
        for name, value in (("crop_to_aspect_ratio", crop_to_aspect_ratio), ("pad_to_aspect_ratio", pad_to_aspect_ratio),
                            ("antialias", antialias)):
            if value:
                raise NotImplementedError(f"{where}: {name}=True is not supported; resize without it")
        self.interpolation = interpolation
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def call(self, inputs):
        return image_ops.resize(inputs, (self.height, self.width), interpolation=self.interpolation,
                                data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return _with_image_size(input_shape, self.data_format, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": False, "pad_to_aspect_ratio": False, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "antialias": False, "data_format": self.data_format})
        return config


class CenterCrop(Layer):
    """Keeps the central (height, width) window of each image: rows from (H - height) // 2.

    Args:
        height, width: the output size, at most the input's.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"CenterCrop '{self.name}'"
        self.height, self.width = _positive(height, "height", where), _positive(width, "width", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def call(self, inputs):
        rows, columns = _spatial_axes(inputs.ndim, self.data_format)
        size_h, size_w = inputs.shape[rows], inputs.shape[columns]
        if size_h < self.height or size_w < self.width:
            # Keras would upsample here; a crop larger than the image is refused rather than guessed.
            raise ValueError(f"CenterCrop '{self.name}' crops ({self.height}, {self.width}) but the images are only "
                             f"({size_h}, {size_w}) (input shape {shape_text(inputs.shape)}); use Resizing to enlarge")
        top, left = (size_h - self.height) // 2, (size_w - self.width) // 2
        index = [slice(None)] * inputs.ndim
        index[rows], index[columns] = slice(top, top + self.height), slice(left, left + self.width)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        return _with_image_size(input_shape, self.data_format, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config


class RandomFlip(Layer):
    """In training, flips each image left-right and / or upside down with probability 1/2 each.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (default).
        seed: makes the flips reproducible.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in self.MODES:
            raise unknown_name_error("mode", mode, self.MODES)
        self.mode = mode
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.data_format = check_data_format(data_format, f"RandomFlip '{self.name}'")
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, self.data_format, lambda images: image_ops.random_flip(
            images, horizontal="horizontal" in self.mode, vertical="vertical" in self.mode,
            generator=self.seed_generator.rng))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed, "data_format": self.data_format})
        return config


def _factor_range(factor, name, where, low=-1.0, high=1.0, low_open=False):
    """Keras' (lower, upper) from a factor: a number f gives (-|f|, |f|), a pair is sorted; every
    number must lie in [low, high] ((low, high] with low_open)."""
    pair = tuple(factor) if isinstance(factor, (tuple, list)) else None
    numbers = pair if pair is not None else (factor,)
    if (pair is not None and len(pair) != 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
        raise ValueError(f"{where}: `{name}` must be a number or a pair of numbers, got {factor!r}")
    for value in numbers:
        if value > high or value < low or (low_open and value == low):
            bounds = f"({low}, {high}]" if low_open else f"[{low}, {high}]"
            raise ValueError(f"{where}: `{name}` must lie in {bounds}, got {factor!r}")
    if pair is None:
        return -abs(float(factor)), abs(float(factor))
    lower, upper = sorted(float(v) for v in pair)
    return lower, upper


def _as_written(factor):
    """A factor as given, pairs as tuples (a saved config's JSON lists become tuples again)."""
    return tuple(factor) if isinstance(factor, list) else factor


class _RandomAffine(Layer):
    """Shared by RandomRotation, RandomZoom and RandomTranslation: one random_affine op in training."""

    KIND = None

    def __init__(self, fill_mode, interpolation, seed, fill_value, data_format, **kwargs):
        super().__init__(**kwargs)
        if fill_mode not in image_ops.FILL_MODES:
            raise unknown_name_error("fill_mode", fill_mode, image_ops.FILL_MODES)
        if interpolation not in image_ops.AFFINE_INTERPOLATIONS:
            raise unknown_name_error("interpolation", interpolation, image_ops.AFFINE_INTERPOLATIONS)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.data_format = check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def _bounds(self):
        """(lower, upper) tuples handed to the op."""
        raise NotImplementedError

    def call(self, inputs, training=None):
        if not training:
            return inputs
        lower, upper = self._bounds()
        return image_ops.on_image_batch(inputs, self.data_format, lambda images: image_ops.random_affine(
            images, kind=self.KIND, lower=lower, upper=upper, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, generator=self.seed_generator.rng))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                       "fill_value": self.fill_value, "data_format": self.data_format})
        return config


class RandomRotation(_RandomAffine):
    """In training, rotates each image about its centre by a random angle (the identity otherwise).

    The angle is drawn uniformly from [lower, upper] * 2 pi; positive turns counter-clockwise.
    Output pixel (x, y) reads the input at the point rotated back (ops.image.rotation_transforms),
    sampled by `interpolation`, outside points read through `fill_mode`.

    Args:
        factor: a fraction of a full turn: f gives [-f, f]; a pair (lower, upper); within [-1, 1].
        fill_mode: 'reflect' (default), 'wrap', 'constant', 'nearest' or 'mirror'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: makes the draws reproducible.
        fill_value: what fill_mode='constant' reads outside the image.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    KIND = "rotation"

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = _factor_range(factor, "factor", f"RandomRotation '{self.name}'")

    def _bounds(self):
        return (self.factor[0],), (self.factor[1],)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


class RandomZoom(_RandomAffine):
    """In training, zooms each image about its centre by a random factor (the identity otherwise).

    Per image zy = 1 + U(height lower, upper) and zx = 1 + U(width lower, upper) (zx = zy without a
    width_factor); output pixel (x, y) reads the input at (zx x + (W - 1)(1 - zx) / 2, zy y + (H - 1)(1 - zy) / 2),
    so a negative factor zooms in (enlarges the content) and a positive one zooms out.

    Args:
        height_factor: f gives [-f, f]; a pair (lower, upper); within (-1, 1].
        width_factor: the same for the width, or None to keep the aspect ratio.
        fill_mode, interpolation, seed, fill_value, data_format: as RandomRotation.
    """

    KIND = "zoom"

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        where = f"RandomZoom '{self.name}'"
        self.height_factor, self.width_factor = _as_written(height_factor), _as_written(width_factor)
        self._height = _factor_range(height_factor, "height_factor", where, low_open=True)
        self._width = None if width_factor is None else _factor_range(width_factor, "width_factor", where,
                                                                      low_open=True)

    def _bounds(self):
        if self._width is None:
            return (self._height[0],), (self._height[1],)
        return (self._height[0], self._width[0]), (self._height[1], self._width[1])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomTranslation(_RandomAffine):
    """In training, shifts each image by a random fraction of its size (the identity otherwise).

    Per image the content moves down by U(height lower, upper) * H pixels and right by
    U(width lower, upper) * W pixels (negative: up, left); output pixel (x, y) reads the input at
    (x - dx, y - dy).

    Args:
        height_factor, width_factor: f gives [-f, f]; a pair (lower, upper); within [-1, 1].
        fill_mode, interpolation, seed, fill_value, data_format: as RandomRotation.
    """

    KIND = "translation"

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        where = f"RandomTranslation '{self.name}'"
        self.height_factor, self.width_factor = _as_written(height_factor), _as_written(width_factor)
        self._height = _factor_range(height_factor, "height_factor", where)
        self._width = _factor_range(width_factor, "width_factor", where)

    def _bounds(self):
        return (self._height[0], self._width[0]), (self._height[1], self._width[1])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


def _value_range(value_range, where):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range):
        raise ValueError(f"{where}: `value_range` must be a pair of numbers (low, high), got {value_range!r}")
    return tuple(sorted(value_range))


class _RandomValueAdjustment(Layer):
    """Shared by RandomContrast and RandomBrightness: a factor range and the inputs' value range."""

    def __init__(self, factor, value_range, seed, data_format, **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.factor = self._checked_factor(factor, where)
        self.value_range = _value_range(value_range, where)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def _checked_factor(self, factor, where):
        """The (lower, upper) pair `factor` stands for; raises ValueError (naming `where`) when invalid."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed,
                       "data_format": self.data_format})
        return config


class RandomContrast(_RandomValueAdjustment):
    """In training, scales each image's deviations from its per-channel mean by a random factor.

    Per image f ~ U(1 - lower, 1 + upper); per image and channel m = the mean over height and width;
    out = clip((x - m) f + m, value_range). As Keras 3 does, a single number f gives
    (lower, upper) = (0, f): only stronger contrast; pass a pair (a, b) for [1 - a, 1 + b].

    Args:
        factor: a number in [0, 1], or a pair (lower, upper) (sorted; lower <= 1 <= ... upper >= 0).
        value_range: the (low, high) the output is clipped to, default (0, 255).
        seed: makes the draws reproducible.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range, seed, data_format, **kwargs)

    def _checked_factor(self, factor, where):
        if isinstance(factor, (tuple, list)):
            if (len(factor) != 2 or not all(isinstance(v, (int, float)) for v in factor)
                    or factor[0] > 1 or factor[1] < 0):
                raise ValueError(f"{where}: `factor` must be a number in [0, 1] or a pair (lower, upper) with "
                                 f"lower <= 1 and upper >= 0, got {factor!r}")
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and 0 <= factor <= 1:
            return (0, factor)  # Keras 3's (max(-f, 0), f)
        raise ValueError(f"{where}: `factor` must be a number in [0, 1] or a pair (lower, upper), got {factor!r}")

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, self.data_format, lambda images: image_ops.random_contrast(
            images, lower=float(self.factor[0]), upper=float(self.factor[1]),
            value_range=tuple(float(v) for v in self.value_range), generator=self.seed_generator.rng))


class RandomBrightness(_RandomValueAdjustment):
    """In training, adds a random per-image offset: out = clip(x + U(lower, upper) * (high - low), low, high).

    Args:
        factor: f gives [-f, f]; a pair (lower, upper); within [-1, 1] (-1 turns an image black,
            1 white).
        value_range: (low, high) of the input's values, default (0, 255).
        seed: makes the draws reproducible.
        data_format: 'channels_last' (default) or 'channels_first' (the offset is per image either way).
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range, seed, data_format, **kwargs)

    def _checked_factor(self, factor, where):
        return _factor_range(factor, "factor", where)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, "channels_last", lambda images: image_ops.random_brightness(
            images, lower=self.factor[0], upper=self.factor[1],
            value_range=tuple(float(v) for v in self.value_range), generator=self.seed_generator.rng))
