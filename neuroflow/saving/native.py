"""neuroflow's own pickle-free model format: a zip of Keras 3's config.json and .npy weight arrays.

    model.nfz (zip)
      metadata.json   {"format": "neuroflow-native", "version": 2, "keras_version"}
      config.json     Keras 3's config (saving/keras_config.py, as in a `.keras` file), which here may
                      also hold neuroflow-only layers (module 'neuroflow.layers') and ops applied to
                      placeholders (module 'neuroflow.ops')
      weights/0000.npy ... one array per entry of model.weights, in order
      weights.json    [{"path", "shape", "dtype"}], to check the arrays against the model

Version 1 files (before the Keras layout) held {"format", "version", "class_name", "config",
"compile_config"} in config.json; they still load (saving/native_v1.py reads their model config),
and saving writes version 2.
"""
import io
import json
import os
import zipfile

import numpy

from neuroflow.saving import keras_config, native_v1
from neuroflow.saving.files import write_atomically
from neuroflow.saving.keras_format import KERAS_VERSION
from neuroflow.training import compile_config

FORMAT = "neuroflow-native"
VERSION = 2


# ---- files -----------------------------------------------------------------------------------

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
    config = keras_config.model_to_keras(model, native=True)
    metadata = {"format": FORMAT, "version": VERSION, "keras_version": KERAS_VERSION}

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("metadata.json", json.dumps(metadata))
            archive.writestr("config.json", json.dumps(config, indent=1))
            _write_weights(archive, model)

    write_atomically(filepath, write)


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
