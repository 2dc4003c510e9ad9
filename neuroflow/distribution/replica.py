"""One process's part in data-parallel fit / evaluate / predict: the seam between the trainer and MPI.

The trainer (training/trainer.py) asks `replica_for(model)` for this process's replica once per
fit, evaluate or predict, and calls it at six points; with no DataParallel distribution set (or a
job of one process) it gets `SOLO`, whose methods hand everything back untouched:

    callbacks, verbose = replica.callbacks(callbacks, verbose)  # rank 0 alone prints and writes files
    batches = replica.shard(batches)         # each global batch -> this rank's rows of it
    with replica.fitting(model):             # rank 0's weights and random state on every rank, and
        ...                                  #   optimizer.apply averages the gradients (one allreduce)
    logs = replica.reduce_logs(model, logs)  # after each step: logs of the global batch, on every rank
    with replica.serving(model): ...         # evaluate / predict: rank 0's weights on every rank
    outputs = replica.gather(outputs)        # predict: every rank's rows, back in the input's order

What each rank computes (Horovod's DistributedOptimizer, with the batch split as Keras' DataParallel
splits it): `batch_size` stays the global batch; rank r takes rows [r B / N, (r+1) B / N) of each
one; the gradients of every variable, each multiplied by the rank's row count, go into one packed
buffer with that count at its end, summed by one allreduce, then divided by the summed count, so
the update is the gradient of the loss averaged over the global batch, the same on every rank.
The metric states (totals and counts) are summed the same way, so every log, and History, is the
global batch's. A rank left without rows (a last batch smaller than the job) computes on one row and
contributes nothing: weight 0, its metric states put back.
"""
import contextlib

import numpy

from neuroflow import backend, seeding
from neuroflow.callbacks import BackupAndRestore, CSVLogger, ModelCheckpoint, ProgbarLogger, RemoteMonitor, TensorBoard
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import nest

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "MPI exchanges host buffers: gradients and logs are copied to the host to be reduced"

# Callbacks that print or write files: on ranks other than 0 they are left out, so a job writes one
# checkpoint, one CSV log, one event file. The others (History, EarlyStopping, ...) run everywhere and
# decide alike, as every rank sees the same logs.
RANK_ZERO_CALLBACKS = (ProgbarLogger, ModelCheckpoint, CSVLogger, TensorBoard, RemoteMonitor)


class SoloReplica:
    """A process training alone: every seam hands its input back."""

    rank, size = 0, 1

    def callbacks(self, callbacks, verbose):
        return callbacks, verbose

    def shard(self, batches, training=False):
        return batches

    def reduce_logs(self, model, logs):
        return logs

    def gather(self, outputs):
        return outputs

    @contextlib.contextmanager
    def fitting(self, model):
        yield

    serving = fitting


SOLO = SoloReplica()


def current_replica(model):
    """The replica of the fit / evaluate / predict that `model` is running, or SOLO."""
    return model.__dict__.get("_replica") or SOLO


class Replica:
    """Rank `world.rank` of `world.size` processes training one model on shards of each global batch.

    Args:
        world: the job's `mpi_world.World`.
        auto_shard_dataset: whether each rank takes its rows of every batch (Keras' argument); False
            when each process already reads its own part of the data (its batches are used whole).
    """

    def __init__(self, world, auto_shard_dataset=True):
        self.world = world
        self.rank, self.size = world.rank, world.size
        self.auto_shard_dataset = auto_shard_dataset
        self.rows = 0          # this rank's rows in the current step (0: it only pretends to compute)
        self.step = 0          # steps of this fit / evaluate, to say where a collective failed
        self.rows_per_batch = []  # this rank's rows of each batch of the current predict
        self._saved_states = None
        self._buffer = None    # the packed gradient buffer, kept between steps

    # ---- callbacks ---------------------------------------------------------------------------

    def callbacks(self, callbacks, verbose):
        """The callbacks and verbosity for this rank: all on rank 0; elsewhere none that print or write."""
        given = nest.flatten(callbacks or [])
        if any(isinstance(cb, BackupAndRestore) for cb in given):
            # Resuming would need every rank to restore the same epoch, step and optimizer slots, and
            # one of them alone to write the backups: not done yet.
            raise ValueError("BackupAndRestore is not supported with DataParallel over several processes yet; "
                             "use ModelCheckpoint (rank 0 writes it) and load its weights to resume")
        if self.rank == 0:
            return callbacks, verbose
        kept = [cb for cb in given if not isinstance(cb, RANK_ZERO_CALLBACKS)]
        return kept, 0

    # ---- data --------------------------------------------------------------------------------

    def shard(self, batches, training=False):
        """`batches` yielding this rank's rows of each global batch (re-iterable, with the same len).

        With `training`, each pass that runs to its end then averages the moving statistics over
        the ranks, so that validation and the next epoch start from the same model everywhere.
        """
        if self.auto_shard_dataset:
            self._check_same_data(batches)
        return _ShardedBatches(batches, self, training)

    def _check_same_data(self, batches):
        """Every rank must cut the same global batches: ranks stepping differently would mix up their collectives."""
        shape = (getattr(batches, "count", None), len(batches) if hasattr(batches, "__len__") else None)
        shapes = self.world.allgather_object(shape, "the check that every rank reads the same data")
        if len(set(shapes)) > 1:
            listed = ", ".join(f"rank {rank}: {count} samples in {steps} batches"
                               for rank, (count, steps) in enumerate(shapes))
            raise ValueError("DataParallel: every process must read the same data, and takes its rows of each global "
                             f"batch; the processes got different data ({listed}). Give each process the whole data "
                             "set, or its own part with DataParallel(auto_shard_dataset=False).")

    def _rows_of(self, batch):
        x, y, sample_weight = batch
        leaves = [leaf for leaf in nest.flatten(x) if hasattr(leaf, "shape") and len(leaf.shape)]
        if not self.auto_shard_dataset or not leaves:
            self.rows = leaves[0].shape[0] if leaves else 1
            return batch
        total = leaves[0].shape[0]
        start, stop = total * self.rank // self.size, total * (self.rank + 1) // self.size
        self.rows = stop - start
        self.rows_per_batch.append(self.rows)
        if self.rows == 0:
            # Nothing for this rank: it computes on the batch's first row, with weight 0, and its
            # metric states are put back after the step (reduce_logs), so that it adds nothing.
            self._saved_states = [v.value.copy() for v in _metric_variables_of(self._model)]
            start, stop = 0, 1
        return tuple(_rows(part, start, stop) for part in (x, y, sample_weight))

    # ---- state -------------------------------------------------------------------------------

    def _broadcast_model(self, model, what):
        """Rank 0's random state and weights (and optimizer slots, once built) on every rank."""
        state = self.world.broadcast_object(seeding.generator().bit_generator.state, f"the random state ({what})")
        seeding.generator().bit_generator.state = state
        variables = list(model.variables)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "built", False):
            variables += list(optimizer.variables)
        values = self.world.broadcast_object([backend.to_numpy(v.value) for v in variables],
                                             f"the weights of rank 0 ({what})")
        shapes = [tuple(v.shape) for v in variables]
        if [tuple(numpy.shape(value)) for value in values] != shapes:
            raise ValueError(f"DataParallel: rank {self.rank}'s model and optimizer hold {len(shapes)} variables that do "
                             f"not match rank 0's {len(values)} ({what}); every process must build the same model "
                             "and compile it the same way before fit")
        for variable, value in zip(variables, values):
            variable.assign(value)  # (through assign: a SeedGenerator's state keeps its host copy)

    def _average_non_trainable(self, model):
        """Moving statistics (BatchNormalization's) that each rank updated on its own rows, averaged."""
        variables = [v for v in model.non_trainable_weights if numpy.dtype(v.dtype).kind == "f"]
        if not variables:
            return
        buffer = numpy.concatenate([backend.to_numpy(v.value).ravel().astype(numpy.float64) for v in variables])
        self.world.allreduce_sum(buffer, "the average of the non-trainable weights")
        buffer /= self.size
        offset = 0
        for variable in variables:
            size = int(numpy.prod(variable.shape))
            variable.value[...] = backend.xp.asarray(buffer[offset:offset + size].reshape(variable.shape))
            offset += size

    @contextlib.contextmanager
    def fitting(self, model):
        """A fit on every rank: starts from rank 0's state; optimizer.apply averages the gradients."""
        with self._attached(model):
            self._broadcast_model(model, "start of fit")
            optimizer = model.optimizer
            own_apply = optimizer.__dict__.get("apply")
            plain_apply = optimizer.apply

            def apply(grads, trainable_variables=None):
                return plain_apply(self.average_gradients(grads), trainable_variables)

            # An instance attribute for the fit's duration: custom train steps and wrapping
            # optimizers (LossScaleOptimizer) reach it through the same `model.optimizer.apply`.
            object.__setattr__(optimizer, "apply", apply)
            try:
                yield
                self._average_non_trainable(model)
            finally:
                if own_apply is None:
                    del optimizer.__dict__["apply"]
                else:
                    object.__setattr__(optimizer, "apply", own_apply)

    @contextlib.contextmanager
    def serving(self, model):
        """An evaluate or predict on every rank, from rank 0's weights."""
        with self._attached(model):
            self._broadcast_model(model, "start of evaluate / predict")
            yield

    @contextlib.contextmanager
    def _attached(self, model):
        previous = model.__dict__.get("_replica")
        object.__setattr__(model, "_replica", self)
        object.__setattr__(self, "_model", model)
        self.step, self.rows_per_batch = 0, []
        try:
            yield
        finally:
            object.__setattr__(model, "_replica", previous)

    # ---- the collectives of a step -----------------------------------------------------------

    def average_gradients(self, grads):
        """The gradients averaged over the global batch: one allreduce over one packed buffer."""
        arrays = [None if g is None else backend.to_numpy(g.value if isinstance(g, Tensor) else g) for g in grads]
        present = [a for a in arrays if a is not None]
        if not present:
            return grads
        size = sum(a.size for a in present) + 1
        dtype = numpy.result_type(numpy.float32, *[a.dtype for a in present])
        if self._buffer is None or self._buffer.size != size or self._buffer.dtype != dtype:
            self._buffer = numpy.empty(size, dtype=dtype)
        buffer, offset = self._buffer, 0
        for array in present:
            numpy.multiply(array.ravel(), self.rows, out=buffer[offset:offset + array.size])
            offset += array.size
        buffer[-1] = self.rows
        self.world.allreduce_sum(buffer, f"the gradient allreduce of step {self.step}")
        buffer[:-1] /= buffer[-1]
        averaged, offset = [], 0
        for array in arrays:
            if array is None:
                averaged.append(None)
                continue
            averaged.append(backend.xp.asarray(buffer[offset:offset + array.size].reshape(array.shape)))
            offset += array.size
        return averaged

    def reduce_logs(self, model, logs):
        """The step's logs for the global batch: metric states summed over the ranks, other values averaged."""
        self.step += 1
        variables = _metric_variables_of(model)
        if self._saved_states is not None:  # this rank had no rows: undo what the stand-in row added
            for variable, saved in zip(variables, self._saved_states):
                variable.value[...] = saved
            self._saved_states = None
        local = [backend.to_numpy(v.value).copy() for v in variables]
        metric_names = set(_float_logs(model.get_metrics_result())) if variables else set()
        others = [key for key in logs if key not in metric_names]
        parts = [state.ravel().astype(numpy.float64) for state in local]
        parts.append(numpy.array([logs[key] * self.rows for key in others] + [self.rows], dtype=numpy.float64))
        buffer = self.world.allreduce_sum(numpy.concatenate(parts), f"the metric reduction of step {self.step}")
        offset = 0
        for variable, state in zip(variables, local):
            variable.value[...] = backend.xp.asarray(buffer[offset:offset + state.size].reshape(state.shape))
            offset += state.size
        global_logs = _float_logs(model.get_metrics_result()) if variables else {}
        for variable, state in zip(variables, local):  # each rank goes on accumulating its own rows
            variable.value[...] = backend.xp.asarray(state)
        rows = buffer[-1]
        for index, key in enumerate(others):
            global_logs[key] = float(buffer[offset + index] / rows) if rows else float(logs[key])
        return {key: global_logs.get(key, logs[key]) for key in logs}

    def gather(self, outputs):
        """predict's per-batch outputs of every rank, merged back into the global batches' order."""
        # A rank without rows of a batch computed on a stand-in row: it sends nothing for that batch.
        outputs = [None if rows == 0 else batch for batch, rows in zip(outputs, self.rows_per_batch)] \
            if len(self.rows_per_batch) == len(outputs) else outputs
        every_rank = self.world.allgather_object(outputs, "the gathering of predict's outputs")
        merged = []
        for batch in range(len(outputs)):
            parts = [rank_outputs[batch] for rank_outputs in every_rank if rank_outputs[batch] is not None]
            merged.append([numpy.concatenate(pieces, axis=0) for pieces in zip(*parts)])
        return merged


class _ShardedBatches:
    """This rank's rows of each batch of `batches`; a finished epoch averages the moving statistics."""

    def __init__(self, batches, replica, training):
        self.batches, self.replica, self.training = batches, replica, training

    def __iter__(self):
        for batch in self.batches:
            yield self.replica._rows_of(batch)
        if self.training:
            self.replica._average_non_trainable(self.replica._model)

    def __len__(self):
        return len(self.batches)

    @property
    def exhausted(self):
        return getattr(self.batches, "exhausted", False)


def _rows(part, start, stop):
    if part is None:
        return None
    if isinstance(part, dict):
        return {key: _rows(value, start, stop) for key, value in part.items()}
    if isinstance(part, (list, tuple)):
        return type(part)(_rows(value, start, stop) for value in part)
    return part[start:stop]


def _metric_variables_of(model):
    """The state variables of every metric the model reports (the loss trackers' too), in a fixed order."""
    variables = []
    for metric in list(model.metrics) + list(getattr(model, "_output_loss_trackers", [])):
        built = getattr(metric, "metrics", None)  # the compiled metrics hold (metric, weighted) per output
        if isinstance(built, list) and not hasattr(metric, "variables"):
            variables += [v for per_output in built for m, _ in per_output for v in m.variables]
        else:
            variables += list(getattr(metric, "variables", []))
    return variables


def _float_logs(logs):
    result = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            result.update(_float_logs(value))
        else:
            result[key] = float(backend.to_numpy(value.value if isinstance(value, Tensor) else value))
    return result
