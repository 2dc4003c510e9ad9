"""GroupNormalization and RMSNormalization: per-sample normalizations beside LayerNormalization."""
from neuroflow import ops
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import normalization as norm_ops
from neuroflow.utils.errors import shape_text


class GroupNormalization(Layer):
    """Splits the channels into `groups` and normalizes each sample's group over its other axes.

    out = gamma * (x - mean_g) / sqrt(var_g + epsilon) + beta, where mean_g / var_g are taken per
    sample and group over every axis but the batch and the group; groups=1 is close to
    LayerNormalization over all features, groups=-1 (one group per channel) is instance normalization.

    Args:
        groups: positive int dividing the channel count, or -1 for one group per channel (default 32).
        axis: the channel axis (default -1).
        epsilon: added to the variance.
        center / scale: whether to learn beta / gamma.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: as their names say.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: `groups` must be a positive integer (or -1 for instance "
                             f"normalization); received groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"GroupNormalization: `axis` must be an int; received axis={axis!r}")
        super().__init__(**kwargs)
        if not epsilon > 0:
            raise ValueError(f"GroupNormalization '{self.name}': `epsilon` must be > 0; received epsilon={epsilon!r}")
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        store_arguments(self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                              beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                              beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"GroupNormalization '{self.name}': axis {self.axis} is out of range for input shape "
                             f"{shape_text(tuple(input_shape))} (rank {rank})")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"GroupNormalization '{self.name}': axis {self.axis} of the input must be known; "
                             f"received input shape {shape_text(tuple(input_shape))}")
        if self.groups == -1:
            self.groups = dim  # Keras records the resolved count in the config
        if dim < self.groups or dim % self.groups:
            raise ValueError(f"GroupNormalization '{self.name}': `groups` must divide the {dim} channels of axis "
                             f"{self.axis}; received groups={self.groups}")
        self._axis = self.axis % rank
        self.gamma = self.add_weight(shape=(dim,), initializer=self.gamma_initializer, regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint, name="gamma") if self.scale else None
        self.beta = self.add_weight(shape=(dim,), initializer=self.beta_initializer, regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint, name="beta") if self.center else None
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: dim})
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        axis, dim = self._axis, shape[self._axis]
        # (..., C, ...) -> (..., G, C // G, ...): the statistics run over all but the batch and group axes.
        grouped_shape = (-1,) + shape[1:axis] + (self.groups, dim // self.groups) + shape[axis + 1:]
        grouped = ops.reshape(inputs, grouped_shape)
        reduce_axes = tuple(a for a in range(1, len(grouped_shape)) if a != axis)
        mean, variance = norm_ops.moments(grouped, reduce_axes, keepdims=True)
        inverse = ops.rsqrt(ops.add(variance, self.epsilon))
        # gamma / beta per channel, broadcast in the grouped layout.
        feature_shape = [1] * len(grouped_shape)
        feature_shape[axis], feature_shape[axis + 1] = self.groups, dim // self.groups
        if self.gamma is not None:
            inverse = ops.multiply(inverse, ops.reshape(self.gamma, feature_shape))
        shift = ops.negative(ops.multiply(mean, inverse))
        if self.beta is not None:
            shift = ops.add(shift, ops.reshape(self.beta, feature_shape))
        out = ops.add(ops.multiply(grouped, inverse), shift)
        return ops.reshape(out, (-1,) + shape[1:])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **serialized_arguments(self, ("beta_initializer", "gamma_initializer", "beta_regularizer",
                                          "gamma_regularizer", "beta_constraint", "gamma_constraint")),
        })
        return config


class RMSNormalization(Layer):
    """Root-mean-square normalization: out = x / sqrt(mean(x^2) + epsilon) * scale, the mean over `axis`.

    Unlike LayerNormalization(rms_scaling=True), epsilon is added to the mean square (Zhang and
    Sennrich, 2019) and the learned `scale` is the only weight.

    Args:
        axis: int or list of ints, the axes normalized over (and the shape of `scale`), default -1.
        epsilon: added to the mean square (default 1e-6).
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(axis, int) and not isinstance(axis, bool) or isinstance(axis, (list, tuple)) and axis
                and all(isinstance(a, int) and not isinstance(a, bool) for a in axis)):
            raise ValueError(f"RMSNormalization '{self.name}': `axis` must be an int or a list of ints; "
                             f"received axis={axis!r}")
        if not epsilon > 0:
            raise ValueError(f"RMSNormalization '{self.name}': `epsilon` must be > 0; received epsilon={epsilon!r}")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"RMSNormalization '{self.name}': axis {a} is out of range for input shape "
                                 f"{shape_text(tuple(input_shape))} (rank {rank})")
            if input_shape[a] is None:
                raise ValueError(f"RMSNormalization '{self.name}': axis {a} of the input must be known; "
                                 f"received input shape {shape_text(tuple(input_shape))}")
        self._axes = tuple(sorted(a % rank for a in axes))
        self.scale = self.add_weight(shape=tuple(input_shape[a] for a in self._axes), initializer="ones", name="scale")
        self.built = True

    def call(self, inputs):
        return norm_ops.rms_normalization(inputs, scale=self.scale, axis=self._axes, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
