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
