"""Saving and loading models and weights.

neuroflow's own format is a pickle-free zip of JSON config and .npy arrays (saving/native.py).
"""
from neuroflow.saving import native
from neuroflow.saving.registry import (CustomObjectScope, custom_object_scope, get_custom_object,
                                       get_registered_name, get_registered_object, register_keras_serializable)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Saves a model's architecture, weights and compile settings to `filepath`."""
    _check_overwrite(filepath, overwrite)
    native.save_model(model, str(filepath))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by `model.save`."""
    return native.load_model(str(filepath), custom_objects=custom_objects, compile=compile)


def save_weights(model, filepath, overwrite=True):
    _check_overwrite(filepath, overwrite)
    native.save_weights(model, str(filepath))


def load_weights(model, filepath, skip_mismatch=False):
    native.load_weights(model, str(filepath), skip_mismatch=skip_mismatch)


def _check_overwrite(filepath, overwrite):
    import os
    if not overwrite and os.path.exists(str(filepath)):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
