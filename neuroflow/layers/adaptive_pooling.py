"""Adaptive pooling layers: a fixed output size whatever the input size (PyTorch's windows, as Keras 3).

Output index i of a spatial axis of length L pooled to n covers [floor(i L / n), ceil((i + 1) L / n)).
"""
from neuroflow import backend
from neuroflow.layers.layer import Layer
from neuroflow.ops import adaptive_pooling as adaptive_ops


class _AdaptivePooling(Layer):
    """Shared by the six adaptive pooling layers; subclasses set `rank` and `_pool`."""

    rank = None
    _pool = None

    def __init__(self, output_size, data_format=None, **kwargs):
        name = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * self.rank
        elif not isinstance(output_size, (tuple, list)):
            raise TypeError(f"{name}: `output_size` must be an int or a tuple of {self.rank} ints; received "
                            f"output_size={output_size!r} of type {type(output_size).__name__}")
        if len(output_size) != self.rank or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0
                                                    for s in output_size):
            raise ValueError(f"{name}: `output_size` must be a positive int or a tuple of {self.rank} positive "
                             f"ints; received output_size={output_size!r}")
        data_format = data_format or backend.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{name}: `data_format` must be 'channels_last' or 'channels_first'; received "
                             f"data_format={data_format!r}")
        super().__init__(**kwargs)
        self.output_size = tuple(output_size)
        self.data_format = data_format

    def call(self, inputs):
        return type(self)._pool(inputs, self.output_size, self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """The mean over each adaptive window of a (batch, steps, channels) input: output (batch, n, channels)."""

    rank, _pool = 1, adaptive_ops.adaptive_average_pool


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """The mean over each adaptive window of a (batch, height, width, channels) input."""

    rank, _pool = 2, adaptive_ops.adaptive_average_pool


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """The mean over each adaptive window of a (batch, depth, height, width, channels) input."""

    rank, _pool = 3, adaptive_ops.adaptive_average_pool


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum over each adaptive window of a (batch, steps, channels) input."""

    rank, _pool = 1, adaptive_ops.adaptive_max_pool


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The maximum over each adaptive window of a (batch, height, width, channels) input."""

    rank, _pool = 2, adaptive_ops.adaptive_max_pool


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """The maximum over each adaptive window of a (batch, depth, height, width, channels) input."""

    rank, _pool = 3, adaptive_ops.adaptive_max_pool
