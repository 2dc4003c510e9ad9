"""Pipeline: a plain layer that runs a list of layers one after the other (keras.layers.Pipeline)."""
from neuroflow.layers.layer import Layer, _call_accepts
from neuroflow.utils.object_serialization import deserialize_keras_object, serialize_keras_object


class Pipeline(Layer):
    """Applies `layers` in order, each to the previous one's output; a layer, not a Model.

    Meant for preprocessing and augmentation chains (`Pipeline([RandomFlip(), RandomZoom(0.2)])`).
    Like Keras, `training` defaults to True, so random augmentations apply when the pipeline is
    called directly; inside `fit` / `predict` the phase is the model's.

    Args:
        layers: a list of Layer instances.
        name: the layer's name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline '{self.name}': `layers` must be a list of Layer instances; received "
                             f"layers={layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def keras_layers(self):
        """The layers as Keras' .keras weight file nests them (under `layers/`)."""
        return list(self._pipeline_layers)

    def call(self, inputs, training=True):
        # No phase from the caller nor an outer call (None): Keras falls back on this signature's True.
        training = True if training is None else training
        for layer in self._pipeline_layers:
            kwargs = {"training": training} if _call_accepts(layer, "training") else {}
            inputs = layer(inputs, **kwargs)
        return inputs

    def get_config(self):
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(f"Pipeline: the config's `layers` must be a list of serialized layers; received "
                             f"layers={layers!r}")
        return cls([deserialize_keras_object(entry, custom_objects=custom_objects) for entry in layers],
                   name=config.get("name"))
