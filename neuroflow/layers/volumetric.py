"""Volumetric (3-D) layers: Conv3D, MaxPooling3D, AveragePooling3D, the global 3-D poolings,
UpSampling3D, ZeroPadding3D, Cropping3D and SpatialDropout3D, on (batch, depth, height, width, channels) inputs
(channels second with data_format='channels_first').

Conv3D's kernel is Keras' (kd, kh, kw, channels, filters), its bias (filters,). The window
arithmetic lives in ops/convolution/volumetric.py.
"""
from neuroflow import backend, ops
from neuroflow.layers.convolutional import BaseConv, check_data_format
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.layers.pooling import BaseGlobalPooling, BasePooling
from neuroflow.layers.regularization import SpatialDropout2D
from neuroflow.layers.reshaping import _Cropping, _spatial_axes, _ZeroPadding
from neuroflow.ops import window
from neuroflow.ops.convolution import volumetric


class Conv3D(BaseConv):
    """3-D convolution (keras.layers.Conv3D):

        out[n, z, y, x, o] = activation(sum over a, b, c, ch of
                             x_pad[n, z*sd + a*dd, y*sh + b*dh, x*sw + c*dw, ch] * kernel[a, b, c, ch, o] + bias[o])

        Conv3D(8, 3, padding="same")(numpy.zeros((2, 6, 6, 6, 1)))        # (2, 6, 6, 6, 8)

    Args: as Conv2D, with 3-tuples; groups must be 1 (grouped 3-D convolution is not supported).
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        if self.groups != 1:
            raise NotImplementedError(f"Conv3D '{self.name}': groups={self.groups} is not supported; use groups=1")

    def blas_threads(self):
        return "default"

    def call(self, inputs):
        outputs = volumetric.conv3d(inputs, self.kernel, self.strides, self.padding, self.data_format,
                                    self.dilation_rate, bias=self.bias if self.data_format == "channels_last" else None)
        if self.bias is not None and self.data_format == "channels_first":
            outputs = ops.add(outputs, ops.reshape(self.bias, (self.filters, 1, 1, 1)))
        return self.activation(outputs)


class MaxPooling3D(BasePooling):
    """Max over 3-D windows: `MaxPooling3D()` halves depth, height and width; the gradient goes to
    the first maximum of each window."""

    rank = 3
    _function = staticmethod(volumetric.max_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    """Mean over 3-D windows ('same': over the unpadded cells only)."""

    rank = 3
    _function = staticmethod(volumetric.average_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalMaxPooling3D(BaseGlobalPooling):
    """out[n, c] = max over z, y, x of x[n, z, y, x, c]."""

    rank = 3
    _reduce = staticmethod(ops.max)


class GlobalAveragePooling3D(BaseGlobalPooling):
    """out[n, c] = mean over z, y, x of x[n, z, y, x, c]."""

    rank = 3
    _reduce = staticmethod(ops.mean)


def _triple_of_pairs(value, name, where):
    """((d0, d1), (h0, h1), (w0, w1)) from an int, 3 ints, or 3 pairs of non-negative ints."""
    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    result = None
    if is_int(value):
        result = ((value, value),) * 3
    elif isinstance(value, (list, tuple)) and len(value) == 3:
        if all(is_int(v) for v in value):
            result = tuple((v, v) for v in value)
        elif all(isinstance(p, (list, tuple)) and len(p) == 2 and all(is_int(v) for v in p) for p in value):
            result = tuple(tuple(p) for p in value)
    if result is None or any(v < 0 for pair in result for v in pair):
        raise ValueError(f"{where}: `{name}` must be a non-negative int, a tuple of 3 ints, or a tuple of 3 tuples "
                         f"of 2 ints ((depth), (height), (width) as (before, after)); got {value!r}")
    return tuple(tuple(int(v) for v in pair) for pair in result)


class UpSampling3D(Layer):
    """Repeats each voxel: out[n, z, y, x, c] = x[n, z // size[0], y // size[1], x // size[2], c].

    Args:
        size: int or tuple of 3 ints, the upsampling factors.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"UpSampling3D '{self.name}'"
        self.size = window.normalize_tuple(size, 3, f"{where}: size")
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        outputs = inputs
        for axis, factor in zip(_spatial_axes(self.data_format, 3), self.size):
            if factor > 1:
                outputs = ops.take(outputs, backend.xp.repeat(backend.xp.arange(outputs.shape[axis]), factor), axis=axis)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


class ZeroPadding3D(_ZeroPadding):
    """Pads depth, height and width with zeros.

    Args:
        padding: int (all sides), 3 ints (symmetric per axis), or 3 pairs ((before, after) per axis).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"ZeroPadding3D '{self.name}'"
        self.padding = _triple_of_pairs(padding, "padding", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=5)


class Cropping3D(_Cropping):
    """Removes voxels at the borders of depth, height and width.

    Args:
        cropping: int, 3 ints (symmetric per axis), or 3 pairs ((before, after) per axis).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"Cropping3D '{self.name}'"
        self.cropping = _triple_of_pairs(cropping, "cropping", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=5)


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole feature volumes of (batch, depth, height, width, channels): one keep/drop per
    (sample, channel), kept channels scaled by 1 / (1 - rate); in training only.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: makes the masks reproducible.
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=5)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1, 1)
        return (shape[0], 1, 1, 1, shape[4])


# Keras' other names.
Convolution3D = Conv3D
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D
