"""Image preprocessing layers: Resizing, CenterCrop and RandomFlip (keras.layers' names).

Resizing and CenterCrop act in training and inference alike; RandomFlip is data augmentation,
applied only in training (Keras 3's behaviour) and the identity otherwise.
"""
from neuroflow import ops
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


def _spatial_axes(inputs, data_format):
    """(height axis, width axis) of a batch (rank 4) or a single image (rank 3)."""
    offset = inputs.ndim - 3
    return (offset, offset + 1) if data_format == "channels_last" else (offset + 1, offset + 2)


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
        shape = list(input_shape)
        offset = len(shape) - 3
        axes = (offset, offset + 1) if self.data_format == "channels_last" else (offset + 1, offset + 2)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

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
        rows, columns = _spatial_axes(inputs, self.data_format)
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
        shape = list(input_shape)
        offset = len(shape) - 3
        axes = (offset, offset + 1) if self.data_format == "channels_last" else (offset + 1, offset + 2)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

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
        single = inputs.ndim == 3
        images = ops.expand_dims(inputs, 0) if single else inputs
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        flipped = image_ops.random_flip(images, horizontal="horizontal" in self.mode, vertical="vertical" in self.mode,
                                        generator=self.seed_generator.rng)
        if self.data_format == "channels_first":
            flipped = ops.transpose(flipped, (0, 3, 1, 2))
        return ops.squeeze(flipped, 0) if single else flipped

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed, "data_format": self.data_format})
        return config
