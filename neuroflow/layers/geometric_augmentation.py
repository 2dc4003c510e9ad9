"""Geometric augmentation layers beyond image_preprocessing.py's (keras.layers' names): RandomShear,
RandomPerspective and RandomElasticTransform.

Only in training (the identity otherwise); the draws happen inside one op (ops/geometric_draws.py)
from the layer's SeedGenerator stream, and the resampling shares ops/image.py's fill modes.
"""
from neuroflow import ops
from neuroflow.layers.image_augmentation import _bounded_pair, _ImageLayer
from neuroflow.layers.image_preprocessing import _RandomAffine, _value_range
from neuroflow.ops import geometric_draws
from neuroflow.ops import image as image_ops
from neuroflow.utils.errors import unknown_name_error

_PERSPECTIVE_ORDERS = {"nearest": 0, "bilinear": 1}


def _shear_factor(factor, name, where):
    """Keras 3's rule: a number f in [0, 1] gives (-f, f); a pair is sorted. Pairs may reach down to -1
    (Keras 3 wants them in [0, 1], so its own (-f, f) config would not load again)."""
    values = tuple(factor) if isinstance(factor, (list, tuple)) else None
    numbers, low = (values, -1) if values is not None else ((factor,), 0)
    if (values is not None and len(values) != 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= 1 for v in numbers):
        raise ValueError(f"{where}: `{name}` must be a number in [0, 1] or a pair within [-1, 1], got {factor!r}")
    return tuple(sorted(values)) if values is not None else (-abs(factor), abs(factor))


class RandomShear(_RandomAffine):
    """In training, shears each image: output pixel (x, y) reads the input at (x + sx y, sy x + y), with
    sx ~ U(x_factor) and sy ~ U(y_factor) per image, both negated together on a fair coin.

    Args:
        x_factor, y_factor: a number f in [0, 1] (the range (-f, f)) or a pair within [-1, 1]; default 0.
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_mode: 'reflect' (default), 'wrap', 'constant', 'nearest' or 'mirror'.
        fill_value: what 'constant' reads outside the image.
        data_format, seed: as the other Random* layers.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        where = f"RandomShear '{self.name}'"
        self.x_factor = _shear_factor(x_factor, "x_factor", where)
        self.y_factor = _shear_factor(y_factor, "y_factor", where)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, self.data_format, lambda images: geometric_draws.random_shear(
            images, x_factor=self.x_factor, y_factor=self.y_factor, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, generator=self.seed_generator.rng), what="RandomShear")

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return config


class RandomPerspective(_ImageLayer):
    """In training, warps each image with probability p ~ U(factor) (drawn per image): its four corners
    move by up to scale / 2 of their coordinates (each coordinate independently), the rest follows the
    homography; outside the input reads fill_value.

    Args:
        factor: the probability range, a number f in [0, 1] (the range (0, f)) or a pair; default 1.
        scale: how far the corners may move, a number in [0, 1] (default 1).
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_value: what the warp reads outside the image (default 0).
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomPerspective '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 <= scale <= 1:
            raise ValueError(f"{where}: `scale` must be a number in [0, 1], got {scale!r}")
        if interpolation not in _PERSPECTIVE_ORDERS:
            raise unknown_name_error("interpolation", interpolation, tuple(_PERSPECTIVE_ORDERS))
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def call(self, inputs, training=None):
        if not training:
            return inputs

        def warp(images):
            if not str(images.dtype).startswith("float"):
                images = ops.cast(images, "float32")
            probability = self._per_image(images, *self.factor)
            apply = ops.less(self._per_image(images, 0.0, 1.0), probability)
            warped = geometric_draws.random_perspective(images, scale=float(self.scale),
                                                        order=_PERSPECTIVE_ORDERS[self.interpolation],
                                                        fill_value=float(self.fill_value),
                                                        generator=self.seed_generator.rng)
            return ops.where(apply, warped, images)

        return image_ops.on_image_batch(inputs, self.data_format, warp, what="RandomPerspective")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_value": self.fill_value, "seed": self.seed, "data_format": self.data_format})
        return config


class RandomElasticTransform(_ImageLayer):
    """In training, displaces the pixels of each image, with probability p ~ U(factor) (drawn per image),
    along a smooth random field: one distortion d ~ U(scale) for the batch gives the displacement
    alpha = 0.1 d max(H, W) and smoothness sigma = 0.05 d min(H, W); the result clipped to value_range.

    Args:
        factor: the probability range, a number f in [0, 1] (the range (0, f)) or a pair; default 1.
        scale: the distortion range, a number in [0, 1] (the range (0, s)) or a pair; default 1.
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_mode: 'reflect' (default), 'wrap', 'constant', 'nearest' or 'mirror'.
        fill_value: what 'constant' reads outside the image.
        value_range: (low, high) of the input's values, default (0, 255).
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomElasticTransform '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        try:
            self.scale = _bounded_pair(scale, (0, 1), where)
        except ValueError:
            raise ValueError(f"{where}: `scale` must be a number in [0, 1] or a pair of them, got {scale!r}") from None
        if interpolation not in _PERSPECTIVE_ORDERS:
            raise unknown_name_error("interpolation", interpolation, tuple(_PERSPECTIVE_ORDERS))
        if fill_mode not in image_ops.FILL_MODES:
            raise unknown_name_error("fill_mode", fill_mode, image_ops.FILL_MODES)
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return inputs

        def distort(images):
            if not str(images.dtype).startswith("float"):
                images = ops.cast(images, "float32")
            probability = self._per_image(images, *self.factor)
            apply = ops.less(self._per_image(images, 0.0, 1.0), probability)
            moved = geometric_draws.random_elastic(images, scale=self.scale, order=_PERSPECTIVE_ORDERS[self.interpolation],
                                                   fill_mode=self.fill_mode, fill_value=float(self.fill_value),
                                                   generator=self.seed_generator.rng)
            out = ops.where(apply, moved, images)
            return ops.clip(out, float(self.value_range[0]), float(self.value_range[1]))

        return image_ops.on_image_batch(inputs, self.data_format, distort, what="RandomElasticTransform")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value, "value_range": self.value_range,
                       "seed": self.seed, "data_format": self.data_format})
        return config
