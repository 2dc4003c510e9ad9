"""neuroflow's own pickle-free model format: a zip of JSON config and .npy weight arrays.

    model.nfz (zip)
      config.json     {"class_name", "config", "compile_config", "format", "version"}
      weights/0000.npy ... one array per entry of model.weights, in order
      weights.json    [{"path", "shape", "dtype"}], to check the arrays against the model

Functional graphs are stored as their nodes in topological order; each node names its layer
(or op) and the tensors it reads, so loading replays the calls on fresh placeholders.
"""
import io
import json
import os
import tempfile
import zipfile

import numpy

from neuroflow.utils import registry
from neuroflow.utils.registry import get_registered_name, resolve_class

FORMAT = "neuroflow-native"
VERSION = 1


# ---- layer configs ---------------------------------------------------------------------------

def serialize_layer(layer):
    """{'class_name', 'config'} for a layer (JSON-safe)."""
    config = layer.get_config()
    return {"class_name": get_registered_name(type(layer)), "config": _jsonable(config, layer.name)}


def deserialize_layer(spec, custom_objects=None):
    return registry.from_config(resolve_class(spec["class_name"], custom_objects), spec["config"], custom_objects)


def _jsonable(value, owner):
    if isinstance(value, dict):
        return {str(k): _jsonable(v, owner) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, owner) for v in value]
    if isinstance(value, (numpy.integer,)):
        return int(value)
    if isinstance(value, (numpy.floating,)):
        return float(value)
    if isinstance(value, numpy.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"Cannot serialize {type(value).__name__} ({value!r}) in the config of '{owner}': get_config "
                    "must return JSON-compatible values (numbers, strings, lists, dicts)")


# ---- Sequential ------------------------------------------------------------------------------

def sequential_config(model):
    layers = []
    if model._input_layer is not None:
        layers.append(serialize_layer(model._input_layer))
    layers += [serialize_layer(layer) for layer in model.layers]
    return {"name": model.name, "trainable": model.trainable, "layers": layers}


def sequential_from_config(config, custom_objects=None):
    from neuroflow.models.sequential import Sequential

    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for spec in config["layers"]:
        model.add(deserialize_layer(spec, custom_objects))
    return model


# ---- Functional ------------------------------------------------------------------------------

def functional_config(model):
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.layers.symbolic import KerasTensor, _OpCall
    from neuroflow.utils import nest

    node_ids = {id(node): index for index, node in enumerate(model._nodes)}

    def reference(value):
        if isinstance(value, KerasTensor):
            return {"__tensor__": [node_ids[id(value.node)], value.index]}
        return _jsonable(value, model.name)

    layer_specs = {}
    nodes = []
    for node in model._nodes:
        operation = node.operation
        if isinstance(operation, _OpCall):
            entry = {"op": operation.op.name, "params": _jsonable(_encode_params(operation.params), model.name)}
        else:
            if operation.name not in layer_specs:
                layer_specs[operation.name] = serialize_layer(operation)
            entry = {"layer": operation.name}
        if not isinstance(operation, InputLayer):
            entry["args"] = nest.map_structure(reference, list(node.call_args))
            entry["kwargs"] = {k: nest.map_structure(reference, v) for k, v in node.call_kwargs.items()}
        nodes.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": list(layer_specs.values()),
        "nodes": nodes,
        "inputs": _structure_refs(model._inputs_structure, reference),
        "outputs": _structure_refs(model._outputs_structure, reference),
    }


def _structure_refs(structure, reference):
    from neuroflow.utils import nest
    if isinstance(structure, dict):
        return {"__dict__": {k: reference(v) for k, v in structure.items()}}
    if isinstance(structure, (list, tuple)):
        return {"__list__": [reference(v) for v in nest.flatten(structure)]}
    return reference(structure)


def _encode_params(params):
    encoded = {}
    for key, value in params.items():
        if isinstance(value, slice) or (isinstance(value, tuple) and any(isinstance(v, slice) for v in value)):
            items = value if isinstance(value, tuple) else (value,)
            encoded[key] = {"__index__": [[i.start, i.stop, i.step] if isinstance(i, slice) else i for i in items],
                            "tuple": isinstance(value, tuple)}
        else:
            encoded[key] = value
    return encoded


def _decode_params(params):
    decoded = {}
    for key, value in params.items():
        if isinstance(value, dict) and "__index__" in value:
            items = tuple(slice(*i) if isinstance(i, list) else i for i in value["__index__"])
            decoded[key] = items if value["tuple"] else items[0]
        elif isinstance(value, list):
            decoded[key] = tuple(value)
        else:
            decoded[key] = value
    return decoded


def functional_from_config(config, custom_objects=None):
    from neuroflow.engine.registry import get_op
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.layers.symbolic import symbolic_op_call
    from neuroflow.models.functional import Functional
    from neuroflow.utils import nest

    layers = {spec["config"]["name"]: deserialize_layer(spec, custom_objects) for spec in config["layers"]}
    produced = []

    def resolve(value):
        if isinstance(value, dict) and "__tensor__" in value:
            node_index, tensor_index = value["__tensor__"]
            return nest.flatten(produced[node_index])[tensor_index]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    for entry in config["nodes"]:
        if "op" in entry:
            args = resolve(entry["args"])
            produced.append(symbolic_op_call(get_op(entry["op"]), tuple(args), _decode_params(entry["params"])))
            continue
        layer = layers[entry["layer"]]
        if isinstance(layer, InputLayer):
            produced.append(layer.output)
            continue
        args = resolve(entry["args"])
        kwargs = {k: resolve(v) for k, v in entry.get("kwargs", {}).items()}
        produced.append(layer(*args, **kwargs))

    def unpack(structure):
        if isinstance(structure, dict) and "__dict__" in structure:
            return {k: resolve(v) for k, v in structure["__dict__"].items()}
        if isinstance(structure, dict) and "__list__" in structure:
            return [resolve(v) for v in structure["__list__"]]
        return resolve(structure)

    return Functional(unpack(config["inputs"]), unpack(config["outputs"]), name=config.get("name"),
                      trainable=config.get("trainable", True))


# ---- compile settings ------------------------------------------------------------------------

def _serialize_identifier(value):
    from neuroflow.utils import nest
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return {k: _serialize_identifier(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_identifier(v) for v in value]
    if hasattr(value, "get_config"):
        return {"class_name": get_registered_name(type(value)), "config": _jsonable(value.get_config(), "compile")}
    del nest
    return get_registered_name(value)


def compile_config(model):
    loss = model._compiled_loss
    metrics = model._compile_metrics
    return {
        "optimizer": _serialize_identifier(model.optimizer),
        "loss": _serialize_identifier(model.loss),
        "loss_weights": loss.loss_weights if loss is not None else None,
        "metrics": _serialize_identifier(metrics.requested if len(model.output_names) > 1 else metrics.requested[0]),
    }


def _deserialize_identifier(value, module, custom_objects):
    get_custom_object = registry.get_custom_object
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        return module.get(value) if get_custom_object(value["class_name"], custom_objects) is None else \
            get_custom_object(value["class_name"], custom_objects).from_config(value["config"])
    if isinstance(value, str):
        custom = get_custom_object(value, custom_objects)
        return custom if custom is not None else value
    if isinstance(value, list):
        return [_deserialize_identifier(v, module, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _deserialize_identifier(v, module, custom_objects) for k, v in value.items()}
    return value


def compile_from_config(model, config, custom_objects=None):
    from neuroflow import losses, metrics, optimizers

    optimizer = optimizers.get(config["optimizer"])
    loss = _deserialize_identifier(config["loss"], losses, custom_objects)
    metric_list = _deserialize_identifier(config["metrics"], metrics, custom_objects)
    model.compile(optimizer=optimizer, loss=loss, loss_weights=config.get("loss_weights"), metrics=metric_list)


# ---- files -----------------------------------------------------------------------------------

def _write_atomically(filepath, write):
    """Writes to a temporary file beside `filepath`, then renames: a failed save never destroys the old file."""
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".partial")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, filepath)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _write_weights(archive, model):
    index = []
    for number, weight in enumerate(model.weights):
        buffer = io.BytesIO()
        numpy.save(buffer, weight.numpy(), allow_pickle=False)
        archive.writestr(f"weights/{number:04d}.npy", buffer.getvalue())
        index.append({"path": weight.path, "shape": list(weight.shape), "dtype": weight.dtype})
    archive.writestr("weights.json", json.dumps(index, indent=1))


def _read_weights(archive, model, filepath, skip_mismatch=False):
    try:
        index = json.loads(archive.read("weights.json"))
    except KeyError:
        raise ValueError(f"{filepath} holds no weights (weights.json is missing); is it a neuroflow model file?") from None
    weights = model.weights
    if len(index) != len(weights):
        raise ValueError(f"{filepath} holds {len(index)} weight arrays but model '{model.name}' has {len(weights)}; "
                         "the file was saved from a different architecture")
    arrays = []
    for number, (entry, weight) in enumerate(zip(index, weights)):
        array = numpy.load(io.BytesIO(archive.read(f"weights/{number:04d}.npy")), allow_pickle=False)
        if tuple(array.shape) != weight.shape:
            if skip_mismatch:
                arrays.append(weight.numpy())
                continue
            raise ValueError(f"Weight {number} ('{entry['path']}') in {filepath} has shape {tuple(array.shape)} but "
                             f"model weight '{weight.path}' has shape {weight.shape}")
        arrays.append(array)
    for weight, array in zip(weights, arrays):
        weight.assign(array.astype(weight.value.dtype, copy=False))


def save_model(model, filepath, include_optimizer=True):
    config = {"format": FORMAT, "version": VERSION, "class_name": get_registered_name(type(model)),
              "config": _jsonable(model.get_config(), model.name),
              "compile_config": model.get_compile_config() if model.compiled else None}

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("config.json", json.dumps(config, indent=1))
            _write_weights(archive, model)

    _write_atomically(filepath, write)


def _open(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        return zipfile.ZipFile(filepath)
    except zipfile.BadZipFile:
        raise ValueError(f"{filepath!r} is not a neuroflow model file (not a valid zip archive); "
                         "it may be truncated or corrupt") from None


def load_model(filepath, custom_objects=None, compile=True):
    with _open(filepath) as archive:
        try:
            config = json.loads(archive.read("config.json"))
        except (KeyError, json.JSONDecodeError) as error:
            raise ValueError(f"{filepath!r} has no readable config.json ({error}); it is not a neuroflow model file "
                             "or it is corrupt") from None
        model = registry.from_config(resolve_class(config["class_name"], custom_objects), config["config"],
                                     custom_objects)
        if not model.built:
            raise ValueError(f"Model '{model.name}' in {filepath!r} could not be rebuilt from its config (its input "
                             "shape is unknown), so its weights cannot be loaded; save models with a known input shape")
        _read_weights(archive, model, filepath)
    if compile and config.get("compile_config"):
        compile_from_config(model, config["compile_config"], custom_objects)
    return model


def save_weights(model, filepath):
    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("config.json", json.dumps({"format": FORMAT, "version": VERSION, "weights_only": True}))
            _write_weights(archive, model)

    _write_atomically(filepath, write)


def load_weights(model, filepath, skip_mismatch=False):
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    with _open(filepath) as archive:
        _read_weights(archive, model, filepath, skip_mismatch)
