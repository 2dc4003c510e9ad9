"""Keras 3's devices and device mesh (`keras.distribution.list_devices`, `DeviceMesh`), one device per process.

neuroflow computes on one device per process (the CPU with NumPy, a GPU with CuPy), so the devices
of a job are its MPI processes: `mpirun -n 4` lists 'cpu:0' ... 'cpu:3', a plain `python` run lists
'cpu:0'.
"""
import numpy

from neuroflow import backend
from neuroflow.distribution.mpi_world import world

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "MPI exchanges host buffers: gradients and logs are copied to the host to be reduced"

_DEVICE_TYPES = ("cpu", "gpu", "tpu")


def _backend_device_type():
    return "gpu" if backend.xp.__name__ == "cupy" else "cpu"


def list_devices(device_type=None):
    """All the job's devices of `device_type`, as 'type:index' strings, one per process (Keras' `list_devices`).

    Args:
        device_type: 'cpu', 'gpu' or 'tpu'; by default the type the array backend runs on.

    Returns:
        A list of strings such as ['cpu:0', 'cpu:1']; empty for a type this backend does not run on.
    """
    if device_type is not None and str(device_type).lower() not in _DEVICE_TYPES:
        raise ValueError(f"list_devices: device_type must be one of {_DEVICE_TYPES} or None, got {device_type!r}")
    kind = _backend_device_type() if device_type is None else str(device_type).lower()
    if kind != _backend_device_type():
        return []
    return [f"{kind}:{rank}" for rank in range(world().size)]


def get_device_count(device_type=None):
    """How many devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


class DeviceMesh:
    """A named grid of devices (Keras' `DeviceMesh`); data parallelism uses a 1-D mesh over the batch axis.

    Args:
        shape: the mesh's shape; its product is the number of devices.
        axis_names: one name per mesh axis, e.g. ['batch'].
        devices: the device strings, in mesh order (by default `list_devices()`).
    """

    def __init__(self, shape, axis_names, devices=None):
        shape = tuple(int(d) for d in shape)
        axis_names = list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape {shape} and axis_names {axis_names} must have the same length")
        devices = numpy.array(list_devices() if devices is None else devices)
        if int(numpy.prod(shape)) != devices.size:
            raise ValueError(f"DeviceMesh: shape {shape} holds {int(numpy.prod(shape))} devices, "
                             f"but {devices.size} devices were given: {devices.ravel().tolist()}")
        self._shape, self._axis_names = shape, axis_names
        self._devices = devices.reshape(shape)

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    def __repr__(self):
        return f"<DeviceMesh shape={self._shape}, axis_names={self._axis_names}>"
