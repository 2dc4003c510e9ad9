"""Noise and structured dropout layers: SpatialDropout1D/2D, GaussianNoise, GaussianDropout,
AlphaDropout; and ActivityRegularization.

The noise layers are the identity at inference; in training they perturb their input.
ActivityRegularization is always the identity and adds a penalty on its input to the losses.
"""
import math

from neuroflow import regularizers
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


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's self-normalization: in training, dropped units take SELU's negative
    saturation value and an affine map restores the input's mean and variance; the identity at inference.

        out = a * (x * keep + alpha' * (1 - keep)) + b,  keep ~ Bernoulli(1 - rate),
        alpha' = -1.0507009873554805 * 1.6732632423543772,
        a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5,  b = -a * alpha' * rate.

    Args:
        rate: fraction of units to drop, in [0, 1).
        noise_shape: shape of the keep mask, broadcast against the input; None entries take the
            input's size (None: the input's shape).
        seed: makes the masks reproducible.
    """

    _noise_op = noise_ops.alpha_dropout

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        # Keras accepts rate = 1 and then fails dividing by zero in training; refused here up front.
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"AlphaDropout '{kwargs.get('name', 'alpha_dropout')}': `rate` must be a float in "
                             f"[0, 1), got {rate!r}")
        if noise_shape is not None and not (isinstance(noise_shape, (list, tuple)) and all(
                n is None or (isinstance(n, int) and not isinstance(n, bool) and n > 0) for n in noise_shape)):
            raise ValueError(f"AlphaDropout '{kwargs.get('name', 'alpha_dropout')}': `noise_shape` must be None or a "
                             f"tuple of positive ints / None, got {noise_shape!r}")
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)


class ActivityRegularization(Layer):
    """The identity, adding `l1 * sum(|x|) + l2 * sum(x^2)`, divided by the batch size, to the losses.

    The penalty is the base Layer's `activity_regularizer` (regularizers.L1L2(l1, l2)); like every
    activity loss it is recomputed at each call and divided by the batch size, as in Keras 3.

    Args:
        l1: the L1 factor (>= 0, default 0).
        l2: the L2 factor (>= 0, default 0).
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # fixed by l1 and l2 (Keras leaves it out of the config)
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 \
                    or value == float("inf"):
                raise ValueError(f"ActivityRegularization: `{name}` must be a non-negative float, got {value!r}")
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
