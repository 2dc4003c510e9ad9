"""Activation layers: ReLU, LeakyReLU, PReLU (a trainable slope), ELU, Softmax."""
import warnings

from neuroflow import ops
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments


class ReLU(Layer):
    """max(x, 0) with Keras' options: f(x) = max_value if x >= max_value; x if threshold <= x;
    negative_slope (x - threshold) otherwise."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU '{self.name}': max_value must be >= 0, got {max_value}")
        if negative_slope < 0:
            raise ValueError(f"ReLU '{self.name}': negative_slope must be >= 0, got {negative_slope}")
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        if self.max_value is None and self.negative_slope == 0.0 and self.threshold == 0.0:
            return ops.relu(inputs)
        return ops.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                        threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class LeakyReLU(Layer):
    """x for x > 0, negative_slope * x otherwise (Keras' default slope here is 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            warnings.warn("LeakyReLU(alpha=...) is deprecated; use negative_slope=...", DeprecationWarning,
                          stacklevel=2)
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope < 0:
            raise ValueError(f"LeakyReLU '{self.name}': negative_slope must be >= 0, got {negative_slope}")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class PReLU(Layer):
    """Parametric ReLU: f(x) = max(x, 0) + alpha * min(x, 0), with `alpha` learned per unit.

    Args:
        alpha_initializer: initial slopes (default zeros: starts as a plain ReLU).
        shared_axes: axes along which one slope is shared (e.g. [1, 2] for one slope per channel).
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        store_arguments(self, alpha_initializer=alpha_initializer, alpha_regularizer=alpha_regularizer,
                              alpha_constraint=alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)
        self.supports_masking = True

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
                                     name="alpha")
        self.built = True

    def call(self, inputs):
        return ops.add(ops.relu(inputs), ops.multiply(self.alpha, ops.minimum(inputs, 0.0)))

    def get_config(self):
        config = super().get_config()
        config.update({**serialized_arguments(self, ("alpha_initializer", "alpha_regularizer", "alpha_constraint")),
                       "shared_axes": self.shared_axes})
        return config


class ELU(Layer):
    """x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    """softmax over `axis`; a boolean `mask` (True = keep) sends masked positions to probability 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            # A large negative logit where masked: exp underflows to 0 without producing NaN.
            penalty = (1.0 - ops.convert_to_numpy(mask).astype(inputs.dtype)) * -1e9
            inputs = ops.add(inputs, penalty)
        if isinstance(self.axis, (list, tuple)):
            return ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=tuple(self.axis), keepdims=True)))
        return ops.softmax(inputs, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
