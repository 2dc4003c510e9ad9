"""Noise and structured dropout layers: SpatialDropout1D/2D, GaussianNoise, GaussianDropout.

All are the identity at inference; in training they perturb their input.
"""
import math

from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.core import Dropout
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import noise as noise_ops
from neuroflow.random import SeedGenerator


class SpatialDropout1D(Dropout):
    """Dropout of whole channels of (batch, steps, channels): one keep/drop per (sample, channel).

    Neighbouring steps are strongly correlated, so dropping single elements barely regularizes;
    dropping a feature map everywhere does. Kept channels are scaled by 1 / (1 - rate).

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: makes the masks reproducible.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        return noise_ops.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(inputs.shape),
                                 generator=self.seed_generator.rng)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps of (batch, height, width, channels) (see SpatialDropout1D).

    Args:
        rate: fraction of channels to drop, in [0, 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: makes the masks reproducible.
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = check_data_format(data_format, f"SpatialDropout2D '{self.name}'")
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1)
        return (shape[0], 1, 1, shape[3])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise in training: out = x + N(0, stddev^2); the identity at inference.

    Args:
        stddev: the noise's standard deviation (>= 0).
        seed: makes the noise reproducible.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not stddev >= 0:
            raise ValueError(f"GaussianNoise '{self.name}': `stddev` must be >= 0, got {stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        return noise_ops.gaussian_noise(inputs, stddev=self.stddev, generator=self.seed_generator.rng)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(Layer):
    """Multiplicative Gaussian noise in training: out = x * N(1, rate / (1 - rate)); identity at inference.

    The noise has mean 1, so no rescaling is needed at inference (as with inverted dropout).

    Args:
        rate: the equivalent drop probability, in [0, 1).
        seed: makes the noise reproducible.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout '{self.name}': `rate` must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return noise_ops.gaussian_dropout(inputs, stddev=stddev, generator=self.seed_generator.rng)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


