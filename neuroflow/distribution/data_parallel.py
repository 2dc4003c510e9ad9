"""Keras 3's `Distribution`, `DataParallel` and the global distribution setting, over MPI processes.

    import neuroflow
    neuroflow.distribution.set_distribution(neuroflow.distribution.DataParallel())
    model.fit(x, y, batch_size=128, epochs=5)      # started as: mpirun -n 4 python train.py

trains data-parallel on the job's processes (distribution/replica.py says what each computes);
started as `python train.py` the job is one process and fit runs as without a distribution.
"""
import contextlib

from neuroflow.distribution import mpi_world
from neuroflow.distribution.device_mesh import DeviceMesh, list_devices
from neuroflow.distribution.replica import SOLO, Replica

DEFAULT_BATCH_DIM_NAME = "batch"

_current = None


def distribution():
    """The global distribution set by `set_distribution` (None by default), as Keras' `distribution()`."""
    return _current


def set_distribution(value):
    """Sets the global distribution that fit, evaluate and predict follow (None: each process alone).

    Args:
        value: a `Distribution` instance (`DataParallel()`), or None.
    """
    global _current
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"set_distribution expects a Distribution instance (e.g. DataParallel()) or None, "
                         f"got {type(value).__name__}: {value!r}")
    _current = value


class Distribution:
    """The base of the distribution strategies (Keras' `keras.distribution.Distribution`).

    Args:
        device_mesh: the `DeviceMesh` the strategy places work on.
        batch_dim_name: the mesh axis the batch is split along.
        auto_shard_dataset: whether each process takes its part of every batch itself (True), or
            reads an already-sharded part of the data (False).
    """

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = bool(auto_shard_dataset)
        self._world = mpi_world.world()

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @property
    def num_processes(self):
        """The number of processes of the job (`mpirun -n N`: N)."""
        return self._world.size

    @property
    def process_id(self):
        """This process's rank in the job, 0 to num_processes - 1 (rank 0 prints and writes the files)."""
        return self._world.rank

    @property
    def num_model_replicas(self):
        raise NotImplementedError(f"{type(self).__name__} must define num_model_replicas")

    @property
    def data_shard_id(self):
        """Which part of each batch this process trains on."""
        return self._world.rank

    @contextlib.contextmanager
    def scope(self):
        """Makes this the current distribution inside the `with` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)


class DataParallel(Distribution):
    """Data parallelism: every process holds the whole model and trains on its rows of each global batch.

    Each MPI process is one device of a 1-D mesh along the batch axis. The gradients are averaged
    over the processes with one allreduce per step, so every process keeps identical weights.
    With the same seed and global batch, fit gives one process's weights and History to float32
    rounding, except where a layer's randomness or statistics depend on the rows it sees:
    Dropout draws its masks per process (as in every data-parallel framework), and
    BatchNormalization normalizes each process's rows and averages the moving statistics at the
    end of each epoch. Losses with reduction='sum' are averaged like the others (Horovod's rule).
    `train_on_batch`, `test_on_batch` and `predict_on_batch` stay local to each process.

    Args:
        device_mesh: a 1-D `DeviceMesh` over all the job's devices (by default one is made).
        devices: the job's devices, as `list_devices()` gives them (the alternative to device_mesh).
        auto_shard_dataset: whether each process takes its rows of every batch (the default), or uses
            its batches whole because each process reads its own part of the data.
        timeout: seconds a collective call may wait for the other processes before failing with an
            error naming the ones that did not come (default: NEUROFLOW_COLLECTIVE_TIMEOUT, else 300).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True, timeout=None):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel takes device_mesh or devices, not both")
        job_devices = list_devices()
        if device_mesh is None:
            devices = job_devices if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), [DEFAULT_BATCH_DIM_NAME], devices)
        elif not isinstance(device_mesh, DeviceMesh):
            raise ValueError(f"DataParallel: device_mesh must be a DeviceMesh, got {type(device_mesh).__name__}")
        if sorted(device_mesh.devices.ravel().tolist()) != sorted(job_devices):
            raise ValueError(f"DataParallel: neuroflow runs one device per MPI process, so the mesh must hold the job's "
                             f"devices {job_devices}; got {device_mesh.devices.ravel().tolist()}")
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
        if timeout is not None:
            if not timeout > 0:
                raise ValueError(f"DataParallel: timeout must be a positive number of seconds, got {timeout!r}")
            self._world.timeout = float(timeout)

    @property
    def num_model_replicas(self):
        return int(self.device_mesh.devices.size)

    def __repr__(self):
        return f"<DataParallel over {self.num_processes} process(es), this one rank {self.process_id}>"


def replica_for(model):
    """This process's part in the fit / evaluate / predict of `model` under the global distribution.

    Returns the MPI `Replica` when a DataParallel distribution spans several processes, else `SOLO`,
    which changes nothing.
    """
    current = distribution()
    if isinstance(current, DataParallel) and current.num_processes > 1:
        return Replica(current._world, current.auto_shard_dataset)
    return SOLO
