"""The processes of an `mpirun` job and the few collective calls data-parallel training needs.

Every collective is MPI's non-blocking form (`Iallreduce`, `Ibcast`, `Iallgather(v)`), waited on
with a deadline: a rank that never arrives (stuck, or gone without the launcher noticing) makes
the others raise `CollectiveTimeout` naming it, instead of waiting forever. At the deadline each
waiting rank pings the others; the ranks that are waiting in a collective too answer (the wait
loop answers pings), so the ones that do not answer are the missing ones. A rank that exits or is
killed is caught by `mpirun` itself, which ends the job and names the rank. In a job of several
processes an uncaught error aborts the whole job (MPI_Abort, as `python -m mpi4py` does), so the
rank that raised does not wait in MPI_Finalize for the ones it left behind.

The job is found from the launcher's environment (Open MPI's `OMPI_COMM_WORLD_SIZE`, MPICH's and
Intel MPI's `PMI_SIZE`, PMIx's `PMIX_RANK`); without one this is a world of one process and mpi4py
is never imported.
"""
import os
import pickle
import sys
import time

import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "MPI exchanges host buffers: gradients and logs are copied to the host to be reduced"

_LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")
_PING, _PONG = 7301, 7302  # message tags of the liveness check, on neuroflow's own communicator
# How long the ranks that answered keep answering after a timeout, so that every waiting rank
# hears from every other waiting rank before it names the missing ones.
_PING_GRACE_SECONDS = 2.0

DEFAULT_TIMEOUT_SECONDS = 300.0


class CollectiveTimeout(RuntimeError):
    """A collective call did not complete in time; `missing_ranks` are the ranks that did not answer."""

    def __init__(self, message, missing_ranks):
        super().__init__(message)
        self.missing_ranks = tuple(missing_ranks)


def _abort_job_on_uncaught_errors(mpi):
    """An error that ends one rank ends the whole job, as `python -m mpi4py script.py` does.

    Without it a rank leaving with an error (a CollectiveTimeout, say) would wait in MPI_Finalize
    for the ranks it left behind, which may never come: the hang the timeout is there to prevent.
    """
    previous = sys.excepthook

    def abort(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.flush()
        sys.stdout.flush()
        mpi.COMM_WORLD.Abort(1)

    sys.excepthook = abort


def launched_by_mpi():
    """Whether this process was started by an MPI launcher (mpirun, mpiexec, srun with PMI)."""
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


_world = None


def world():
    """The job's `World`, made once: every process of `mpirun -n N`, or this process alone."""
    global _world
    if _world is None:
        _world = World()
    return _world


class World:
    """This process's rank among `size` processes, and the collectives over them (timeouts in seconds)."""

    def __init__(self):
        self.comm = None
        self.rank, self.size = 0, 1
        self.timeout = float(os.environ.get("NEUROFLOW_COLLECTIVE_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
        if launched_by_mpi():
            # mpi4py is the optional extra `neuroflow[mpi]`: imported only when a launcher started us.
            try:
                from mpi4py import MPI
            except ImportError as error:
                raise ImportError("This process was started by an MPI launcher, and data-parallel training needs "
                                  "mpi4py: pip install 'neuroflow[mpi]' (or pip install mpi4py)") from error
            self._mpi = MPI
            # A communicator of our own, so that the user's own MPI messages never meet ours.
            self.comm = MPI.COMM_WORLD.Dup()
            self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
            if self.size > 1:
                _abort_job_on_uncaught_errors(MPI)

    # ---- collectives -------------------------------------------------------------------------

    def allreduce_sum(self, buffer, what):
        """Sums the contiguous array `buffer` over the ranks, in place."""
        if self.size > 1:
            self._wait(self.comm.Iallreduce(self._mpi.IN_PLACE, buffer, op=self._mpi.SUM), what)
        return buffer

    def broadcast(self, buffer, what, root=0):
        """Overwrites the contiguous array `buffer` with rank `root`'s, in place."""
        if self.size > 1:
            self._wait(self.comm.Ibcast(buffer, root=root), what)
        return buffer

    def broadcast_object(self, value, what, root=0):
        """Rank `root`'s `value` (any picklable object) on every rank."""
        if self.size == 1:
            return value
        payload = pickle.dumps(value) if self.rank == root else b""
        length = self.broadcast(numpy.array([len(payload)], dtype=numpy.int64), what, root)
        data = numpy.frombuffer(payload, dtype=numpy.uint8).copy() if self.rank == root else \
            numpy.empty(int(length[0]), dtype=numpy.uint8)
        self.broadcast(data, what, root)
        return value if self.rank == root else pickle.loads(data.tobytes())

    def allgather_object(self, value, what):
        """Every rank's `value` (picklable), as a list in rank order, on every rank."""
        if self.size == 1:
            return [value]
        payload = numpy.frombuffer(pickle.dumps(value), dtype=numpy.uint8)
        lengths = numpy.empty(self.size, dtype=numpy.int64)
        self._wait(self.comm.Iallgather(numpy.array([payload.size], dtype=numpy.int64), lengths), what)
        gathered = numpy.empty(int(lengths.sum()), dtype=numpy.uint8)
        offsets = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
        self._wait(self.comm.Iallgatherv(payload, [gathered, (lengths, offsets), self._mpi.BYTE]), what)
        return [pickle.loads(gathered[start:start + length].tobytes()) for start, length in zip(offsets, lengths)]

    # ---- waiting with a deadline -------------------------------------------------------------

    def _wait(self, request, what):
        """Waits for `request`, answering liveness pings; raises CollectiveTimeout past the deadline."""
        deadline = time.monotonic() + self.timeout
        polls = 0
        while not request.Test():
            self._answer_pings()
            if time.monotonic() > deadline:
                missing = self._missing_ranks()
                named = ", ".join(str(rank) for rank in missing) or "unknown"
                raise CollectiveTimeout(
                    f"neuroflow.distribution: rank {self.rank} waited {self.timeout:g} s for {what}, and rank(s) "
                    f"{named} of {self.size} never joined it (stuck, or gone). Set NEUROFLOW_COLLECTIVE_TIMEOUT "
                    "(seconds) or DataParallel(timeout=...) if a step legitimately takes longer.", missing)
            polls += 1
            # Spin briefly (an allreduce of a small model takes microseconds), then yield the core:
            # ranks waiting on a collective must not starve the ones still computing (4 ranks, 2 cores).
            if polls > 200:
                time.sleep(min(0.001, 1e-5 * (polls - 200)))

    def _answer_pings(self):
        while self.comm.Iprobe(source=self._mpi.ANY_SOURCE, tag=_PING):
            status = self._mpi.Status()
            self.comm.recv(source=self._mpi.ANY_SOURCE, tag=_PING, status=status)
            self.comm.isend(self.rank, dest=status.Get_source(), tag=_PONG)

    def _missing_ranks(self):
        """The ranks that do not answer a ping within the grace period."""
        others = [rank for rank in range(self.size) if rank != self.rank]
        for rank in others:
            self.comm.isend(self.rank, dest=rank, tag=_PING)
        answered = set()
        stop = time.monotonic() + _PING_GRACE_SECONDS
        while time.monotonic() < stop:
            self._answer_pings()
            while self.comm.Iprobe(source=self._mpi.ANY_SOURCE, tag=_PONG):
                answered.add(self.comm.recv(source=self._mpi.ANY_SOURCE, tag=_PONG))
            time.sleep(0.01)
        return [rank for rank in others if rank not in answered]
