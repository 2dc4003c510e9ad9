"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Weights follow Keras 3's names and layouts, so weights move between the two unchanged:

    Conv1D / Conv2D       kernel (kernel_size..., channels / groups, filters), bias (filters,)
    Conv2DTranspose       kernel (kh, kw, filters, channels), bias (filters,)
    DepthwiseConv2D       depthwise_kernel (kh, kw, channels, depth_multiplier), bias (channels * dm,)
    SeparableConv2D       depthwise_kernel (kh, kw, channels, dm), pointwise_kernel (1, 1, channels * dm,
                          filters), bias (filters,)

The arithmetic (im2col + one matrix product) lives in ops/convolution/, the window geometry (TF's
'same' padding) in ops/window.py.
"""
from neuroflow import activations, ops
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import convolution as conv_ops
from neuroflow.ops import window
from neuroflow.utils.errors import shape_text


def check_data_format(data_format, name):
    """'channels_last' (the default for None) or 'channels_first'; anything else raises naming `name`."""
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: `data_format` must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format


def _channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def _input_channels(layer, input_shape):
    """The channel count of `input_shape`, checked for rank and for being known."""
    input_shape = tuple(input_shape)
    if len(input_shape) != layer.rank + 2:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects a rank-{layer.rank + 2} input "
                         f"(batch, {'spatial, ' * layer.rank}channels), got input shape {shape_text(input_shape)}")
    channels = input_shape[_channel_axis(layer.data_format)]
    if channels is None:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' needs a known channel axis; got input shape "
                         f"{shape_text(input_shape)} with data_format={layer.data_format!r}")
    return int(channels)


def _add_bias(outputs, bias, data_format, rank):
    if bias is None:
        return outputs
    if data_format == "channels_first":
        bias = ops.reshape(bias, (bias.shape[0],) + (1,) * rank)
    return ops.add(outputs, bias)


def _bias_weight(layer, size):
    """The (size,) `bias` weight made from the layer's bias arguments, or None without use_bias."""
    if not layer.use_bias:
        return None
    return layer.add_weight(shape=(size,), initializer=layer.bias_initializer, regularizer=layer.bias_regularizer,
                            constraint=layer.bias_constraint, name="bias")


class BaseConv(Layer):
    """Shared arguments and weights of Conv1D / Conv2D (keras.layers.Conv1D, Conv2D).

    out[n, y, x, o] = activation(sum over i, j, c of x_pad[n, y*s + i*d, x*s + j*d, c] * kernel[i, j, c, o]
    + bias[o]); with groups > 1, input channel group g feeds only output channel group g.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple, the window's spatial size.
        strides: int or tuple (default 1).
        padding: 'valid', 'same' (output ceil(n / s)), or 'causal' (Conv1D only: left padding).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple, spacing of the kernel taps.
        groups: split the channels into this many independent groups.
        activation: name or callable; None is linear.
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as in Dense.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{where}: `filters` must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = window.normalize_tuple(kernel_size, self.rank, f"{where}: kernel_size")
        self.strides = window.normalize_tuple(strides, self.rank, f"{where}: strides")
        self.dilation_rate = window.normalize_tuple(dilation_rate, self.rank, f"{where}: dilation_rate")
        allowed = window.PADDINGS + ("causal",) if self.rank == 1 else window.PADDINGS
        self.padding = window.check_padding(padding, allowed)
        self.data_format = check_data_format(data_format, where)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{where}: `groups` must be a positive integer, got {groups!r}")
        if filters % groups:
            raise ValueError(f"{where}: `filters` ({filters}) must be divisible by `groups` ({groups})")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{where}: strides > 1 cannot be combined with dilation_rate > 1 "
                             f"(got strides={self.strides}, dilation_rate={self.dilation_rate})")
        self.groups = int(groups)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._kernel_activation = activations.kernel_name(self.activation)

    def build(self, input_shape):
        channels = _input_channels(self, input_shape)
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} '{self.name}': the input's {channels} channels are not "
                             f"divisible by groups={self.groups}; input shape {shape_text(input_shape)}")
        self.kernel = self.add_weight(shape=self.kernel_size + (channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = _bias_weight(self, self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={_channel_axis(self.data_format): channels})
        self.built = True

    def blas_threads(self):
        # The managed split pays for plain convolutions; grouped ones still rely on OpenBLAS's threads.
        return "split" if self.groups == 1 else "default"

    def call(self, inputs):
        # Bias and a built-in activation run inside the convolution op (one pass, one residual).
        fused = self._kernel_activation if self._kernel_activation not in ("softmax", "log_softmax") else None
        outputs = conv_ops.conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                                self.dilation_rate, self.groups, bias=self.bias,
                                activation=fused if fused is not None else "linear")
        return outputs if fused is not None else self.activation(outputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                          "bias_constraint")),
        })
        return config


class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels) (keras.layers.Conv1D); padding may be 'causal'.

    Example: `Conv1D(8, 3, padding='causal')(x)` maps (2, 10, 4) to (2, 10, 8), step t seeing only
    steps <= t.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, **kwargs)


class Conv2D(BaseConv):
    """2-D convolution over (batch, height, width, channels) (keras.layers.Conv2D).

    Example: `Conv2D(32, 3, activation='relu')(x)` maps (n, 28, 28, 1) to (n, 26, 26, 32).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, **kwargs)


class Conv2DTranspose(Layer):
    """Transposed 2-D convolution (keras.layers.Conv2DTranspose): the input-gradient of Conv2D.

    Each input pixel scatters `x[n, y, x, :] @ kernel[i, j].T` to output pixel
    (y*s + i*d - pad, x*s + j*d - pad). Output size per axis (Keras): output_padding None ->
    n*s + max(k_eff - s, 0) for 'valid', n*s for 'same'; else (n - 1)*s + k_eff - 2*pad + output_padding.

    Args:
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
        initializers, regularizers, constraints: as in Conv2D.
        output_padding: int or tuple (each < strides), or None to infer.

    Weights: kernel (kh, kw, filters, channels), bias (filters,).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{where}: `filters` must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = window.normalize_tuple(kernel_size, self.rank, f"{where}: kernel_size")
        self.strides = window.normalize_tuple(strides, self.rank, f"{where}: strides")
        self.dilation_rate = window.normalize_tuple(dilation_rate, self.rank, f"{where}: dilation_rate")
        self.padding = window.check_padding(padding)
        self.output_padding = None if output_padding is None else window.normalize_tuple(
            output_padding, self.rank, f"{where}: output_padding", minimum=0)
        if self.output_padding is not None:
            for extra, stride, dilation in zip(self.output_padding, self.strides, self.dilation_rate):
                if extra >= stride and extra >= dilation:
                    raise ValueError(f"{where}: output_padding {self.output_padding} must be smaller than "
                                     f"strides {self.strides}")
        self.data_format = check_data_format(data_format, where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        channels = _input_channels(self, input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = _bias_weight(self, self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={_channel_axis(self.data_format): channels})
        self.built = True

    def blas_threads(self):
        return "default"  # its products rely on OpenBLAS's threads

    def call(self, inputs):
        outputs = conv_ops.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                                          self.data_format, self.dilation_rate)
        return self.activation(_add_bias(outputs, self.bias, self.data_format, self.rank))

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                          "bias_constraint")),
        })
        return config


class DepthwiseConv2D(Layer):
    """Depthwise 2-D convolution (keras.layers.DepthwiseConv2D): each channel meets only its own filters.

    out[n, y, x, k*m + j] = activation(sum over taps (i, l) of x_pad[n, y*s + i*d, x*s + l*d, k]
    * depthwise_kernel[i, l, k, j] + bias[k*m + j]).

    Args:
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias: as in Conv2D.
        depth_multiplier: output channels per input channel.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: for the kernel.
        bias_initializer / bias_regularizer / bias_constraint / activity_regularizer: as in Conv2D.

    Weights: depthwise_kernel (kh, kw, channels, depth_multiplier), bias (channels * depth_multiplier,).
    """

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or depth_multiplier < 1:
            raise ValueError(f"{where}: `depth_multiplier` must be a positive integer, got {depth_multiplier!r}")
        self.depth_multiplier = int(depth_multiplier)
        self.kernel_size = window.normalize_tuple(kernel_size, self.rank, f"{where}: kernel_size")
        self.strides = window.normalize_tuple(strides, self.rank, f"{where}: strides")
        self.dilation_rate = window.normalize_tuple(dilation_rate, self.rank, f"{where}: dilation_rate")
        self.padding = window.check_padding(padding)
        self.data_format = check_data_format(data_format, where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        store_arguments(self, depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                              depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                              depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _bias_size(self, channels):
        return channels * self.depth_multiplier

    def build(self, input_shape):
        channels = _input_channels(self, input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier), initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint, name="depthwise_kernel")
        self._build_rest(channels)
        self.bias = _bias_weight(self, self._bias_size(channels))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={_channel_axis(self.data_format): channels})
        self.built = True

    def _build_rest(self, channels):
        """Weights created between the depthwise kernel and the bias (SeparableConv2D's pointwise kernel)."""

    def _convolve(self, inputs):
        return conv_ops.depthwise_conv(inputs, self.depthwise_kernel, self.strides, self.padding, self.data_format,
                                       self.dilation_rate)

    def blas_threads(self):
        return "default"  # its products rely on OpenBLAS's threads

    def call(self, inputs):
        return self.activation(_add_bias(self._convolve(inputs), self.bias, self.data_format, self.rank))

    def get_config(self):
        config = super().get_config()
        config.update({
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **serialized_arguments(self, ("depthwise_initializer", "bias_initializer", "depthwise_regularizer",
                                          "bias_regularizer", "activity_regularizer", "depthwise_constraint",
                                          "bias_constraint")),
        })
        return config


class SeparableConv2D(DepthwiseConv2D):
    """Depthwise then pointwise (1x1) convolution (keras.layers.SeparableConv2D).

    out = activation(conv1x1(depthwise_conv(x, depthwise_kernel), pointwise_kernel) + bias).

    Args:
        filters: output channels of the pointwise convolution.
        pointwise_initializer / pointwise_regularizer / pointwise_constraint: for the 1x1 kernel.
        The rest as in DepthwiseConv2D.

    Weights: depthwise_kernel (kh, kw, channels, dm), pointwise_kernel (1, 1, channels * dm, filters),
    bias (filters,).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': `filters` must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        store_arguments(self, pointwise_initializer=pointwise_initializer, pointwise_regularizer=pointwise_regularizer,
                              pointwise_constraint=pointwise_constraint)

    def _bias_size(self, channels):
        return self.filters

    def _build_rest(self, channels):
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters), initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint, name="pointwise_kernel")

    def _convolve(self, inputs):
        return conv_ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides,
                                       self.padding, self.data_format, self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            **serialized_arguments(self, ("pointwise_initializer", "pointwise_regularizer", "pointwise_constraint")),
        })
        return config


# Keras' long-form aliases: the same classes under a second name.
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
