"""Sequential: a plain stack of layers, each feeding the next."""
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer
from neuroflow.models.model import Model
from neuroflow.utils.errors import shape_text
from neuroflow.utils.serialization import deserialize_layer, serialize_layer, shape_list


class Sequential(Model):
    """A linear stack of layers (keras.Sequential).

        model = Sequential()
        model.add(Dense(512, activation="relu", input_shape=(784,)))
        model.add(Dense(10, activation="softmax"))

    When the input shape is known (an Input, `input_shape=` on the first layer, or `build`), the
    layers are built at once and `summary()` shows every shape; otherwise they are built on the
    first batch.
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._stack)

    def keras_layers(self):
        """The layers in Keras' `model.layers` order, which names their saved weight groups: the stack."""
        return list(self._stack)

    def add(self, layer, rebuild=True):
        """Appends a layer (or an Input placeholder, which fixes the input shape)."""
        if isinstance(layer, KerasTensor) and layer.node is not None and isinstance(layer.node.operation, InputLayer):
            layer = layer.node.operation
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError(f"Sequential '{self.name}': an Input can only be the first entry")
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential '{self.name}'.add expects a Layer; got {type(layer).__name__} ({layer!r})")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"Sequential '{self.name}' already has a layer named {layer.name!r}; layer names must be unique")
        if not self._stack and self._input_layer is None and layer._input_shape_argument is not None:
            self._input_layer = InputLayer(shape=layer._input_shape_argument, batch_size=layer._batch_size_argument,
                                           dtype=layer.dtype)
        self._stack.append(layer)
        self._tracked_layers.append(layer)
        if rebuild and self._input_layer is not None:
            self._build_graph()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._stack:
            raise IndexError(f"Sequential '{self.name}' has no layers to pop")
        layer = self._stack.pop()
        self._tracked_layers.remove(layer)
        if rebuild and self._input_layer is not None and self._stack:
            self._build_graph()
        return layer

    def _build_graph(self):
        """Runs the placeholders through the stack: builds every layer and records output shapes."""
        x = self._input_layer.output
        self._output_shapes = []
        for layer in self._stack:
            x = layer(x)
            self._output_shapes.append(x.shape)
        self.built = True

    def build(self, input_shape=None):
        """Builds the stack for `input_shape` (batch axis included, e.g. (None, 784))."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(f"Sequential '{self.name}'.build needs an input_shape, e.g. build((None, 784))")
        elif self._input_layer is None or tuple(self._input_layer.batch_shape[1:]) != tuple(input_shape[1:]):
            self._input_layer = InputLayer(batch_shape=(None,) + tuple(input_shape)[1:], dtype=self.dtype)
        if self._stack:
            self._build_graph()
        self.built = True

    @property
    def inputs(self):
        return [self._input_layer.output] if self._input_layer is not None else None

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential '{self.name}' has no defined input shape yet")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if not getattr(self, "_output_shapes", None):
            raise AttributeError(f"Sequential '{self.name}' is not built yet")
        return self._output_shapes[-1]

    def _check_input_spec(self, inputs):
        if self._input_layer is None or not hasattr(inputs, "shape"):
            return
        expected, shape = self._input_layer.batch_shape, tuple(inputs.shape)
        if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected[1:], shape[1:])):
            first = self._stack[0].name if self._stack else self.name
            raise ValueError(f"Sequential model '{self.name}' (first layer '{first}') expects input shape "
                             f"{shape_text(expected)}, but received input with shape {shape_text(shape)}")

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def get_config(self, serialize=serialize_layer):
        """The stack in Keras 3's layout: {'name', 'trainable', 'dtype', 'layers', 'build_input_shape'},
        the layers led by the InputLayer when the input shape is known.

        Args:
            serialize: `serialize(layer, build_shape)` -> one layer's entry; Keras' files pass their own
                spelling (saving/keras_config.py).
        """
        if self._input_layer is None:
            return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config(),
                    "layers": [serialize(layer, None) for layer in self.layers], "build_input_shape": None}
        layers = [serialize(self._input_layer, None)]
        shapes = [self._input_layer.batch_shape] + list(getattr(self, "_output_shapes", []))
        for layer, shape in zip(self.layers, shapes):
            layers.append(serialize(layer, shape_list(shape)))
        return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config(), "layers": layers,
                "build_input_shape": shape_list(self._input_layer.batch_shape)}

    @classmethod
    def from_config(cls, config, custom_objects=None, deserialize=None):
        """The model `get_config` described; `deserialize(entry)` builds each layer (default: through
        the registry, with `custom_objects`)."""
        if deserialize is None:
            def deserialize(entry):
                return deserialize_layer(entry, custom_objects)
        model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            model.add(deserialize(entry))
        if not model.built and config.get("build_input_shape") is not None and model.layers:
            model.build(tuple(config["build_input_shape"]))
        return model
