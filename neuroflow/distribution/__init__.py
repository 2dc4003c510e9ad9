"""`keras.distribution` over MPI: data-parallel fit, evaluate and predict across `mpirun` processes.

mpi4py is the optional extra `neuroflow[mpi]`; it is imported only in a process an MPI launcher started.
"""
from neuroflow.distribution.data_parallel import (
    DataParallel,
    Distribution,
    distribution,
    replica_for,
    set_distribution,
)
from neuroflow.distribution.device_mesh import DeviceMesh, get_device_count, list_devices
from neuroflow.distribution.mpi_world import CollectiveTimeout
from neuroflow.distribution.replica import current_replica

__all__ = ["CollectiveTimeout", "DataParallel", "DeviceMesh", "Distribution", "distribution", "get_device_count",
           "list_devices", "set_distribution"]
