"""Conversion and inspection: what a tensor holds, without running an op (no gradient, no graph node)."""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor


def value_of(x):
    """The backend array behind `x`: a Tensor's value, anything else through `xp.asarray`."""
    return x.value if isinstance(x, Tensor) else backend.xp.asarray(x)


def convert_to_numpy(x):
    """A NumPy array with the value of `x`."""
    return backend.to_numpy(value_of(x))


def dtype(x):
    return str(value_of(x).dtype)


def is_tensor(x):
    return isinstance(x, Tensor)
