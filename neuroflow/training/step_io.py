"""What a training step takes and gives back: its data unpacked into (x, y, sample_weight), and its logs as floats.

Keras' steps receive `(x,)`, `(x, y)` or `(x, y, sample_weight)`; `unpack` reads all three.
`float_logs` is the one place a step's logs become Python floats (on a device, in one copy).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import nest

# numpy here only recognises host arrays (tests/test_backend_seam.py):
HOST_NUMPY = "batch_size recognises a host array among a step's inputs"


def float_logs(logs):
    """A step's logs as Python floats, nested dicts (a custom step's own grouping) flattened.

    On a device all of them come back to the host in one copy (backend.host_floats).
    """
    flat = {}
    _flatten_logs(logs, flat)
    return dict(zip(flat, backend.host_floats(list(flat.values()))))


def _flatten_logs(logs, flat):
    for key, value in logs.items():
        if isinstance(value, dict):
            _flatten_logs(value, flat)
        else:
            flat[key] = value.value if isinstance(value, Tensor) else value


def step_data(x, y, sample_weight):
    """What a step receives: (x, y), or (x, y, sample_weight) when weighted, as in Keras; x alone when
    there are no targets (a model computing its own loss, fit(x)), or (x,) if x is itself a tuple."""
    if y is None and sample_weight is None:
        return (x,) if isinstance(x, tuple) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def step_logs_unread(model, trainer_class, callback_list):
    """Whether fit may skip each step's logs and read the metrics once at the end of an epoch.

    Only when nothing could see the difference: no callback has a batch-end hook, the model keeps
    the built-in train_step, compute_metrics and get_metrics_result, and the step runs on NumPy in
    one process (a device's data checks and a data-parallel fit's reduction go with the logs).
    """
    kind = type(model)
    return (not callback_list._listening("on_train_batch_end", "on_batch_end")
            and all(getattr(kind, name) is getattr(trainer_class, name)
                    for name in ("train_step", "compute_metrics", "get_metrics_result"))
            and not backend.on_device() and model.__dict__.get("_replica") is None)


def unpack(data):
    """(x, y, sample_weight) of a step's data; the missing ones None."""
    if isinstance(data, tuple):
        if len(data) == 3:
            return data
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 1:
            return data[0], None, None
    return data, None, None


def batch_size(x):
    """The number of samples in a step's inputs `x` (1 for a scalar)."""
    first = x if isinstance(x, (numpy.ndarray, Tensor)) else nest.flatten(x)[0]
    return first.shape[0] if hasattr(first, "shape") and len(first.shape) else 1
