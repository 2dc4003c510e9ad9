"""Keras' `keras.config`: the global settings, each wired to the module that acts on it.

floatx, epsilon, the image data format and the backend are neuroflow/backend.py's; the dtype
policy is neuroflow/dtype_policies'; the other switches live in neuroflow/settings.py, where fit
(max_epochs, max_steps_per_epoch) reads them; the others are accepted flags.
"""
from neuroflow import backend as _backend
from neuroflow import settings as _settings
from neuroflow.backend import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from neuroflow.dtype_policies.dtype_policy import dtype_policy, set_dtype_policy


def backend():
    """The name of the array module neuroflow computes with: 'numpy' (or 'cupy')."""
    return _backend.backend()


def set_backend(backend):
    """Switches the array module: 'numpy' or 'cupy' (Keras' names of JAX, torch and TensorFlow do not apply)."""
    _backend.set_backend(backend)


def list_devices(device_type=None):
    """The devices neuroflow computes on: ['cpu:0'] on NumPy, ['gpu:0', ...] on CuPy (keras.distribution's names)."""
    return _backend.list_devices(device_type)


def enable_unsafe_deserialization():
    """Keras' switch to let loaders run code stored in files. Accepted: neuroflow's loaders never run
    stored bytecode (a Lambda's function must be rebuilt in code), so the flag changes nothing."""
    _settings.unsafe_deserialization = True


def is_unsafe_deserialization_enabled():
    return _settings.unsafe_deserialization


def set_file_limits(max_config_bytes=None, max_compression_ratio=None):
    """Raises (or lowers) the bounds model loaders put on a file before inflating its members.

    Args:
        max_config_bytes: the largest config.json (or other JSON member) a loader reads; default 64 MiB.
        max_compression_ratio: the largest ratio of inflated to stored size for a member over 16 MiB;
            default 1000 (a 4 MB member that claims to inflate to 4 GiB is a zip bomb, not a model).
    """
    if max_config_bytes is not None:
        _settings.max_config_bytes = int(max_config_bytes)
    if max_compression_ratio is not None:
        _settings.max_compression_ratio = float(max_compression_ratio)


def file_limits():
    """The current bounds of `set_file_limits`, as a dict."""
    return {"max_config_bytes": _settings.max_config_bytes, "max_compression_ratio": _settings.max_compression_ratio}


def enable_traceback_filtering():
    """Accepted for Keras programs: neuroflow's tracebacks carry no framework frames to filter."""
    _settings.traceback_filtering = True


def disable_traceback_filtering():
    """Accepted for Keras programs (see `enable_traceback_filtering`)."""
    _settings.traceback_filtering = False


def is_traceback_filtering_enabled():
    return _settings.traceback_filtering


def enable_interactive_logging():
    """Progress bars and messages go to stdout (the default)."""
    _settings.interactive_logging = True


def disable_interactive_logging():
    """Asks progress output to go to Python's logging instead of stdout, as Keras' switch does."""
    _settings.interactive_logging = False


def is_interactive_logging_enabled():
    return _settings.interactive_logging


def enable_flash_attention():
    """Keras' performance switch for attention kernels: accepted, NumPy has no flash attention."""
    _settings.flash_attention = True


def disable_flash_attention():
    _settings.flash_attention = False


def is_flash_attention_enabled():
    """None unless set (Keras' default: let the backend decide)."""
    return _settings.flash_attention


def is_nnx_enabled():
    """False: Flax NNX is JAX's, not neuroflow's."""
    return False


def set_max_epochs(max_epochs):
    """Caps the epochs of every `fit` (a debugging aid; None lifts the cap)."""
    _settings.max_epochs = max_epochs


def max_epochs():
    return _settings.max_epochs


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the batches of each `fit` epoch (a debugging aid; None lifts the cap)."""
    _settings.max_steps_per_epoch = max_steps_per_epoch


def max_steps_per_epoch():
    return _settings.max_steps_per_epoch


# ---- neuroflow's own: how much of a GPU's memory fit may fill with the data (issue 16) ----

def set_device_data_fraction(fraction):
    """On a device backend, the share of the device's free memory that fit / evaluate / predict may fill
    with in-memory arrays (x, y, sample_weight, validation data), moved there once at the start instead of
    batch by batch. Default 0.5, leaving the other half for the steps' activations and gradients; 0 moves
    every batch on its own.

    Raises:
        ValueError: for a fraction outside [0, 1].
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
        raise ValueError(f"set_device_data_fraction expects a number in [0, 1], got {fraction!r}")
    _settings.device_data_fraction = float(fraction)


def device_data_fraction():
    return _settings.device_data_fraction


__all__ = ["backend", "disable_flash_attention", "disable_interactive_logging", "disable_traceback_filtering",
           "dtype_policy", "enable_flash_attention", "enable_interactive_logging", "enable_traceback_filtering",
           "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format", "is_flash_attention_enabled",
           "is_interactive_logging_enabled", "is_nnx_enabled", "is_traceback_filtering_enabled",
           "is_unsafe_deserialization_enabled", "max_epochs", "max_steps_per_epoch", "set_backend",
           "set_dtype_policy", "set_epsilon", "set_floatx", "set_image_data_format", "set_max_epochs",
           "set_max_steps_per_epoch"]
# neuroflow's own: the bounds loaders put on model files (issue 14).
__all__ += ["file_limits", "set_file_limits"]
# neuroflow's own: the share of a device's memory fit may fill with the data (issue 16).
__all__ += ["device_data_fraction", "set_device_data_fraction"]
