"""Spatial reshaping layers: UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D."""
from neuroflow import ops
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import image as image_ops
from neuroflow.ops import pooling as pool_ops
from neuroflow.ops import window
from neuroflow.utils.errors import shape_text, unknown_name_error


def _pairs(value, name, where):
    """((top, bottom), (left, right)) from an int, a pair of ints, or a pair of pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = ((value, value), (value, value))
    try:
        value = tuple(value)
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            value = ((value[0], value[0]), (value[1], value[1]))
        value = tuple(tuple(int(v) for v in pair) for pair in value)
    except (TypeError, ValueError):
        value = None
    if value is None or len(value) != 2 or any(len(pair) != 2 or min(pair) < 0 for pair in value):
        raise ValueError(f"{where}: `{name}` must be an int, a tuple of 2 ints, or a tuple of 2 tuples of 2 "
                         "non-negative ints ((top, bottom), (left, right))")
    return value


def _pair(value, name, where):
    """(before, after) from an int or a pair of non-negative ints (the 1D layers' argument)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    try:
        value = tuple(value)
        valid = len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    except TypeError:
        valid = False
    if not valid:
        raise ValueError(f"{where}: `{name}` must be a non-negative int or a tuple of 2 non-negative ints "
                         f"(before, after); got {value!r}")
    return tuple(int(v) for v in value)


def _spatial_axes(data_format, rank=2):
    """The spatial axes of a (batch, ..., channels) or (batch, channels, ...) input of `rank` spatial axes."""
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


class UpSampling2D(Layer):
    """Repeats rows and columns: out[n, y, x, c] = x[n, y // size[0], x // size[1], c].

    Args:
        size: int or tuple of 2 ints, the upsampling factors.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest' (repeat each pixel) or 'bilinear' (ops.image.resize, half-pixel
            centres, as Keras).
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        where = f"UpSampling2D '{self.name}'"
        self.size = window.normalize_tuple(size, 2, f"{where}: size")
        self.data_format = check_data_format(data_format, where)
        if interpolation not in ("nearest", "bilinear"):
            raise unknown_name_error("interpolation", interpolation, ("nearest", "bilinear"))
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        if self.interpolation == "bilinear":
            height, width = _spatial_axes(self.data_format)
            size = (inputs.shape[height] * self.size[0], inputs.shape[width] * self.size[1])
            return image_ops.resize(inputs, size, interpolation="bilinear", data_format=self.data_format)
        return pool_ops.upsampling2d(inputs, self.size, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation})
        return config


class _ZeroPadding(Layer):
    """ZeroPadding2D's and ZeroPadding3D's call and config: zeros around each spatial axis, by the
    (before, after) pairs in `self.padding` that the subclass's constructor reads."""

    def call(self, inputs):
        rank = len(self.padding)
        widths = [(0, 0)] * (rank + 2)
        for axis, pair in zip(_spatial_axes(self.data_format, rank), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns with zeros.

    Args:
        padding: int (all sides), (symmetric_height, symmetric_width), or ((top, bottom), (left, right)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"ZeroPadding2D '{self.name}'"
        self.padding = _pairs(padding, "padding", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=4)


class _Cropping(Layer):
    """Cropping2D's and Cropping3D's call and config: removes the (before, after) pairs in
    `self.cropping` that the subclass's constructor reads from each spatial axis."""

    def call(self, inputs):
        rank = len(self.cropping)
        index = [slice(None)] * (rank + 2)
        for axis, (before, after) in zip(_spatial_axes(self.data_format, rank), self.cropping):
            size = inputs.shape[axis]
            if before + after >= size:
                raise ValueError(f"{type(self).__name__} '{self.name}': cropping {self.cropping} removes every "
                                 f"element of input shape {shape_text(tuple(inputs.shape))}")
            index[axis] = slice(before, size - after)
        return ops.getitem(inputs, tuple(index))

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class Cropping2D(_Cropping):
    """Removes rows and columns at the borders.

    Args:
        cropping: int, (symmetric_height, symmetric_width), or ((top, bottom), (left, right)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"Cropping2D '{self.name}'"
        self.cropping = _pairs(cropping, "cropping", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=4)


class UpSampling1D(Layer):
    """Repeats each step `size` times along the time axis: out[n, t, c] = x[n, t // size, c].

    Args:
        size: positive int, the upsampling factor.

    Input shape (batch, steps, features); output (batch, steps * size, features).
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"UpSampling1D '{self.name}': `size` must be a positive int, got {size!r}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        # (batch, steps, 1, features) upsampled by (size, 1): the 2D op's backward sums the copies.
        batch, steps, features = inputs.shape
        out = pool_ops.upsampling2d(ops.expand_dims(inputs, 2), (self.size, 1))
        return ops.reshape(out, (batch, steps * self.size, features))

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


class ZeroPadding1D(Layer):
    """Pads the time axis with zeros.

    Args:
        padding: int (both ends) or (before, after).
        data_format: 'channels_last' (default; (batch, steps, features)) or 'channels_first'
            ((batch, features, steps)).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"ZeroPadding1D '{self.name}'"
        self.padding = _pair(padding, "padding", where)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        widths = [(0, 0), (0, 0), (0, 0)]
        widths[2 if self.data_format == "channels_first" else 1] = self.padding
        return ops.pad(inputs, widths)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class Cropping1D(Layer):
    """Removes steps at both ends of the time axis of (batch, steps, features).

    Args:
        cropping: int (both ends) or (before, after).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping", f"Cropping1D '{self.name}'")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        before, after = self.cropping
        steps = inputs.shape[1]
        if before + after >= steps:
            raise ValueError(f"Cropping1D '{self.name}': cropping {self.cropping} removes every step of "
                             f"input shape {shape_text(tuple(inputs.shape))}")
        return ops.getitem(inputs, (slice(None), slice(before, steps - after)))

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        return config
