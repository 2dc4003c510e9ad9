"""The replica seam without MPI: a stand-in world of several ranks for what needs no real collective."""
import numpy
import pytest

from neuroflow import backend, callbacks
from neuroflow.distribution.replica import SOLO, Replica
from neuroflow.training.data import ArrayBatches


class FakeWorld:
    """Rank `rank` of `size`; every other rank holds the same values as this one."""

    def __init__(self, rank, size):
        self.rank, self.size = rank, size

    def allgather_object(self, value, what):
        return [value] * self.size

    def allreduce_sum(self, buffer, what):
        buffer *= self.size
        return buffer


def test_each_rank_takes_its_rows_of_every_global_batch():
    x = numpy.arange(10, dtype="float32").reshape(10, 1)
    batches = ArrayBatches(x, x[:, 0], batch_size=4)  # batches of 4, 4 and 2 rows
    rows = {}
    for rank in range(4):
        replica = Replica(FakeWorld(rank, 4))
        replica._model = type("NoMetrics", (), {"metrics": []})()
        rows[rank] = [batch[0][:, 0].tolist() for batch in replica.shard(batches)]
    # The last batch's 2 rows go to ranks 1 and 3; ranks 0 and 2 compute on its first row as a stand-in ...
    assert rows[0] == [[0.0], [4.0], [8.0]]
    assert rows[1] == [[1.0], [5.0], [8.0]]
    assert rows[2] == [[2.0], [6.0], [8.0]]
    assert rows[3] == [[3.0], [7.0], [9.0]]
    replica = Replica(FakeWorld(0, 4))
    replica._model = type("NoMetrics", (), {"metrics": []})()
    list(replica.shard(batches))
    assert replica.rows_per_batch == [1, 1, 0]  # ... with weight 0, and nothing of it is gathered


def test_gradients_are_weighted_by_rows_and_packed_once():
    replica = Replica(FakeWorld(0, 2))
    replica.rows = 3
    grads = [numpy.ones((2, 2), "float32"), None, numpy.full(3, 2.0, "float32")]
    averaged = replica.average_gradients(grads)
    assert averaged[1] is None
    # (3 g + 3 g) / (3 + 3); on a device backend the averages stay on the device
    numpy.testing.assert_allclose(backend.to_numpy(averaged[0]), numpy.ones((2, 2)))
    numpy.testing.assert_allclose(backend.to_numpy(averaged[2]), numpy.full(3, 2.0))
    assert replica._buffer.size == 4 + 3 + 1  # every gradient and the row count, in one buffer


def test_only_rank_zero_keeps_the_callbacks_that_print_or_write(tmp_path):
    writers = [callbacks.CSVLogger(str(tmp_path / "log.csv")), callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"),
                                                                                        save_weights_only=True)]
    stopping = callbacks.EarlyStopping()
    assert Replica(FakeWorld(0, 2)).callbacks(writers + [stopping], 1) == (writers + [stopping], 1)
    assert Replica(FakeWorld(1, 2)).callbacks(writers + [stopping], 1) == ([stopping], 0)
    assert SOLO.callbacks(writers, 1) == (writers, 1)


def test_backup_and_restore_is_refused_over_several_processes(tmp_path):
    with pytest.raises(ValueError, match="BackupAndRestore is not supported with DataParallel over several processes"):
        Replica(FakeWorld(1, 2)).callbacks([callbacks.BackupAndRestore(str(tmp_path))], 1)


def test_ranks_with_different_data_are_refused():
    class Uneven(FakeWorld):
        def allgather_object(self, value, what):
            return [value, (value[0] - 1, value[1])]

    batches = ArrayBatches(numpy.zeros((9, 1)), numpy.zeros(9), batch_size=4)
    with pytest.raises(ValueError, match="rank 0: 9 samples in 3 batches, rank 1: 8 samples in 3 batches"):
        Replica(Uneven(0, 2)).shard(batches)
