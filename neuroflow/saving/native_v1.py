"""Reading neuroflow's native files of version 1, so that models saved before version 2 still load.

Version 1 (neuroflow 0.1.0) wrote config.json as
    {"format": "neuroflow-native", "version": 1, "class_name", "config", "compile_config"}
where a Sequential's config lists its layers ({"class_name", "config"}, an InputLayer first) and a
Functional's lists its layers and its nodes in topological order: each node names its layer, or a
registered op with its parameters (encoded as utils/serialization.encode_params still writes
them), and the tensors it reads as {"__tensor__": [node, output]}.
Loading replays those calls on fresh placeholders. The weights (weights.json and weights/*.npy) and
the compile settings have the same layout in both versions; only the model config is read here.
"""
from neuroflow.engine.keras_tensor import symbolic_op_call
from neuroflow.engine.registry import get_op
from neuroflow.utils import nest, registry
from neuroflow.utils.serialization import decode_params

VERSION = 1


def model_from_config(spec, custom_objects=None):
    """The model a version-1 {"class_name", "config"} describes (Sequential, Functional or a layer)."""
    cls = registry.resolve_class(spec["class_name"], custom_objects)
    config = spec["config"]
    if "nodes" in config and "layers" in config:
        return _functional_from_config(cls, config, custom_objects)
    if spec["class_name"] == "Sequential" or (isinstance(config.get("layers"), list) and hasattr(cls, "add")):
        return _sequential_from_config(cls, config, custom_objects)
    return registry.from_config(cls, config, custom_objects)


def _sequential_from_config(cls, config, custom_objects):
    model = cls(name=config.get("name"), trainable=config.get("trainable", True))
    for layer_spec in config["layers"]:
        model.add(model_from_config(layer_spec, custom_objects))
    return model


def _functional_from_config(cls, config, custom_objects):
    layers = {spec["config"]["name"]: model_from_config(spec, custom_objects) for spec in config["layers"]}
    produced = []

    def resolve(value):
        if isinstance(value, dict) and "__tensor__" in value:
            node_index, tensor_index = value["__tensor__"]
            return nest.flatten(produced[node_index])[tensor_index]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    for entry in config["nodes"]:
        if "op" in entry:
            arguments = resolve(entry["args"])
            produced.append(symbolic_op_call(get_op(entry["op"]), tuple(arguments), decode_params(entry["params"])))
            continue
        layer = layers[entry["layer"]]
        if "args" not in entry:  # an InputLayer: its placeholder is its output
            produced.append(layer.output)
            continue
        arguments = resolve(entry["args"])
        keywords = {key: resolve(value) for key, value in entry.get("kwargs", {}).items()}
        produced.append(layer(*arguments, **keywords))

    def unpack(structure):
        if isinstance(structure, dict) and "__dict__" in structure:
            return {key: resolve(value) for key, value in structure["__dict__"].items()}
        if isinstance(structure, dict) and "__list__" in structure:
            return [resolve(value) for value in structure["__list__"]]
        return resolve(structure)

    # A Functional subclass named in the file is built the same way (Model(inputs, outputs) dispatch).
    return cls(unpack(config["inputs"]), unpack(config["outputs"]), name=config.get("name"),
               trainable=config.get("trainable", True))

