"""Input and InputLayer: where a functional model's placeholders come from."""
import numbers

from neuroflow.engine.keras_tensor import KerasTensor, Node
from neuroflow.layers.layer import Layer


class InputLayer(Layer):
    """The entry point of a model: holds the input placeholder.

    Args:
        shape: the input shape without the batch axis, e.g. (784,).
        batch_size: an optional fixed batch size.
        dtype: the input dtype (default floatx).
        name: the input's name (used for dict inputs in fit).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
                 input_tensor=None, **kwargs):
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
        elif shape is not None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        else:
            raise ValueError(f"InputLayer '{self.name}' needs `shape` (the input shape without the batch axis)")
        for dimension in batch_shape[1:]:
            if dimension is not None and (not isinstance(dimension, numbers.Integral) or dimension < 0):
                raise ValueError(f"InputLayer '{self.name}': cannot convert {tuple(batch_shape[1:])} to a shape; each "
                                 f"dimension must be a non-negative integer or None, got {dimension!r}")
        self.batch_shape = batch_shape
        self.built = True
        placeholder = KerasTensor(batch_shape, dtype=self.dtype, name=self.name)
        node = Node(self, (), {}, placeholder)
        placeholder.node, placeholder.index = node, 0
        self._inbound_nodes.append(node)  # `self.output` (Layer's property) reads the placeholder from here

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None):
    """A placeholder for a functional model's input (keras.Input).

        inputs = Input(shape=(784,))
        outputs = Dense(10, activation="softmax")(inputs)
        model = Model(inputs, outputs)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)
    return layer.output
