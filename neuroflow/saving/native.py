"""neuroflow's own pickle-free model format: a zip of Keras 3's config.json and .npy weight arrays.

    model.nfz (zip)
      metadata.json   {"format": "neuroflow-native", "version": 2, "keras_version"}
      config.json     Keras 3's config (saving/keras_config.py, as in a `.keras` file), which here may
                      also hold neuroflow-only layers (module 'neuroflow.layers') and ops applied to
                      placeholders (module 'neuroflow.ops')
      weights/0000.npy ... one array per entry of model.weights, in order
      weights.json    [{"path", "shape", "dtype"}], to check the arrays against the model
      optimizer.json, optimizer/0000.npy ...  the optimizer's step count, learning rate and slots
                      (when it was built and include_optimizer), so training resumes exactly

Version 1 files (before the Keras layout) held {"format", "version", "class_name", "config",
"compile_config"} in config.json; they still load (saving/native_v1.py reads their model config),
and saving writes version 2.
"""
import io
import json
import os
import warnings
import zipfile

import numpy

from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer
from neuroflow.saving import keras_config, native_v1
from neuroflow.saving.files import CorruptFileError, read_member, write_atomically
from neuroflow.saving.keras_format import KERAS_VERSION
from neuroflow.training import compile_config

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "files only: weights are copied to the host (backend.to_numpy) before they are written"

FORMAT = "neuroflow-native"
VERSION = 2


# ---- files -----------------------------------------------------------------------------------

def _npy_bytes(array):
    buffer = io.BytesIO()
    numpy.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _write_weights(archive, model):
    index = []
    for number, weight in enumerate(model.weights):
        archive.writestr(f"weights/{number:04d}.npy", _npy_bytes(weight.numpy()))
        index.append({"path": weight.path, "shape": list(weight.shape), "dtype": weight.dtype})
    archive.writestr("weights.json", json.dumps(index, indent=1))


def _read_json(archive, name, filepath):
    return json.loads(read_member(archive, name, filepath, is_config=True))


def _load_npy(data, name, filepath, expected_shape=None):
    """An array from .npy bytes; its header is read first, so a header declaring another shape than
    `expected_shape` (or an object array, which only pickle could read) is refused before any allocation."""
    buffer = io.BytesIO(data)
    try:
        version = numpy.lib.format.read_magic(buffer)
        read_header = numpy.lib.format.read_array_header_1_0 if version == (1, 0) else numpy.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(buffer)
    except (ValueError, SyntaxError) as error:
        raise CorruptFileError(f"{filepath!r}: {name} is not a readable .npy array ({error}); the file is corrupt") from None
    if dtype.hasobject:
        raise CorruptFileError(f"{filepath!r}: {name} holds Python objects (dtype {dtype}), which can only be read by "
                               "unpickling, that is by running code from the file; neuroflow's format stores numbers "
                               "only, so this file was not written by neuroflow or was tampered with")
    if expected_shape is not None and tuple(shape) != tuple(expected_shape):
        return None, tuple(shape)
    buffer.seek(0)
    try:
        return numpy.load(buffer, allow_pickle=False), tuple(shape)
    except ValueError as error:
        raise CorruptFileError(f"{filepath!r}: {name} cannot be read ({error}); the file is truncated or corrupt") from None


def _read_weights(archive, model, filepath, skip_mismatch=False):
    try:
        index = _read_json(archive, "weights.json", filepath)
    except KeyError:
        raise ValueError(f"{filepath} holds no weights (weights.json is missing); is it a neuroflow model file?") from None
    weights = model.weights
    if len(index) != len(weights):
        saved = {entry.get("path") for entry in index}
        present = {weight.path for weight in weights}
        extra, missing = sorted(saved - present - {None}), sorted(present - saved)
        detail = (f" In the file only: {extra}." if extra else "") + (f" In the model only: {missing}." if missing else "")
        raise ValueError(f"{filepath} holds {len(index)} weight arrays but model '{model.name}' has {len(weights)}; "
                         f"the file was saved from a different architecture.{detail}")
    arrays = []
    for number, (entry, weight) in enumerate(zip(index, weights)):
        name = f"weights/{number:04d}.npy"
        array, shape = _load_npy(read_member(archive, name, filepath), name, filepath, weight.shape)
        if array is None:
            if skip_mismatch:
                warnings.warn(f"Skipping weight {number} ('{entry.get('path')}') of {filepath}: shape {shape} does not "
                              f"match model weight '{weight.path}' of shape {weight.shape}", stacklevel=4)
                arrays.append(weight.numpy())
                continue
            raise ValueError(f"Weight {number} ('{entry.get('path')}') in {filepath} has shape {shape} but "
                             f"model weight '{weight.path}' has shape {weight.shape}; pass skip_mismatch=True to "
                             "load_weights to keep the model's own value for it")
        arrays.append(array)
    for weight, array in zip(weights, arrays):
        weight.assign(array.astype(weight.value.dtype, copy=False))


# ---- optimizer state ---------------------------------------------------------------------------
# optimizer.json: {"class_name", "iterations", "learning_rate" (a float, or null for a schedule),
# "variables": [{"weight": index in model.weights, "slot": name} or {"extra": n}]}, and one
# optimizer/NNNN.npy per entry. Slots are keyed by their model weight, so the order the optimizer
# built them in does not matter.

def _write_optimizer(archive, model):
    optimizer, scaler = _unwrapped_optimizer(model)
    if optimizer is None or not getattr(optimizer, "built", False):
        return
    weight_index = {id(weight): number for number, weight in enumerate(model.weights)}
    slot_owner = {}
    for variable_id, slots in optimizer._slots.items():
        for slot_name, slot in slots.items():
            slot_owner[id(slot)] = (weight_index.get(variable_id), slot_name)
    entries, extra = [], 0
    for number, variable in enumerate(optimizer.variables):
        owner = slot_owner.get(id(variable))
        if owner is not None and owner[0] is not None:
            entries.append({"weight": owner[0], "slot": owner[1]})
        else:
            entries.append({"extra": extra})
            extra += 1
        archive.writestr(f"optimizer/{number:04d}.npy", _npy_bytes(variable.numpy()))
    learning_rate = optimizer._learning_rate if isinstance(optimizer._learning_rate, float) else None
    state = {"class_name": type(optimizer).__name__, "iterations": int(optimizer._iterations),
             "learning_rate": learning_rate, "variables": entries}
    if scaler is not None:
        state["loss_scale"] = {"dynamic_scale": float(scaler.dynamic_scale.numpy()), "step_counter": scaler.step_counter}
    archive.writestr("optimizer.json", json.dumps(state))


def _unwrapped_optimizer(model):
    """(the optimizer whose slots are saved, the LossScaleOptimizer around it or None).

    A LossScaleOptimizer (mixed_float16) saves as its inner optimizer, plus its scale and counter
    under "loss_scale" in optimizer.json.
    """
    optimizer = getattr(model, "optimizer", None)
    if isinstance(optimizer, LossScaleOptimizer):
        return optimizer.inner_optimizer, optimizer
    return optimizer, None


def _read_optimizer(archive, model, filepath):
    """Restores the optimizer's step count, learning rate and slots; warns (and keeps a fresh state)
    when the file's optimizer does not match the compiled one."""
    optimizer, scaler = _unwrapped_optimizer(model)
    if optimizer is None or "optimizer.json" not in archive.namelist():
        return
    state = _read_json(archive, "optimizer.json", filepath)
    if state.get("class_name") != type(optimizer).__name__:
        warnings.warn(f"Not restoring the optimizer state of {filepath}: it was saved for {state.get('class_name')}, "
                      f"the model is compiled with {type(optimizer).__name__}", stacklevel=4)
        return
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    weights = model.weights
    extras = [v for v in optimizer.variables if all(v is not s for slots in optimizer._slots.values()
                                                    for s in slots.values())]
    targets = []
    for number, entry in enumerate(state.get("variables", [])):
        if "weight" in entry:
            weight = weights[entry["weight"]] if entry["weight"] < len(weights) else None
            target = optimizer._slots.get(id(weight), {}).get(entry["slot"]) if weight is not None else None
        else:
            target = extras[entry["extra"]] if entry["extra"] < len(extras) else None
        name = f"optimizer/{number:04d}.npy"
        array = None if target is None else _load_npy(read_member(archive, name, filepath), name, filepath,
                                                      target.shape)[0]
        if array is None:
            warnings.warn(f"Not restoring the optimizer state of {filepath}: its variable {number} ({entry}) has no "
                          f"matching variable in optimizer '{optimizer.name}'; training resumes from a fresh "
                          "optimizer state", stacklevel=4)
            return
        targets.append((target, array))
    for target, array in targets:
        target.assign(array.astype(target.value.dtype, copy=False))
    optimizer._iterations = int(state["iterations"])
    if state.get("learning_rate") is not None and isinstance(optimizer._learning_rate, float):
        optimizer._learning_rate = float(state["learning_rate"])
    if scaler is not None and isinstance(state.get("loss_scale"), dict):
        scaler.dynamic_scale.assign(float(state["loss_scale"]["dynamic_scale"]))
        scaler.step_counter = int(state["loss_scale"]["step_counter"])


def save_model(model, filepath, include_optimizer=True):
    config = keras_config.model_to_keras(model, native=True)
    metadata = {"format": FORMAT, "version": VERSION, "keras_version": KERAS_VERSION}

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("metadata.json", json.dumps(metadata))
            archive.writestr("config.json", json.dumps(config, indent=1))
            _write_weights(archive, model)
            if include_optimizer:
                _write_optimizer(archive, model)

    write_atomically(filepath, write)


def _open(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        return zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise CorruptFileError(f"{filepath!r} is not a neuroflow model file (not a valid zip archive: {error}); "
                               "it may be truncated or corrupt") from None


def load_model(filepath, custom_objects=None, compile=True):
    with _open(filepath) as archive:
        try:
            config = _read_json(archive, "config.json", filepath)
        except (KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{filepath!r} has no readable config.json ({error}); it is not a neuroflow model file "
                             "or it is corrupt") from None
        # Version 1 files hold neuroflow's earlier model config (saving/native_v1.py); they keep loading.
        version_1 = config.get("format") == FORMAT
        if version_1 and config.get("version") != native_v1.VERSION:
            raise ValueError(f"{filepath!r} is in neuroflow's native format version {config.get('version')!r}, which "
                             f"this neuroflow does not know (it reads versions 1 and {VERSION}); load it with the "
                             "neuroflow that wrote it")
        if version_1:
            model = native_v1.model_from_config(config, custom_objects)
        else:
            model = keras_config.model_from_keras(config, custom_objects)
        if not model.built:
            raise ValueError(f"Model '{model.name}' in {filepath!r} could not be rebuilt from its config (its input "
                             "shape is unknown), so its weights cannot be loaded; save models with a known input shape")
        _read_weights(archive, model, filepath)
        if compile and config.get("compile_config"):
            if version_1:
                compile_config.compile_from_config(model, config["compile_config"], custom_objects)
            else:
                keras_config.compile_from_keras(model, config["compile_config"], custom_objects)
            _read_optimizer(archive, model, filepath)
    return model


def save_weights(model, filepath):
    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("config.json", json.dumps({"format": FORMAT, "version": VERSION, "weights_only": True}))
            _write_weights(archive, model)

    write_atomically(filepath, write)


def load_weights(model, filepath, skip_mismatch=False):
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    with _open(filepath) as archive:
        _read_weights(archive, model, filepath, skip_mismatch)
