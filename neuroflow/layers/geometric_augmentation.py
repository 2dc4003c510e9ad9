"""Geometric augmentation layers beyond image_preprocessing.py's (keras.layers' names): RandomShear.

Only in training (the identity otherwise); the draws happen inside one op (ops/geometric_draws.py)
from the layer's SeedGenerator stream, and the resampling shares ops/image.py's fill modes.
"""
from neuroflow.layers.image_preprocessing import _RandomAffine
from neuroflow.ops import geometric_draws
from neuroflow.ops import image as image_ops


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
