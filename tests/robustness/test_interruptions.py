"""Issue 14, part 3: surviving interruptions. A fit killed with SIGKILL and started again with
BackupAndRestore ends bit for bit where an uninterrupted run ends; Ctrl-C stops at a batch's end,
calls on_train_end and says where; a model saved in any format resumes with its optimizer state."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy
import pytest

import neuroflow
from neuroflow import layers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Trains with BackupAndRestore, printing "epoch step" after every batch; at the end writes the
# weights and History to OUTPUT. Shuffling, dropout and Adam all draw on state the backup must hold.
SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import numpy
    import neuroflow
    from neuroflow import layers

    backup_dir, output, save_freq = sys.argv[2], sys.argv[3], sys.argv[4]
    neuroflow.set_random_seed(7)
    data = numpy.random.default_rng(0)
    x = data.random((120, 6)).astype("float32")
    y = (x.sum(axis=1) > 3).astype("float32")
    model = neuroflow.Sequential([layers.Input((6,)), layers.Dense(16, activation="relu"), layers.Dropout(0.3),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])

    class Report(neuroflow.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print(f"batch {self.epoch} {batch}", flush=True)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    backup = neuroflow.callbacks.BackupAndRestore(backup_dir, save_freq=int(save_freq) if save_freq.isdigit() else save_freq)
    history = model.fit(x, y, batch_size=8, epochs=4, validation_split=0.2, callbacks=[backup, Report()], verbose=0)
    numpy.savez(output + ".npz", *model.get_weights())
    with open(output + ".json", "w") as handle:
        json.dump({"history": history.history, "epochs": history.epoch}, handle)
    print("done", flush=True)
""")


def _start(tmp_path, backup, output, save_freq):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    return subprocess.Popen([sys.executable, str(script), ROOT, str(backup), str(output), str(save_freq)],
                            stdout=subprocess.PIPE, text=True)


def _result(output):
    with numpy.load(f"{output}.npz") as arrays:
        weights = [arrays[key] for key in sorted(arrays, key=lambda k: int(k.split("_")[1]))]
    with open(f"{output}.json") as handle:
        return weights, json.load(handle)


def _position(line):
    """(epoch, batch) of a "batch E S" line; "done" sorts after all."""
    parts = line.split()
    return (int(parts[1]), int(parts[2])) if parts[0] == "batch" else (10**9, 0)


@pytest.mark.parametrize("save_freq, kill_points", [(2, [(0, 3), (1, 6), (2, 11), (3, 2)]), ("epoch", [(1, 1), (2, 11)])])
def test_sigkill_at_several_points_then_rerun_resumes_bit_for_bit(tmp_path, save_freq, kill_points):
    reference = _start(tmp_path, tmp_path / "reference_backup", tmp_path / "reference", save_freq)
    reference.communicate()
    assert reference.returncode == 0
    killed, first_lines = 0, []
    for point in kill_points:
        process = _start(tmp_path, tmp_path / "backup", tmp_path / "resumed", save_freq)
        for number, line in enumerate(process.stdout):
            if number == 0:
                first_lines.append(_position(line))
            if _position(line) >= point:
                break
        process.send_signal(signal.SIGKILL)  # wherever the child is by now: a batch, a backup being written
        process.communicate()
        killed += process.returncode == -signal.SIGKILL
    assert killed >= len(kill_points) - 1
    final = _start(tmp_path, tmp_path / "backup", tmp_path / "resumed", save_freq)
    first_lines.append(_position(final.communicate()[0].splitlines()[0]))
    assert final.returncode == 0
    # Each rerun went on from a backup, later than the run before it began: nothing started over.
    assert first_lines[0] == (0, 0)
    assert all(later > earlier for earlier, later in zip(first_lines, first_lines[1:])), first_lines
    reference_weights, reference_history = _result(tmp_path / "reference")
    weights, history = _result(tmp_path / "resumed")
    for expected, got in zip(reference_weights, weights):
        numpy.testing.assert_array_equal(got, expected)
    assert history == reference_history
    assert not (tmp_path / "backup").exists()  # delete_checkpoint=True once fit completes


def _data():
    data = numpy.random.default_rng(0)
    x = data.random((40, 4)).astype("float32")
    return x, (x.sum(axis=1) > 2).astype("float32")


def _model():
    neuroflow.set_random_seed(3)
    model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dropout(0.2),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


class _SendSigint(neuroflow.callbacks.Callback):
    def __init__(self, at, times=1):
        super().__init__()
        self.at, self.times, self.ended = at, times, False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)

    def on_train_end(self, logs=None):
        self.ended = True


def test_ctrl_c_stops_at_the_end_of_the_batch_calls_on_train_end_and_says_where(capsys):
    x, y = _data()
    model = _model()
    sender = _SendSigint(at=(1, 2))
    with pytest.raises(KeyboardInterrupt, match="interrupted \\(Ctrl-C\\) after batch 3 of epoch 2; on_train_end was called"):
        model.fit(x, y, batch_size=8, epochs=5, callbacks=[sender], verbose=0)
    assert sender.ended
    assert model.interrupted_at == (1, 3)
    assert model.optimizer.iterations == 5 + 3
    assert all(numpy.isfinite(w).all() for w in model.get_weights())
    assert model.predict(x, verbose=0).shape == (40, 1)  # the model is usable
    assert "stopping at the end of this batch" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # fit put the handler back


def test_ctrl_c_on_an_epochs_last_batch_lets_the_epoch_end_first():
    x, y = _data()
    model = _model()
    with pytest.raises(KeyboardInterrupt, match="at the end of epoch 1"):
        model.fit(x, y, batch_size=8, epochs=5, callbacks=[_SendSigint(at=(0, 4))], verbose=0)
    assert model.interrupted_at == (1, 0)
    assert len(model.history.history["loss"]) == 1


def test_second_ctrl_c_stops_at_once():
    x, y = _data()
    sender = _SendSigint(at=(0, 1), times=2)
    with pytest.raises(KeyboardInterrupt) as info:
        _model().fit(x, y, batch_size=8, epochs=2, callbacks=[sender], verbose=0)
    assert "interrupted (Ctrl-C)" not in str(info.value)
    assert not sender.ended


@pytest.mark.parametrize("save_freq", ["epoch", 3])
def test_ctrl_c_then_fit_again_with_backup_and_restore_equals_an_uninterrupted_run(tmp_path, save_freq):
    x, y = _data()
    reference = _model()
    reference_history = reference.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0,
                                      callbacks=[neuroflow.callbacks.BackupAndRestore(tmp_path / "a", save_freq)])
    model = _model()
    backup = neuroflow.callbacks.BackupAndRestore(tmp_path / "b", save_freq)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0,
                  callbacks=[backup, _SendSigint(at=(1, 1))])
    assert (tmp_path / "b").exists()  # an interrupted run keeps its backup
    model = _model()
    history = model.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0,
                        callbacks=[neuroflow.callbacks.BackupAndRestore(tmp_path / "b", save_freq)])
    for expected, got in zip(reference.get_weights(), model.get_weights()):
        numpy.testing.assert_array_equal(got, expected)
    assert history.history == reference_history.history


def test_backup_and_restore_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        neuroflow.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq=0"):
        neuroflow.callbacks.BackupAndRestore(tmp_path, save_freq=0)


def test_backup_of_another_model_is_refused(tmp_path):
    x, y = _data()
    model = _model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=2, callbacks=[neuroflow.callbacks.BackupAndRestore(tmp_path),
                                                           _SendSigint(at=(0, 1))], verbose=0)
    other = neuroflow.Sequential([layers.Input((4,)), layers.Dense(1, activation="sigmoid")])
    other.compile("adam", "binary_crossentropy")
    with pytest.raises(ValueError, match="saved from a different model"):
        other.fit(x, y, epochs=1, callbacks=[neuroflow.callbacks.BackupAndRestore(tmp_path)], verbose=0)


@pytest.mark.parametrize("suffix", [".nfz", ".keras", ".h5"])
def test_a_saved_model_resumes_training_with_its_optimizer_state(tmp_path, suffix):
    x, y = _data()
    neuroflow.set_random_seed(3)
    model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / f"model{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if suffix == ".h5" else "error")  # .h5: the legacy-format advice only
        model.save(path)
        loaded = neuroflow.models.load_model(path)
    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    assert loaded.optimizer.iterations == 10
    loaded.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = neuroflow.models.load_model(path)
    fresh.compile("adam", "mse")  # what a file without optimizer state would resume with
    fresh.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    difference = max(numpy.abs(a - b).max() for a, b in zip(model.get_weights(), fresh.get_weights()))
    assert difference > 1e-3  # fresh moments visibly change the run ...
    for expected, got in zip(model.get_weights(), loaded.get_weights()):
        if suffix == ".nfz":  # ... the native file resumes it bit for bit
            numpy.testing.assert_array_equal(got, expected)
        else:  # Keras' layouts store the learning rate as float32: 0.001 comes back 4.7e-11 larger
            numpy.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
