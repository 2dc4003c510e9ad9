"""Merge layers: combine a list of tensors of the same shape (Add, ...) or along an axis (Concatenate)."""
import functools

from neuroflow import ops
from neuroflow.layers.layer import Layer
from neuroflow.utils.errors import shape_text


class _Merge(Layer):
    """Base for layers taking a list of at least two tensors with broadcast-compatible shapes."""

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects a list of at least 2 inputs; got {input_shape}")
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, shapes):
        reference = shapes[0][1:]
        for shape in shapes[1:]:
            if len(shape) != len(shapes[0]) or any(a is not None and b is not None and a != b and 1 not in (a, b)
                                                    for a, b in zip(reference, shape[1:])):
                raise ValueError(f"{type(self).__name__} '{self.name}' needs inputs of the same shape; got "
                                 f"{', '.join(shape_text(s) for s in shapes)}")

    def call(self, inputs):
        return functools.reduce(self._combine, inputs)


class Add(_Merge):
    """Elementwise sum of its inputs."""
    _combine = staticmethod(ops.add)


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs)."""
    _combine = staticmethod(ops.subtract)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Subtract '{self.name}' expects exactly 2 inputs, got {len(input_shape)}")
        super().build(input_shape)


class Multiply(_Merge):
    """Elementwise product of its inputs."""
    _combine = staticmethod(ops.multiply)


class Maximum(_Merge):
    _combine = staticmethod(ops.maximum)


class Minimum(_Merge):
    _combine = staticmethod(ops.minimum)


class Average(_Merge):
    """Elementwise mean of its inputs."""

    def call(self, inputs):
        return ops.divide(functools.reduce(ops.add, inputs), float(len(inputs)))


class Concatenate(Layer):
    """Concatenates a list of tensors along `axis` (default the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"Concatenate '{self.name}' expects a list of at least 2 inputs; got {input_shape}")
        rank = len(input_shape[0])
        axis = self.axis % rank
        for shape in input_shape[1:]:
            if len(shape) != rank or any(i != axis and a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(input_shape[0], shape))):
                raise ValueError(f"Concatenate '{self.name}' (axis={self.axis}) needs inputs whose shapes match "
                                 f"except on the concatenation axis; got "
                                 f"{', '.join(shape_text(s) for s in input_shape)}")
        self.built = True

    def call(self, inputs):
        return ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
