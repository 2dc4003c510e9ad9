"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Lambda."""
import math

import numpy

from neuroflow import activations, ops
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import noise as noise_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils import registry
from neuroflow.utils.errors import shape_text


class Dense(Layer):
    """Densely connected layer: `output = activation(inputs @ kernel + bias)`.

    Applied on the last axis, so a (batch, time, features) input gives (batch, time, units).

    Args:
        units: output size.
        activation: name or callable; None is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: default glorot_uniform / zeros.
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties added to the loss.
        kernel_constraint / bias_constraint: projections applied after each update.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, numpy.integer)) or units <= 0:
            raise ValueError(f"Dense '{self.name}': `units` must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        # The fused kernel computes a built-in activation in the same op as the matmul.
        self._kernel_activation = activations.kernel_name(self.activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}' needs a known last axis; got input shape {shape_text(input_shape)}")
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def blas_threads(self):
        # A large kernel's matmul relies on OpenBLAS's threads (1 << 20 weights: about 4 MB in float32).
        kernel = getattr(self, "kernel", None)
        return "default" if kernel is not None and kernel.value.size >= 1 << 20 else None

    def call(self, inputs):
        name = self._kernel_activation
        if name in ("softmax", "sigmoid"):
            # Keep the logits on the output so cross-entropy can use the stable fused kernel.
            logits = ops.dense(inputs, self.kernel, self.bias)
            outputs = ops.softmax(logits) if name == "softmax" else ops.sigmoid(logits)
            outputs._softmax_logits = (name, logits)
            return outputs
        if name is not None:
            return ops.dense(inputs, self.kernel, self.bias, activation=name)
        return self.activation(ops.dense(inputs, self.kernel, self.bias))

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                          "bias_constraint")),
        })
        return config


class Activation(Layer):
    """Applies an activation function: `Activation('relu')`."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """Inverted dropout: in training, zeroes a fraction `rate` of inputs and scales the rest by 1/(1-rate).

    At inference it is the identity, so no rescaling is needed then.

    Args:
        rate: fraction of units to drop, in [0, 1).
        noise_shape: shape of the binary mask, broadcast against the input (None: the input's shape).
        seed: makes the masks reproducible.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout '{self.name}': `rate` must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    # The op that draws the mask and applies it (AlphaDropout swaps in its own).
    _noise_op = noise_ops.dropout

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ValueError(f"{type(self).__name__} '{self.name}': noise_shape {tuple(self.noise_shape)} has "
                                 f"{len(self.noise_shape)} axes, the input {shape} has {len(shape)}")
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        return self._noise_op(inputs, rate=self.rate, noise_shape=shape, generator=self.seed_generator.rng)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config


class Flatten(Layer):
    """Flattens every axis but the batch axis: (batch, 28, 28) -> (batch, 784)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes to `target_shape` (batch axis excluded; one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        size = math.prod(inputs.shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if (-1 not in self.target_shape and known != size) or (known == 0 or size % known):
            raise ValueError(f"Reshape '{self.name}' cannot reshape input of shape {shape_text((None,) + inputs.shape[1:])} "
                             f"({size} values per sample) to target_shape {self.target_shape}")
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Lambda(Layer):
    """Wraps a function of tensors as a layer: `Lambda(lambda x: x * 2)`.

    The function should use `neuroflow.ops` so that gradients flow through it.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape

    def call(self, inputs, training=None):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        config = super().get_config()
        name = getattr(self.function, "__name__", None)
        if name is None or name == "<lambda>":
            # Python lambdas cannot be written to JSON safely (no pickle, no bytecode).
            raise NotImplementedError(
                f"Lambda '{self.name}' wraps an anonymous function, which cannot be serialized; "
                "define a named function and pass it via custom_objects when loading.")
        config.update({"function": name, "arguments": self.arguments})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = config.pop("function")
        if isinstance(function, str):
            resolved = registry.get_custom_object(function, custom_objects)
            if resolved is None:
                raise ValueError(f"Lambda layer function {function!r} is unknown: pass it in custom_objects={{{function!r}: fn}}")
            function = resolved
        return cls(function, **config)


class Identity(Layer):
    """Returns its input unchanged (a placeholder in architectures)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs


class RepeatVector(Layer):
    """Repeats a (batch, features) input n times: (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.tile(ops.expand_dims(inputs, 1), (1, self.n, 1))

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Permute(Layer):
    """Permutes the non-batch axes: Permute((2, 1)) swaps the two axes of a (batch, a, b) input."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute '{self.name}': dims must be a permutation of 1..{len(self.dims)} "
                             f"(the batch axis stays first), got {self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config
