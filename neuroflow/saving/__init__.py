"""Saving and loading models and weights, with the format chosen by the file name:

    *.keras        Keras 3's zip (config.json, metadata.json, model.weights.h5): saving/keras_format.py
    *.weights.h5   Keras 3's weights-only HDF5 layout (save_weights / load_weights)
    *.h5 / *.hdf5  legacy Keras 2 HDF5: refused with an error saying how to convert (weights files in
                   Keras 3's layout are still read by load_weights)
    anything else  neuroflow's own pickle-free zip of JSON and .npy arrays: saving/native.py
"""
import os

from neuroflow.saving import native
from neuroflow.saving.registry import (CustomObjectScope, custom_object_scope, get_custom_object,
                                       get_registered_name, get_registered_object, register_keras_serializable)


def _kind(filepath):
    name = os.fspath(filepath).lower()
    if name.endswith(".keras"):
        return "keras"
    if name.endswith(".weights.h5"):
        return "weights_h5"
    if name.endswith((".h5", ".hdf5")):
        return "legacy_h5"
    return "native"


def _legacy_error(filepath, action):
    return ValueError(f"{filepath!r}: neuroflow does not {action} the legacy Keras 2 HDF5 format ('.h5'). Use "
                      "'.keras' for a whole model or '.weights.h5' for weights (Keras 3's formats), or another "
                      "suffix for neuroflow's own format.")


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Saves a model's architecture, weights and compile settings to `filepath` (format by suffix)."""
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    kind = _kind(filepath)
    if kind == "keras":
        from neuroflow.saving import keras_format
        keras_format.save_model(model, filepath, include_optimizer=include_optimizer)
    elif kind == "weights_h5":
        raise ValueError(f"{filepath!r} names a weights-only file; use model.save_weights for '.weights.h5', or "
                         "save the whole model as '.keras'")
    elif kind == "legacy_h5":
        raise _legacy_error(filepath, "write")
    else:
        native.save_model(model, filepath, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by `model.save` (or by Keras 3, for '.keras' files)."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    if kind == "keras":
        from neuroflow.saving import keras_format
        return keras_format.load_model(filepath, custom_objects=custom_objects, compile=compile)
    if kind == "weights_h5":
        raise ValueError(f"{filepath!r} holds weights only; build the model and call model.load_weights on it")
    if kind == "legacy_h5":
        raise _legacy_error(filepath, "read")
    return native.load_model(filepath, custom_objects=custom_objects, compile=compile)


def save_weights(model, filepath, overwrite=True):
    """Saves the weights only (Keras 3's h5 layout for '.weights.h5', else neuroflow's format)."""
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    kind = _kind(filepath)
    if kind == "weights_h5":
        from neuroflow.saving import keras_format
        keras_format.save_weights(model, filepath)
    elif kind == "keras":
        raise ValueError(f"{filepath!r}: save_weights writes weights only; use '.weights.h5' (or model.save for "
                         "'.keras')")
    elif kind == "legacy_h5":
        raise _legacy_error(filepath, "write")
    else:
        native.save_weights(model, filepath)


def load_weights(model, filepath, skip_mismatch=False):
    """Loads weights saved by `save_weights` (or the weights of a whole '.keras' model file)."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    from neuroflow.saving import keras_format
    if kind in ("weights_h5", "legacy_h5"):
        # A '.h5' in Keras 3's layout reads fine; a Keras 2 file is refused inside with a clear error.
        keras_format.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    elif kind == "keras":
        import io
        _, weights = keras_format._read_archive(filepath)
        keras_format._read_h5(model, io.BytesIO(weights), filepath, skip_mismatch=skip_mismatch)
    else:
        native.load_weights(model, filepath, skip_mismatch=skip_mismatch)


def _check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
