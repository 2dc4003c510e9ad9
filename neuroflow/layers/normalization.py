"""Normalization layers: BatchNormalization, LayerNormalization and UnitNormalization.

The training-time arithmetic and its gradient are one fused op (ops/normalization.py).
"""
from neuroflow import backend, ops
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import normalization as norm_ops
from neuroflow.utils.errors import shape_text


def _check_axis(axis, where):
    """Raises ValueError unless `axis` is an int or a non-empty list / tuple of ints."""
    if not (isinstance(axis, int) or (isinstance(axis, (list, tuple)) and axis
                                      and all(isinstance(a, int) for a in axis))):
        raise ValueError(f"{where}: `axis` must be an int or a list of ints, got {axis!r}")


def _feature_axes(layer, axis, input_shape):
    """`axis` (int or sequence) as sorted non-negative axes of `input_shape`, checked."""
    rank = len(input_shape)
    axes = [axis] if isinstance(axis, int) else list(axis)
    result = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"{type(layer).__name__} '{layer.name}': axis {a} is out of range for input shape "
                             f"{shape_text(tuple(input_shape))} (rank {rank})")
        result.append(a % rank)
    for a in result:
        if input_shape[a] is None:
            raise ValueError(f"{type(layer).__name__} '{layer.name}': axis {a} of input shape "
                             f"{shape_text(tuple(input_shape))} must be known to create the weights")
    return tuple(sorted(set(result)))


def _add_gamma_and_beta(layer, shape):
    """The scale `gamma` (when `scale`) and offset `beta` (when `center`), in Keras' order."""
    layer.gamma = layer.add_weight(shape=shape, initializer=layer.gamma_initializer, regularizer=layer.gamma_regularizer,
                                   constraint=layer.gamma_constraint, name="gamma") if layer.scale else None
    layer.beta = layer.add_weight(shape=shape, initializer=layer.beta_initializer, regularizer=layer.beta_regularizer,
                                  constraint=layer.beta_constraint, name="beta") if layer.center else None


class BatchNormalization(Layer):
    """Normalizes each feature with the batch's statistics in training, moving averages at inference.

    Training (`training=True`):
        out = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta, statistics over every axis but `axis`;
        moving_mean = moving_mean * momentum + mean_B * (1 - momentum), likewise moving_variance
        (var_B is the biased batch variance, as in Keras 3).
    Inference: out = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.

    Args:
        axis: the feature axis (int or list of ints), -1 for channels_last.
        momentum: of the moving averages.
        epsilon: added to the variance.
        center / scale: whether to learn beta / gamma.
        beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer,
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as their names say.

    Weights: gamma, beta (trainable), moving_mean, moving_variance (non-trainable), each of the
    feature axes' shape.
    """

    # renorm* arrived in Keras 3.13; inert while renorm=False.
    keras_inert_options = {"synchronized": (False,), "renorm": (False,), "renorm_clipping": (None,),
                           "renorm_momentum": None}

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        where = f"BatchNormalization '{self.name}'"
        _check_axis(axis, where)
        if not 0 <= momentum <= 1:
            raise ValueError(f"{where}: `momentum` must be in [0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"{where}: `epsilon` must be > 0, got {epsilon!r}")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        store_arguments(self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                              moving_mean_initializer=moving_mean_initializer,
                              moving_variance_initializer=moving_variance_initializer,
                              beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                              beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = _feature_axes(self, self.axis, input_shape)
        shape = tuple(input_shape[a] for a in self._axes)
        _add_gamma_and_beta(self, shape)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer, trainable=False,
                                           name="moving_mean")
        self.moving_variance = self.add_weight(shape=shape, initializer=self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        # Read as float32 under a mixed policy: the layer computes in float32 (see call), as Keras' does.
        for weight in (self.gamma, self.beta, self.moving_mean, self.moving_variance):
            if weight is not None:
                weight.autocast = False
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def call(self, inputs, training=None):
        # A batch variance in float16 overflows (squares past 65504) and loses the small ones, so
        # half-precision inputs are normalized in float32 and the result cast back (Keras' choice).
        if inputs.dtype == "float16":
            return ops.cast(self._normalize(ops.cast(inputs, "float32"), training), self.compute_dtype)
        return self._normalize(inputs, training)

    def _normalize(self, inputs, training):
        if training and self.trainable:
            out, mean, variance = norm_ops.batch_norm_training(inputs, self.gamma, self.beta, self._axes, self.epsilon)
            # In place on the non-trainable Variables: moving = moving * momentum + batch * (1 - momentum).
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
                moving.assign(moving.value * self.momentum + batch.astype(moving.value.dtype) * (1.0 - self.momentum))
            return out
        rank = len(inputs.shape)
        shape = tuple(inputs.shape[i] if i in self._axes else 1 for i in range(rank))
        # Inference folds the moving statistics into one scale and shift per feature.
        inv_std = 1.0 / backend.xp.sqrt(self.moving_variance.value + self.epsilon)
        scale = inv_std if self.gamma is None else ops.multiply(self.gamma, inv_std)
        shift = ops.multiply(-self.moving_mean.value, scale)
        if self.beta is not None:
            shift = ops.add(shift, self.beta)
        return ops.add(ops.multiply(inputs, ops.reshape(scale, shape)), ops.reshape(shift, shape))

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **serialized_arguments(self, ("beta_initializer", "gamma_initializer", "moving_mean_initializer",
                                          "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                                          "beta_constraint", "gamma_constraint")),
        })
        return config


class LayerNormalization(Layer):
    """Normalizes each sample over its feature axes: out = gamma * (x - mean) / sqrt(var + epsilon) + beta.

    The statistics are per sample (over `axis`), so training and inference compute the same thing.

    Args:
        axis: int or list of ints, the axes normalized over (and the shape of gamma / beta).
        epsilon: added to the variance.
        center / scale: whether to learn beta / gamma.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: as their names say.
    """

    keras_inert_options = {"rms_scaling": (False,)}

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        _check_axis(axis, f"LayerNormalization '{self.name}'")
        if not epsilon > 0:
            raise ValueError(f"LayerNormalization '{self.name}': `epsilon` must be > 0, got {epsilon!r}")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        store_arguments(self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                              beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                              beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = _feature_axes(self, self.axis, input_shape)
        shape = tuple(input_shape[a] for a in self._axes)
        _add_gamma_and_beta(self, shape)
        for weight in (self.gamma, self.beta):  # read as float32 under a mixed policy, as in BatchNormalization
            if weight is not None:
                weight.autocast = False
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def call(self, inputs):
        # Half-precision inputs are normalized in float32 and cast back, as Keras' LayerNormalization does.
        if inputs.dtype == "float16":
            outputs = norm_ops.layer_norm(ops.cast(inputs, "float32"), self.gamma, self.beta, self._axes, self.epsilon)
            return ops.cast(outputs, self.compute_dtype)
        return norm_ops.layer_norm(inputs, self.gamma, self.beta, self._axes, self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **serialized_arguments(self, ("beta_initializer", "gamma_initializer", "beta_regularizer",
                                          "gamma_regularizer", "beta_constraint", "gamma_constraint")),
        })
        return config


def l2_normalize(x, axis=-1, epsilon=None):
    """x / max(||x||_2, epsilon) over `axis` (int or tuple), Keras' ops.normalize(order=2).

    Computed as x / sqrt(max(sum(x^2), epsilon^2)), the same number, so that an all-zero slice
    gets a zero gradient instead of the 0 * inf of differentiating sqrt at 0.

    Args:
        x: a Tensor.
        axis: the axis or axes that hold one vector.
        epsilon: the smallest norm divided by (default `backend.epsilon()`).
    """
    epsilon = backend.epsilon() if epsilon is None else epsilon
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(squares, epsilon * epsilon)))


class UnitNormalization(Layer):
    """Scales each vector along `axis` to unit L2 norm: out = x / max(||x||_2, 1e-12).

    Args:
        axis: int or list of ints, the axes holding one vector (default -1, the features).
    """

    epsilon = 1e-12  # Keras' constant for this layer (not backend.epsilon())

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(f"UnitNormalization '{self.name}': `axis` must be an int or a list/tuple of ints, "
                            f"got {axis!r}")
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        for a in [self.axis] if isinstance(self.axis, int) else self.axis:
            if not -rank <= a < rank:
                raise ValueError(f"UnitNormalization '{self.name}': axis {a} is out of range for input shape "
                                 f"{shape_text(tuple(input_shape))} (rank {rank})")
        self.built = True

    def call(self, inputs):
        axis = self.axis if isinstance(self.axis, int) else tuple(self.axis)
        return l2_normalize(inputs, axis=axis, epsilon=self.epsilon)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
