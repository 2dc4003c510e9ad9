"""Preprocessing layers: Normalization (statistics learned by `adapt`) and Rescaling."""
import numpy

from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer
from neuroflow.utils.errors import shape_text

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "preprocessing layers' statistics and checks on host data"


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
        """(variable shape, broadcast shape, kept axes): the variables hold one value per position
        of the kept axes, as Keras' do; `call` reshapes them to broadcast over the input."""
        rank = len(input_shape)
        kept = {a % rank for a in self.axis}
        shape = tuple(input_shape[a] for a in sorted(kept))
        broadcast = tuple((-1 if input_shape[a] is None else input_shape[a]) if a in kept else 1 for a in range(rank))
        return shape, broadcast, kept

    def build(self, input_shape):
        shape, broadcast, kept = self._statistics_shape(input_shape)
        self._broadcast_shape = broadcast
        if any(input_shape[a] is None for a in kept):
            raise ValueError(f"Normalization '{self.name}' needs known sizes on axis {self.axis}; got input shape "
                             f"{shape_text(input_shape)}")
        if self.input_mean is not None:
            # Given statistics are constants, not weights (as in Keras: nothing to save or adapt).
            object.__setattr__(self, "_fixed_statistics", tuple(
                backend.xp.asarray(numpy.broadcast_to(numpy.asarray(value, dtype=self.dtype), shape))
                for value in (self.input_mean, self.input_variance)))
        else:
            self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="mean")
            self.variance = self.add_weight(shape=shape, initializer="ones", trainable=False, name="variance")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count", dtype="int64")
        self.built = True

    def saved_variables(self):
        """Keras saves an adapted Normalization's mean, variance and count; given `mean` and `variance`
        in its config, the layer holds constants and saves no variables."""
        return {"": [] if self.input_mean is not None else [self.mean, self.variance, self.count]}

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of `data` over every axis not in `axis`."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given `mean` and `variance`; adapt() has nothing to "
                             "learn. Create it without them to learn the statistics from data.")
        array = data.numpy() if isinstance(data, Tensor) else numpy.asarray(data, dtype="float64")
        if array.ndim == 1:
            array = array[:, None]
        if not numpy.isfinite(array).all():
            raise ValueError(f"Normalization '{self.name}'.adapt: the data contains NaN or inf")
        if not self.built:
            self.build((None,) + array.shape[1:])
        shape, _, kept = self._statistics_shape((None,) + array.shape[1:])
        reduce_axes = tuple(a for a in range(array.ndim) if a not in kept)
        mean = array.mean(axis=reduce_axes).reshape(shape)
        variance = array.var(axis=reduce_axes).reshape(shape)
        self.mean.assign(mean.astype(self.dtype))
        self.variance.assign(variance.astype(self.dtype))
        self.count.assign(numpy.asarray(array.shape[0], dtype="int64"))
        self._adapted = True

    def call(self, inputs):
        # The same floor as Keras: a constant feature (variance 0) is divided by sqrt(epsilon), not 0.
        broadcast = self._broadcast_shape
        mean, variance = self.__dict__.get("_fixed_statistics") or (self.mean.value, self.variance.value)
        scale = backend.xp.sqrt(backend.xp.maximum(variance, backend.epsilon())).reshape(broadcast)
        mean = mean.reshape(broadcast)
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
