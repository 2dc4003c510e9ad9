"""Keras 3's file formats: the `.keras` zip and the weights-only `.weights.h5`.

    m.keras (zip)
      metadata.json     {"keras_version", "date_saved"}
      config.json       {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}
                        (saving/keras_config.py)
      model.weights.h5  one group per object Keras' saving walk visits (saving/keras_weights.py)
"""
import datetime
import io
import json
import os
import zipfile
import zlib

from neuroflow.saving import keras_config, keras_weights
from neuroflow.saving.files import write_atomically

KERAS_VERSION = "3.5.0"       # the Keras 3 file layout this module writes
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"


# ---- files -------------------------------------------------------------------------------------

def save_model(model, filepath, include_optimizer=True):
    """Writes `model` as a Keras 3 `.keras` file (atomically: a failed save leaves any old file intact)."""
    config = keras_config.model_to_keras(model)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "saved_by": "neuroflow"}
    buffer = io.BytesIO()
    keras_weights.write_h5(model, buffer, include_optimizer)

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILE, json.dumps(metadata))
            archive.writestr(CONFIG_FILE, json.dumps(config))
            archive.writestr(WEIGHTS_FILE, buffer.getvalue())

    write_atomically(filepath, write)


def read_archive(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = archive.namelist()
            if CONFIG_FILE not in names:
                raise ValueError(f"{filepath!r} has no config.json; it is not a Keras 3 .keras file or it is corrupt")
            config = json.loads(archive.read(CONFIG_FILE))
            weights = archive.read(WEIGHTS_FILE) if WEIGHTS_FILE in names else None
    except (zipfile.BadZipFile, zlib.error, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{filepath!r} is not a readable .keras file ({type(error).__name__}: {error}); it may be "
                         "truncated or corrupt") from None
    if weights is None and "model.weights.npz" in names:
        raise ValueError(f"{filepath!r} stores its weights as model.weights.npz; neuroflow reads the h5 layout only")
    return config, weights



def load_model(filepath, custom_objects=None, compile=True):
    """Reads a Keras 3 `.keras` file (written by Keras or neuroflow) into a neuroflow model."""
    config, weights = read_archive(filepath)
    model = keras_config.model_from_keras(config, custom_objects)
    if not model.built:
        raise ValueError(f"Model '{model.name}' in {filepath!r} could not be built from its config, so its weights "
                         "cannot be loaded")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        keras_config.compile_from_keras(model, compile_config, custom_objects)
    if weights is not None:
        keras_weights.read_h5(model, io.BytesIO(weights), filepath, load_optimizer=compile)
    elif model.weights:
        raise ValueError(f"{filepath!r} holds no {WEIGHTS_FILE}; it is truncated or corrupt")
    return model


def save_weights(model, filepath):
    """Writes Keras 3's weights-only `.weights.h5` (layers and, if built, the optimizer state)."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it or call it on a batch before save_weights")
    write_atomically(filepath, lambda path: keras_weights.write_h5(model, path))


def load_weights(model, filepath, skip_mismatch=False):
    """Reads Keras 3's weights-only h5 layout into a built `model`."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath!r}")
    keras_weights.read_h5(model, filepath, filepath, skip_mismatch=skip_mismatch)
