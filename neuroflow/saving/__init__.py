"""Saving and loading models and weights, with the format chosen by the file name:

    *.keras        Keras 3's zip (config.json, metadata.json, model.weights.h5): saving/keras_format.py,
                   with the config in saving/keras_config.py
    *.weights.h5   Keras 3's weights-only HDF5 layout (save_weights / load_weights)
    *.h5 / *.hdf5  Keras' legacy HDF5 whole-model format (with a warning recommending .keras):
                   saving/legacy_h5.py; load_weights reads Keras 2 weights files and Keras 3's layout
    anything else  neuroflow's own pickle-free zip of Keras 3's config.json and .npy arrays: saving/native.py

All three whole-model formats write and read their config through saving/keras_config.py; class
names resolve through the one registry (utils/registry.py).
"""
import io
import os

from neuroflow.saving import keras_format, legacy_h5, native
from neuroflow.utils.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)

# isort: split
# keras.saving: objects to configs and back, models as JSON (issue 10).
from neuroflow.saving.file_editor import KerasFileEditor
from neuroflow.saving.json_format import model_from_json, model_to_json
from neuroflow.utils.object_serialization import deserialize_keras_object, serialize_keras_object


def _kind(filepath):
    name = os.fspath(filepath).lower()
    if name.endswith(".keras"):
        return "keras"
    if name.endswith(".weights.h5"):
        return "weights_h5"
    if name.endswith((".h5", ".hdf5")):
        return "legacy_h5"
    return "native"


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Saves a model's architecture, weights and compile settings to `filepath` (format by suffix)."""
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    kind = _kind(filepath)
    if kind == "keras":
        keras_format.save_model(model, filepath, include_optimizer=include_optimizer)
    elif kind == "weights_h5":
        raise ValueError(f"{filepath!r} names a weights-only file; use model.save_weights for '.weights.h5', or "
                         "save the whole model as '.keras'")
    elif kind == "legacy_h5":
        legacy_h5.legacy_save_warning(filepath)
        legacy_h5.save_model(model, filepath, include_optimizer=include_optimizer)
    else:
        native.save_model(model, filepath, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by `model.save` (or by Keras 3, for '.keras' files)."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    if kind == "keras":
        return keras_format.load_model(filepath, custom_objects=custom_objects, compile=compile)
    if kind == "weights_h5":
        raise ValueError(f"{filepath!r} holds weights only; build the model and call model.load_weights on it")
    if kind == "legacy_h5":
        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile)
    return native.load_model(filepath, custom_objects=custom_objects, compile=compile)


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Saves the weights only (Keras 3's h5 layout for '.weights.h5', else neuroflow's format).

    Raises:
        NotImplementedError: for `max_shard_size`: weights are written as one file.
    """
    if max_shard_size is not None:
        raise NotImplementedError(f"Sharded weights files are not supported: save_weights writes one file. Received: "
                                  f"max_shard_size={max_shard_size}; pass max_shard_size=None")
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    kind = _kind(filepath)
    if kind == "weights_h5":
        keras_format.save_weights(model, filepath)
    elif kind == "keras":
        raise ValueError(f"{filepath!r}: save_weights writes weights only; use '.weights.h5' (or model.save for "
                         "'.keras')")
    elif kind == "legacy_h5":
        # As in Keras 3: '.h5' alone names a whole model (model.save); weights-only files are '.weights.h5'.
        raise ValueError(f"{filepath!r}: save_weights writes Keras 3's weights format, whose file name must end in "
                         "'.weights.h5' (use model.save for a whole-model '.h5' file)")
    else:
        native.save_weights(model, filepath)


def load_weights(model, filepath, skip_mismatch=False):
    """Loads weights saved by `save_weights` (or the weights of a whole '.keras' model file)."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    if kind in ("weights_h5", "legacy_h5"):
        # Either suffix may hold either layout: Keras 3's (groups per object) or the legacy one
        # (layer_names, per-layer weight_names: Keras 2 weights files and whole-model '.h5' files).
        if os.path.exists(filepath) and legacy_h5.is_legacy_file(filepath):
            legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch)
        else:
            keras_format.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    elif kind == "keras":
        _, weights = keras_format.read_archive(filepath)
        keras_format.read_h5(model, io.BytesIO(weights), filepath, skip_mismatch=skip_mismatch)
    else:
        native.load_weights(model, filepath, skip_mismatch=skip_mismatch)


def _check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
