"""Merge layers: combine a list of tensors of the same shape (Add, ...), along an axis (Concatenate),
or by per-sample dot products (Dot)."""
import functools
import math

from neuroflow import ops
from neuroflow.layers.layer import Layer
from neuroflow.layers.normalization import l2_normalize
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


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def batch_dot(x, y, axes):
    """Per-sample tensor dot product of x and y, contracting x's axis axes[0] with y's axes[1].

    out[n, i..., j...] = sum_k x[n, i..., k, ...] * y[n, ..., k, j...]: x's remaining axes, then y's
    (Keras' batch_dot); when both inputs are (batch, d), the output is (batch, 1).

    Args:
        x, y: Tensors of rank >= 2 with the same batch size.
        axes: (axis of x, axis of y), non-negative and not 0.
    """
    a0, a1 = axes
    batch, depth = x.shape[0], x.shape[a0]
    x = ops.transpose(x, (0,) + tuple(i for i in range(1, x.ndim) if i != a0) + (a0,))
    y = ops.transpose(y, (0, a1) + tuple(i for i in range(1, y.ndim) if i != a1))
    x_rest, y_rest = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    # One batched matmul: (batch, prod(x_rest), depth) @ (batch, depth, prod(y_rest)).
    out = ops.matmul(ops.reshape(x, (batch, math.prod(x_rest), depth)),
                     ops.reshape(y, (batch, depth, math.prod(y_rest))))
    return ops.reshape(out, (batch,) + (x_rest + y_rest or (1,)))


class Dot(Layer):
    """Dot product of two tensors per sample, along one axis of each (keras.layers.Dot).

    out[n, i..., j...] = sum_k x[n, i..., k] * y[n, k, j...] with the contracted axes moved into
    place; two (batch, d) inputs give (batch, 1). With `normalize=True` each input is first scaled
    to unit L2 norm along its contracted axis (x / max(||x||, epsilon)), so the output is the
    cosine similarity.

    Args:
        axes: int (the same axis of both inputs) or a pair of ints (axis of x, axis of y); the
            batch axis 0 cannot be contracted.
        normalize: L2-normalize the inputs along `axes` first.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not _is_int(axes) and not (isinstance(axes, (list, tuple)) and len(axes) == 2
                                       and all(_is_int(a) for a in axes)):
            raise ValueError(f"Dot '{self.name}': `axes` must be an int or a list/tuple of 2 ints, got {axes!r}")
        self.axes = axes if _is_int(axes) else tuple(axes)
        self.normalize = bool(normalize)

    def _resolved_axes(self, shapes):
        pair = (self.axes, self.axes) if _is_int(self.axes) else tuple(self.axes)
        axes = []
        for axis, shape in zip(pair, shapes):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise ValueError(f"Dot '{self.name}': axes={self.axes} must name a non-batch axis of each input; "
                                 f"got input shapes {', '.join(shape_text(s) for s in shapes)}")
            axes.append(axis % len(shape))
        return tuple(axes)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Dot '{self.name}' expects a list of exactly 2 inputs; got {input_shape}")
        for shape in input_shape:
            if len(shape) < 2:
                raise ValueError(f"Dot '{self.name}' needs inputs of rank >= 2 (batch axis included); got "
                                 f"{', '.join(shape_text(s) for s in input_shape)}")
        a0, a1 = self._resolved_axes(input_shape)
        d0, d1 = input_shape[0][a0], input_shape[1][a1]
        if d0 is not None and d1 is not None and d0 != d1:
            raise ValueError(f"Dot '{self.name}': axis {a0} of the first input has size {d0} but axis {a1} of the "
                             f"second has size {d1}; input shapes {', '.join(shape_text(s) for s in input_shape)}")
        self.built = True

    def call(self, inputs):
        x, y = inputs
        axes = self._resolved_axes([x.shape, y.shape])
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"Dot '{self.name}': the inputs' batch sizes differ ({x.shape[0]} and {y.shape[0]})")
        if self.normalize:
            x, y = l2_normalize(x, axis=axes[0]), l2_normalize(y, axis=axes[1])
        return batch_dot(x, y, axes)

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs, axes=-1, **kwargs):
    """Functional form of Dot: `Dot(axes, **kwargs)(inputs)`."""
    return Dot(axes=axes, **kwargs)(inputs)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
