"""keras.layers.serialize / deserialize: one layer to Keras 3's dict layout and back.

    {'module': 'neuroflow.layers', 'class_name': 'Dense', 'config': {...}, 'registered_name': None}

(with 'build_config' once built). Keras' own dicts ('module': 'keras.layers') are read as well.
"""
from neuroflow.layers.layer import Layer
from neuroflow.utils.object_serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer):
    """`layer` (a Layer or Model) as a JSON-ready dict that `deserialize` turns back into an equal layer."""
    if not isinstance(layer, Layer):
        raise TypeError(f"serialize: `layer` must be a Layer instance; received layer={layer!r} of type "
                        f"{type(layer).__name__}")
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer a `serialize` dict describes, its class found by name (built in, registered, or in
    `custom_objects`)."""
    if not isinstance(config, dict):
        raise ValueError(f"deserialize: `config` must be a dict as `serialize` writes it; received config={config!r} "
                         f"of type {type(config).__name__}")
    layer = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(f"deserialize: `config` describes a {type(layer).__name__}, not a layer; received "
                         f"config={config!r}")
    return layer
