"""Preprocessing layers: Normalization (statistics learned by `adapt`) and Rescaling."""
import numpy

from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer
from neuroflow.utils.errors import shape_text


class Normalization(Layer):
    """Feature-wise standardization: (x - mean) / sqrt(variance), with statistics from `adapt(data)`.

        normalizer = layers.Normalization()
        normalizer.adapt(x_train)            # learns per-feature mean and variance
        model = Sequential([normalizer, layers.Dense(64, activation="relu"), layers.Dense(1)])

    Args:
        axis: the axis (or axes) that keep separate statistics (default the last: one per feature).
        mean, variance: fixed statistics instead of `adapt`.
        invert: apply the inverse, x * sqrt(variance) + mean.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': pass both `mean` and `variance`, or neither")
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis or ())
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._adapted = mean is not None

    def _statistics_shape(self, input_shape):
        rank = len(input_shape)
        kept = {a % rank for a in self.axis}
        return tuple(input_shape[a] if a in kept else 1 for a in range(rank))[1:], kept

    def build(self, input_shape):
        shape, kept = self._statistics_shape(input_shape)
        if any(input_shape[a] is None for a in kept):
            raise ValueError(f"Normalization '{self.name}' needs known sizes on axis {self.axis}; got input shape "
                             f"{shape_text(input_shape)}")
        self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="mean")
        self.variance = self.add_weight(shape=shape, initializer="ones", trainable=False, name="variance")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count", dtype="int64")
        if self.input_mean is not None:
            self.mean.assign(numpy.broadcast_to(numpy.asarray(self.input_mean, dtype=self.dtype), shape))
            self.variance.assign(numpy.broadcast_to(numpy.asarray(self.input_variance, dtype=self.dtype), shape))
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of `data` over every axis not in `axis`."""
        array = data.numpy() if isinstance(data, Tensor) else numpy.asarray(data, dtype="float64")
        if array.ndim == 1:
            array = array[:, None]
        if not numpy.isfinite(array).all():
            raise ValueError(f"Normalization '{self.name}'.adapt: the data contains NaN or inf")
        if not self.built:
            self.build((None,) + array.shape[1:])
        _, kept = self._statistics_shape((None,) + array.shape[1:])
        reduce_axes = tuple(a for a in range(array.ndim) if a not in kept)
        mean = array.mean(axis=reduce_axes, keepdims=True)[0]
        variance = array.var(axis=reduce_axes, keepdims=True)[0]
        self.mean.assign(mean.astype(self.dtype))
        self.variance.assign(variance.astype(self.dtype))
        self.count.assign(numpy.asarray(array.shape[0], dtype="int64"))
        self._adapted = True

    def call(self, inputs):
        # The same floor as Keras: a constant feature (variance 0) is divided by sqrt(epsilon), not 0.
        scale = backend.xp.sqrt(backend.xp.maximum(self.variance.value, backend.epsilon()))
        mean = self.mean.value
        if self.invert:
            return ops.add(ops.multiply(inputs, scale), mean)
        return ops.divide(ops.subtract(inputs, mean), scale)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": list(self.axis), "invert": self.invert,
                       "mean": None if self.input_mean is None else numpy.asarray(self.input_mean).tolist(),
                       "variance": None if self.input_variance is None else numpy.asarray(self.input_variance).tolist()})
        return config


class Rescaling(Layer):
    """x * scale + offset, e.g. Rescaling(1. / 255) for pixel values."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        return ops.add(ops.multiply(inputs, self.scale), self.offset)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
