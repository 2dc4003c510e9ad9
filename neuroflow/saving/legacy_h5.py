"""Keras' legacy HDF5 whole-model format (`model.save('my_model.h5')`), as Keras 3's legacy writer lays it out.

    my_model.h5
      attrs: model_config     JSON {"class_name", "config"}: the model's config
             keras_version, backend
             training_config  JSON (compiled models only): loss, metrics, loss_weights, ...,
                              optimizer_config {"class_name", "config"}
      model_weights/          attrs: layer_names (Keras' `model.layers` order), backend, keras_version
        <layer name>/         attrs: weight_names; one dataset per name ("<layer>/kernel" makes subgroups)
        top_level_model_weights/
      optimizer_weights/      attrs: weight_names (iteration, learning rate, then the slots)

Weights are matched to layers by order, as Keras does: the file's layers that hold weights, in
`layer_names` order, against the model's layers that hold weights; each layer's arrays are its
trainable weights then its non-trainable ones. A Keras 2 weights file (`save_weights('w.h5')`) is the
`model_weights` group's layout at the root; `load_weights` reads both.

The config part is Keras 3's `.keras` config translation (saving/keras_config.py). Keras 3's legacy
writer omits `module` on layer entries; Keras 2 files also list inbound nodes as
`[[name, node, tensor, kwargs], ...]` and give input shapes as `batch_input_shape`. `_from_legacy`
rewrites those into the current form before translation.
"""
import json
import os
import warnings

import numpy

from neuroflow import settings
from neuroflow.layers.layer import unique_objects
from neuroflow.saving import keras_config, keras_format
from neuroflow.saving.files import CorruptFileError, write_atomically
from neuroflow.saving.keras_config import LAYERS
from neuroflow.saving.keras_format import KERAS_VERSION, h5py_module

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "files only: weights are copied to the host (backend.to_numpy) before they are written"

# An HDF5 object header holds at most 64 KiB of attributes; longer name lists are split in chunks
# `<name>0`, `<name>1`, ... (Keras' legacy writer does the same).
HDF5_OBJECT_HEADER_LIMIT = 64512
BACKEND = "neuroflow"   # written to the `backend` attributes; Keras reads it only for Keras 1 conversions


def legacy_save_warning(filepath):
    """The notice Keras gives when a model is saved as .h5 (legacy format; .keras recommended)."""
    warnings.warn(f"Saving {filepath!r} in the HDF5 format ('.h5'), which Keras considers legacy. We recommend the "
                  "native Keras format instead, e.g. model.save('my_model.keras').", UserWarning, stacklevel=4)


# ---- attributes --------------------------------------------------------------------------------

def _text(value):
    return value.decode("utf8") if isinstance(value, (bytes, numpy.bytes_)) else str(value)


def _write_names(group, name, names):
    """Stores a list of names as an attribute, split into chunks past the object-header limit."""
    data = [n.encode("utf8") for n in names]
    too_long = [n for n in data if len(n) > HDF5_OBJECT_HEADER_LIMIT]
    if too_long:
        raise ValueError(f"Cannot write names longer than {HDF5_OBJECT_HEADER_LIMIT} bytes to HDF5: {too_long[:1]}")
    array = numpy.asarray(data) if data else numpy.asarray([], dtype="float64")  # Keras' empty list reads as float64
    chunks = 1
    while any(part.nbytes > HDF5_OBJECT_HEADER_LIMIT for part in numpy.array_split(array, chunks)):
        chunks += 1
    if chunks == 1:
        group.attrs[name] = array
    else:
        for index, part in enumerate(numpy.array_split(array, chunks)):
            group.attrs[f"{name}{index}"] = part


def _read_names(group, name):
    if name in group.attrs:
        return [_text(n) for n in group.attrs[name]]
    names, index = [], 0
    while f"{name}{index}" in group.attrs:
        names += [_text(n) for n in group.attrs[f"{name}{index}"]]
        index += 1
    return names


def _read_json(handle, name, filepath):
    value = handle.attrs.get(name)
    if value is None:
        return None
    # HDF5 attributes are stored uncompressed, so reading one costs no more than its share of the file;
    # parsing is what multiplies memory, so the size limit of a .keras config.json applies before it.
    size = len(value) if isinstance(value, (str, bytes)) else getattr(value, "nbytes", 0)
    if size > settings.max_config_bytes:
        raise CorruptFileError(f"{filepath!r}: its {name} attribute holds {size} bytes, over the limit of "
                               f"{settings.max_config_bytes} bytes for a config; if the file is trusted, raise it with "
                               "neuroflow.config.set_file_limits(max_config_bytes=...)")
    try:
        return json.loads(_text(value))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{filepath!r}: the {name} attribute is not valid JSON ({error}); the file is corrupt") from None


# ---- the model's layers and their weights ------------------------------------------------------

def _model_layers(model):
    """Keras' `model.layers`: a functional model's in Keras' order (inputs included), else the tracked layers."""
    if hasattr(model, "keras_layers"):   # Sequential and Functional
        return model.keras_layers()
    return list(model.layers)


def _legacy_weights(layer):
    """A layer's weights in the legacy h5 order: trainable weights then non-trainable ones, each in
    Keras' order (the `.keras` weights walk, which fixes e.g. BatchNormalization's order)."""
    ordered = unique_objects([v for _, _, variables in keras_format.weight_groups(layer) for v in variables]
                      + list(layer.weights))
    trainable = {id(v) for v in layer.trainable_weights}
    return [v for v in ordered if id(v) in trainable] + [v for v in ordered if id(v) not in trainable]


def _top_level_weights(model):
    own = list(getattr(model, "_own_weights", []))
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def _write_subset(group, layer_name, variables):
    names, used = [], {}
    for variable in variables:
        base = f"{layer_name}/{variable.name}"
        name = base if base not in used else f"{base}_{used[base]}"
        used[base] = used.get(base, 0) + 1
        names.append(name)
    _write_names(group, "weight_names", names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=numpy.asarray(variable.numpy()))


def _write_model_weights(group, model):
    layers = _model_layers(model)
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Model '{model.name}' has several layers named {duplicates}; the HDF5 format stores weights "
                         "by layer name, so give each layer a unique name")
    _write_names(group, "layer_names", names)
    group.attrs["backend"] = BACKEND.encode("utf8")
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    # Groups are created in name order, as Keras does, so that no group name is created after one it prefixes.
    for layer in sorted(layers, key=lambda layer: layer.name):
        _write_subset(group.create_group(layer.name), layer.name, _legacy_weights(layer))
    _write_subset(group.create_group("top_level_model_weights"), model.name, _top_level_weights(model))


def _read_subset(group):
    arrays = []
    for name in _read_names(group, "weight_names"):
        if name not in group:
            raise ValueError(f"weight {name!r} is listed in group {group.name!r} but missing; the file is corrupt")
        # The datasets, unread: their declared shapes are checked against the model before reading
        # (a dataset claiming a 64 GiB shape is refused, not allocated).
        arrays.append(group[name])
    return arrays


def _assign(variables, arrays, where, filepath, skip_mismatch):
    assignments = []
    for variable, array in zip(variables, arrays):
        if tuple(array.shape) != tuple(variable.shape):
            if skip_mismatch:
                warnings.warn(f"Skipping weight {variable.name} of {where}: it has shape {tuple(variable.shape)} but "
                              f"{filepath!r} holds shape {tuple(array.shape)}", stacklevel=4)
                continue
            raise ValueError(f"Weight {variable.name!r} of {where} has shape {tuple(variable.shape)} but {filepath!r} "
                             f"holds shape {tuple(array.shape)}; the file was saved from a different architecture")
        assignments.append((variable, array))
    return assignments


def _read_model_weights(group, model, filepath, skip_mismatch=False):
    """Loads the weights of a `model_weights`-layout group into `model`, matching layers by order."""
    layers = [layer for layer in _model_layers(model) if _legacy_weights(layer)]
    stored = []
    for name in _read_names(group, "layer_names"):
        if name not in group:
            raise ValueError(f"{filepath!r} lists layer {name!r} in layer_names but has no group for it; the file is "
                             "corrupt")
        if _read_names(group[name], "weight_names"):
            stored.append(name)
    if len(stored) != len(layers):
        names = ", ".join(layer.name for layer in layers) or "none"
        raise ValueError(f"{filepath!r} holds weights for {len(stored)} layers ({', '.join(stored) or 'none'}) but model "
                         f"'{model.name}' has {len(layers)} layers with weights ({names}"
                         "); the file was saved from a different architecture")
    assignments = []
    for index, (layer, name) in enumerate(zip(layers, stored)):
        variables = _legacy_weights(layer)
        arrays = _read_subset(group[name])
        where = f"layer #{index} ('{layer.name}' in the model, '{name}' in the file)"
        if len(arrays) != len(variables):
            raise ValueError(f"{where} expects {len(variables)} weight arrays but {filepath!r} holds {len(arrays)}; the "
                             "file was saved from a different architecture")
        assignments += _assign(variables, arrays, where, filepath, skip_mismatch)
    if "top_level_model_weights" in group:
        variables = _top_level_weights(model)
        arrays = _read_subset(group["top_level_model_weights"])
        if len(arrays) != len(variables):
            raise ValueError(f"Model '{model.name}' has {len(variables)} top-level weights but {filepath!r} holds "
                             f"{len(arrays)}")
        assignments += _assign(variables, arrays, f"model '{model.name}'", filepath, skip_mismatch)
    # Assign only once everything matched, so a failed load leaves the model as it was.
    for variable, array in assignments:
        variable.assign(numpy.asarray(array).astype(variable.value.dtype, copy=False))


# ---- optimizer ---------------------------------------------------------------------------------

def _write_optimizer(handle, model):
    values = keras_format.optimizer_state(model)
    if values is None:
        if getattr(model, "optimizer", None) is not None and model.optimizer.built:
            warnings.warn(f"The state of optimizer '{model.optimizer.name}' is not written to the HDF5 file (no Keras "
                          "layout for it); training after loading restarts from a fresh optimizer state", stacklevel=4)
        return
    name = model.optimizer.name
    # keras_format's list: the iteration count, the learning rate when it is a plain number, then the slots.
    names = [f"{name}/iteration"] + ([f"{name}/learning_rate"] if isinstance(model.optimizer._learning_rate, float)
                                     else [])
    names += [f"{name}/slot_{index}" for index in range(len(values) - len(names))]
    group = handle.create_group("optimizer_weights")
    _write_names(group, "weight_names", names)
    for weight_name, value in zip(names, values):
        group.create_dataset(weight_name, data=value)


def _read_optimizer(handle, model, filepath):
    group = handle["optimizer_weights"]
    arrays = _read_subset(group)
    # keras_format's loader reads a group indexed "0", "1", ...; a dict of the arrays serves.
    keras_format.read_optimizer_state(model, {str(i): a for i, a in enumerate(arrays)}, filepath)


# ---- configs -----------------------------------------------------------------------------------

_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def _tensor_reference(entry):
    return {"class_name": "__keras_tensor__", "config": {"keras_history": [entry[0], int(entry[1]), int(entry[2])]}}


def _legacy_node(node):
    """Keras 2's `[[layer, node, tensor, kwargs], ...]` as the current `{"args", "kwargs"}` form."""
    if not isinstance(node, list):
        return node
    if not node:
        return {"args": [], "kwargs": {}}
    tensors = [_tensor_reference(entry) for entry in node]
    kwargs = node[0][3] if len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": kwargs}


def _from_legacy(entry):
    """One serialized layer or model of a legacy config, rewritten in the form keras_format reads."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        return entry
    entry = dict(entry)
    class_name = entry["class_name"]
    config = dict(entry.get("config") or {})
    if "module" not in entry and (class_name in LAYERS or class_name in _MODEL_CLASSES):
        # Built-in layers lose their `module` in the legacy writer; custom classes keep no module and
        # are then found through custom_objects / the registry.
        entry["module"] = "keras" if class_name in _MODEL_CLASSES else "keras.layers"
        entry.setdefault("registered_name", None)
    if isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = int(config["axis"][0])   # Keras 2 BatchNormalization stored axis as [3]
    if class_name == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    if isinstance(config.get("layers"), list):
        layers = [_from_legacy(layer) for layer in config["layers"]]
        if class_name == "Sequential" and layers and layers[0].get("class_name") != "InputLayer":
            first = dict(layers[0], config=dict(layers[0].get("config") or {}))
            shape = first["config"].pop("batch_input_shape", None)
            layers[0] = first
            if shape is not None:
                layers.insert(0, {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                                  "config": {"batch_shape": shape, "dtype": first["config"].get("dtype"),
                                             "name": f"{first['config'].get('name', 'input')}_input"}})
                config.setdefault("build_input_shape", shape)
        config["layers"] = layers
    for key in ("input_layers", "output_layers"):
        # Keras 2 lists even a single endpoint ([["dense", 0, 0]]); Keras returns a lone output unwrapped.
        value = config.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and value[0] \
                and isinstance(value[0][0], str):
            config[key] = value[0]
    if "inbound_nodes" in entry:
        entry["inbound_nodes"] = [_legacy_node(node) for node in entry["inbound_nodes"] or []]
    entry["config"] = config
    return entry


# Keras 3's legacy reader cannot deserialize these short aliases (it fails on its own files compiled
# with loss="mse"), so the long names are written; both name the same functions.
_LONG_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error"}


def _long_names(value):
    if isinstance(value, str):
        return _LONG_NAMES.get(value, value)
    if isinstance(value, list):
        return [_long_names(v) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _long_names(v) for k, v in value.items()}
    return value


def _training_config(model):
    """Keras' training_config: the compile settings with the optimizer as `optimizer_config`."""
    compiled = keras_config.compile_to_keras(model)
    for key in ("loss", "metrics", "weighted_metrics"):
        compiled[key] = _long_names(compiled.get(key))
    optimizer = compiled.pop("optimizer")
    compiled["optimizer_config"] = {"class_name": optimizer["class_name"], "config": optimizer["config"]}
    return compiled


def _compile(model, training_config, custom_objects, filepath):
    optimizer = training_config.get("optimizer_config")
    config = {"optimizer": optimizer, "loss": training_config.get("loss"),
              "loss_weights": training_config.get("loss_weights"), "metrics": training_config.get("metrics"),
              "weighted_metrics": training_config.get("weighted_metrics")}
    try:
        keras_config.compile_from_keras(model, config, custom_objects)
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(f"{filepath!r}: the model loaded but its training configuration could not be restored "
                         f"({error}). Load it with compile=False and call compile() yourself.") from None


# ---- files -------------------------------------------------------------------------------------

def save_model(model, filepath, include_optimizer=True):
    """Writes `model` as a legacy Keras HDF5 file (atomically: a failed save leaves any old file intact).

    Args:
        model: a built Sequential, functional or registered subclassed model.
        filepath: the '.h5' / '.hdf5' path.
        include_optimizer: also write the compile settings and the optimizer state.

    Raises:
        ValueError: for a model the Keras config cannot describe (see keras_config.model_to_keras),
            or one with two layers of the same name.
    """
    h5py = h5py_module()
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it or call it on a batch before saving")
    config = keras_config.model_to_keras(model)
    config.pop("compile_config", None)
    training = _training_config(model) if include_optimizer and model.compiled else None

    def write(path):
        with h5py.File(path, "w") as handle:
            handle.attrs["keras_version"] = KERAS_VERSION
            handle.attrs["backend"] = BACKEND
            handle.attrs["model_config"] = json.dumps(config).encode("utf8")
            if training is not None:
                handle.attrs["training_config"] = json.dumps(training).encode("utf8")
            _write_model_weights(handle.create_group("model_weights"), model)
            if training is not None:
                _write_optimizer(handle, model)

    write_atomically(filepath, write)


def _open(filepath):
    h5py = h5py_module()
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        return h5py.File(filepath, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"{filepath!r} is not a readable HDF5 file ({error}); it may be truncated or corrupt") from None


def load_model(filepath, custom_objects=None, compile=True):
    """Reads a legacy Keras HDF5 model file (Keras 3's legacy writer, Keras 2, or neuroflow) into a neuroflow model.

    Raises:
        FileNotFoundError: no file at `filepath`.
        ValueError: a corrupt file, a weights-only file, a layer class or option neuroflow lacks
            (named), or weights that do not fit the architecture.
    """
    with _open(filepath) as handle:
        config = _read_json(handle, "model_config", filepath)
        if config is None:
            if "layer_names" in handle.attrs or "layer_names0" in handle.attrs:
                raise ValueError(f"{filepath!r} holds weights only (no model_config); build the model in code and call "
                                 "model.load_weights on it")
            raise ValueError(f"{filepath!r} has no model_config attribute; it is not a Keras model file or it is corrupt")
        if "model_weights" not in handle:
            raise ValueError(f"{filepath!r} has no model_weights group; it is truncated or corrupt")
        model = keras_config.model_from_keras(_from_legacy(config), custom_objects)
        if not model.built:
            raise ValueError(f"Model '{model.name}' in {filepath!r} could not be built from its config, so its weights "
                             "cannot be loaded")
        _read_model_weights(handle["model_weights"], model, filepath)
        training = _read_json(handle, "training_config", filepath) if compile else None
        if training is not None:
            _compile(model, training, custom_objects, filepath)
            if "optimizer_weights" in handle:
                _read_optimizer(handle, model, filepath)
    return model


def is_legacy_file(filepath):
    """Whether `filepath` is an HDF5 file in the legacy layout (a whole model or Keras 2 weights)."""
    h5py = h5py_module()
    try:
        with h5py.File(filepath, "r") as handle:
            return "model_weights" in handle or "layer_names" in handle.attrs or "layer_names0" in handle.attrs
    except (OSError, ValueError):
        return False


def load_weights(model, filepath, skip_mismatch=False):
    """Loads weights from a legacy-layout file (Keras 2 `save_weights('w.h5')` or a whole-model '.h5') into `model`."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    with _open(filepath) as handle:
        group = handle
        if "layer_names" not in handle.attrs and "layer_names0" not in handle.attrs and "model_weights" in handle:
            group = handle["model_weights"]
        _read_model_weights(group, model, filepath, skip_mismatch=skip_mismatch)
