"""Augmentation policies built from the other augmentation layers (keras.layers' names): RandAugment and
AugMix.

As Keras 3, each choice of augmentation is made for the whole batch and applied by selection: every
candidate is computed and `where` keeps the chosen one, so the choice is drawn inside an op
(ops/augmentation_draws.py) and a traced training step draws it afresh at each batch. Only in
training; otherwise the input passes unchanged.
"""
from neuroflow import ops
from neuroflow.layers.color_augmentation import Equalization, RandomSharpness
from neuroflow.layers.geometric_augmentation import RandomShear
from neuroflow.layers.image_augmentation import (
    AutoContrast,
    RandomColorDegeneration,
    RandomPosterization,
    Solarization,
    _bounded_pair,
    _ImageLayer,
)
from neuroflow.layers.image_preprocessing import (
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomTranslation,
    _value_range,
)
from neuroflow.ops import augmentation_draws

# Keras 3's order (RandAugment's list; AugMix lists the geometric and tonal ones first).
_RAND_AUGMENT = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                 "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                 "solarization", "auto_contrast", "equalization")
_AUG_MIX_BASIC = ("random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
                  "auto_contrast", "equalization")
_AUG_MIX_ALL = _AUG_MIX_BASIC + ("random_brightness", "random_color_degeneration", "random_contrast",
                                 "random_sharpness")


def _augmentations(names, factor, value_range, interpolation, seed, data_format):
    """{name: layer} of the named augmentations, all of strength `factor` (a pair in [0, 1])."""
    common = {"seed": seed, "data_format": data_format}
    tonal = dict(common, value_range=value_range)
    makers = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, **common),
        "random_translation": lambda: RandomTranslation(height_factor=factor, width_factor=factor,
                                                        interpolation=interpolation, **common),
        "random_rotation": lambda: RandomRotation(factor=factor, interpolation=interpolation, **common),
        "random_brightness": lambda: RandomBrightness(factor=factor, **tonal),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor=factor, **tonal),
        "random_contrast": lambda: RandomContrast(factor=factor, **tonal),
        "random_sharpness": lambda: RandomSharpness(factor=factor, **tonal),
        "random_posterization": lambda: RandomPosterization(factor=max(1, int(8 * factor[1])), **tonal),
        "solarization": lambda: Solarization(addition_factor=factor, threshold_factor=factor, **tonal),
        "auto_contrast": lambda: AutoContrast(value_range=value_range, data_format=data_format),
        "equalization": lambda: Equalization(value_range=value_range, data_format=data_format),
    }
    return {name: makers[name]() for name in names}


def _apply(layer, images):
    if isinstance(layer, AutoContrast):
        return layer(images)
    return layer(images, training=True)


def _positive_int(value, name, where):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{where}: `{name}` must be a positive integer, got {value!r}")
    return value


class RandAugment(_ImageLayer):
    """In training, applies num_ops augmentations in turn, each chosen uniformly (for the batch) among
    shear, translation, rotation, brightness, colour degeneration, contrast, sharpness, posterization,
    solarization, auto-contrast and equalization, all of strength `factor`.

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
        num_ops: how many augmentations to apply (default 2).
        factor: their strength, a number f in [0, 1] (the range (0, f)) or a pair; default 0.5.
        interpolation: 'bilinear' (default) or 'nearest', for the geometric ones.
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandAugment '{self.name}'"
        self.value_range = _value_range(value_range, where)
        self.num_ops = _positive_int(num_ops, "num_ops", where)
        self.factor = _bounded_pair(factor, (0, 1), where)
        self.interpolation = interpolation
        self.augmentations = _augmentations(_RAND_AUGMENT, self.factor, self.value_range, interpolation, seed,
                                            self.data_format)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        images = inputs if str(ops.convert_to_tensor(inputs).dtype).startswith("float") else ops.cast(inputs, "float32")
        layers = list(self.augmentations.values())
        for _ in range(self.num_ops):
            chosen = augmentation_draws.choice_index(images, count=len(layers), generator=self.seed_generator.rng)
            out = images
            for index, layer in enumerate(layers):
                out = ops.where(ops.equal(chosen, index), _apply(layer, images), out)
            images = out
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops, "factor": self.factor,
                       "interpolation": self.interpolation, "seed": self.seed, "data_format": self.data_format})
        return config


class AugMix(_ImageLayer):
    """In training, AugMix: num_chains chains of up to chain_depth augmentations (each step one of the
    augmentations or none, chosen uniformly for the batch), mixed with Dirichlet(alpha) weights, then
    blended with the original by a Beta(alpha, alpha) weight w: out = clip(w x + (1 - w) mix, value_range).

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
        num_chains: the chain count (3); chain_depth: the steps per chain (3).
        factor: the augmentations' strength, a number f in [0, 1] (the range (0, f)) or a pair; default 0.3.
        alpha: the Dirichlet and Beta concentration (1.0).
        all_ops: also brightness, colour degeneration, contrast and sharpness (default True).
        interpolation: 'bilinear' (default) or 'nearest', for the geometric ones.
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"AugMix '{self.name}'"
        self.value_range = _value_range(value_range, where)
        self.num_chains = _positive_int(num_chains, "num_chains", where)
        self.chain_depth = _positive_int(chain_depth, "chain_depth", where)
        self.factor = _bounded_pair(factor, (0, 1), where)
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
            raise ValueError(f"{where}: `alpha` must be a positive number, got {alpha!r}")
        self.alpha, self.all_ops, self.interpolation = alpha, bool(all_ops), interpolation
        names = _AUG_MIX_ALL if self.all_ops else _AUG_MIX_BASIC
        self.augmentations = _augmentations(names, self.factor, self.value_range, interpolation, seed,
                                            self.data_format)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        images = inputs if str(ops.convert_to_tensor(inputs).dtype).startswith("float") else ops.cast(inputs, "float32")
        rng = self.seed_generator.rng
        weights = augmentation_draws.mixing_weights(images, alpha=float(self.alpha), count=self.num_chains, generator=rng)
        layers = list(self.augmentations.values())
        mixed = None
        for chain in range(self.num_chains):
            chained = images
            for _ in range(self.chain_depth):
                # The extra index (len(layers)) is "no augmentation at this step".
                chosen = augmentation_draws.choice_index(images, count=len(layers) + 1, generator=rng)
                out = chained
                for index, layer in enumerate(layers):
                    out = ops.where(ops.equal(chosen, index), _apply(layer, chained), out)
                chained = out
            term = ops.multiply(chained, weights[chain])
            mixed = term if mixed is None else ops.add(mixed, term)
        original = weights[self.num_chains]
        out = ops.add(ops.multiply(original, images), ops.multiply(ops.subtract(1.0, original), mixed))
        return ops.clip(out, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                       "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                       "interpolation": self.interpolation, "seed": self.seed, "data_format": self.data_format})
        return config
