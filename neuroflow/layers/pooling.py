"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D and the global poolings.

The window arithmetic (TF's 'same' padding, first-maximum gradients, 'same' averages over the
unpadded cells only) lives in ops/pooling.py.
"""
from neuroflow import backend, ops
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import pooling as pool_ops
from neuroflow.ops import window


class BasePooling(Layer):
    """Shared arguments of the windowed poolings.

    Args:
        pool_size: int or tuple, the window size.
        strides: int or tuple; None means pool_size (non-overlapping windows).
        padding: 'valid' or 'same' (output ceil(n / s)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    rank = 2
    _function = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.pool_size = window.normalize_tuple(pool_size, self.rank, f"{where}: pool_size")
        self.strides = self.pool_size if strides is None else window.normalize_tuple(
            strides, self.rank, f"{where}: strides")
        self.padding = window.check_padding(padding)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self)._function(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                       "data_format": self.data_format})
        return config


class MaxPooling1D(BasePooling):
    """Max over windows of (batch, steps, channels): out[n, t, c] = max over i < p of x[n, t*s + i, c]."""

    rank = 1
    _function = staticmethod(pool_ops.max_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over windows of (batch, height, width, channels): `MaxPooling2D()` halves height and width.

    out[n, y, x, c] = max over i, j of x_pad[n, y*sh + i, x*sw + j, c]; the gradient goes to the first
    maximum of each window.
    """

    rank = 2
    _function = staticmethod(pool_ops.max_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of (batch, steps, channels) ('same': over the unpadded cells)."""

    rank = 1
    _function = staticmethod(pool_ops.average_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over windows of (batch, height, width, channels) ('same': over the unpadded cells)."""

    rank = 2
    _function = staticmethod(pool_ops.average_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """Shared arguments of the global poolings: reduce every spatial axis.

    Args:
        data_format: 'channels_last' (default) or 'channels_first'.
        keepdims: keep the spatial axes with size 1 (else the output is (batch, channels)).
    """

    rank = 2
    _reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        first = 1 if self.data_format == "channels_last" else 2
        axes = tuple(range(first, first + self.rank))
        return type(self)._reduce(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling1D(BaseGlobalPooling):
    """out[n, c] = max over t of x[n, t, c]."""

    rank = 1
    _reduce = staticmethod(ops.max)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """out[n, c] = max over y, x of x[n, y, x, c]."""

    rank = 2
    _reduce = staticmethod(ops.max)


class GlobalAveragePooling1D(BaseGlobalPooling):
    """out[n, c] = mean over t of x[n, t, c]; with a (batch, steps) mask (Embedding(mask_zero=True),
    an attention layer's output), the mean over the unmasked steps only, as Keras does."""

    rank = 1
    _reduce = staticmethod(ops.mean)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = 1 if self.data_format == "channels_last" else 2
        keep = (mask.value if hasattr(mask, "value") else backend.xp.asarray(mask)).astype(bool)
        keep = backend.xp.expand_dims(keep, 2 if self.data_format == "channels_last" else 1)
        # where (not a product): a masked step holding inf or NaN must not leak into the sum.
        total = ops.sum(ops.where(keep, inputs, 0.0), axis=axis, keepdims=self.keepdims)
        # At least 1: a fully masked sequence pools to 0 (Keras divides 0 by 0 there, giving NaN).
        count = backend.xp.maximum(backend.xp.sum(keep.astype(inputs.dtype), axis=axis, keepdims=self.keepdims), 1)
        return ops.divide(total, count)


class GlobalAveragePooling2D(BaseGlobalPooling):
    """out[n, c] = mean over y, x of x[n, y, x, c]."""

    rank = 2
    _reduce = staticmethod(ops.mean)


# Keras' short aliases.
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
