"""BackupAndRestore: survive a killed `fit` by resuming from the last backup, bit for bit."""
import io
import json
import os
import shutil
import zipfile

import numpy

from neuroflow.callbacks.callback import Callback
from neuroflow.utils.atomic_file import write_atomically

HOST_NUMPY = "reads the logs and learning rates as host numbers"  # numpy here works on host data (tests/test_backend_seam.py)

_STATE_FILE = "training_state.npz"


class BackupAndRestore(Callback):
    """Backs up the training state during `fit`; a later `fit` with the same callback resumes from it.

    As Keras' callback of that name, with a stronger promise: the backup holds not only the weights
    and the epoch, but everything the next batches depend on (training/training_state.py): the
    optimizer's slots and step count, neuroflow's random generator and every layer's SeedGenerator
    stream, the running metric totals, the epoch and batch, and the History so far. So a run killed
    at any point (SIGKILL included) and started again with the same script and seed ends with the
    weights and History of an uninterrupted run, bit for bit. With `save_freq=N` the resumed run
    goes on at the batch after the last backup, in the same shuffled order; Keras restarts the epoch.
    The backup is one file replaced atomically, so a kill while it is written leaves the previous one.

    The History returned by the resumed fit holds the epochs before the interruption as well (Keras'
    holds only the resumed epochs). State kept by other callbacks (EarlyStopping's patience counter,
    ReduceLROnPlateau's) is not part of the backup, as in Keras.

    Args:
        backup_dir: folder for the backup; used by this callback only.
        save_freq: 'epoch' (at the end of each epoch) or an integer N (every N batches).
        double_checkpoint: accepted for Keras compatibility: the atomic replace already keeps one valid
            backup at every moment.
        delete_checkpoint: remove the backup when fit completes (not when it is interrupted).

    Example:

    ```python
    backup = neuroflow.callbacks.BackupAndRestore("run/backup", save_freq=100)
    model.fit(x, y, epochs=10, callbacks=[backup])   # run again after a crash: it resumes
    ```
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError("Invalid value for argument `save_freq`. Received: save_freq="
                             f"{save_freq!r}. Expected either 'epoch' or a positive integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._state_path = os.path.join(self.backup_dir, _STATE_FILE)
        self._resume = None

    # ---- restoring -----------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._batches_since_save = 0
        self._epoch = 0
        self._epoch_random_state = None
        self._resume = None
        if not os.path.exists(self._state_path):
            return
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built before you call `fit()`. "
                             f"Model '{self.model.name}' is unbuilt. You can build it beforehand by calling it on a "
                             "batch of data.")
        arrays, description = _read_state(self._state_path)
        self.model._restore_training_state(arrays, description)
        self._resume = (arrays, description)
        object.__setattr__(self.model, "_initial_epoch", description["epoch"])
        object.__setattr__(self.model, "_initial_step", description["step"])

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        if self._resume is not None:
            arrays, description = self._resume
            # The History of the epochs before the interruption, then the random streams as they were
            # when this epoch began, so that its shuffled order is drawn again.
            history = getattr(self.model, "history", None)
            if history is not None:
                history.epoch = list(description["history_epochs"])
                history.history = {key: list(values) for key, values in description["history"].items()}
            self.model._set_random_state(description["epoch_random_state"])
            if description["step"] == 0:
                self._resume = None
        self._epoch_random_state = self.model._random_state()

    def on_train_batch_begin(self, batch, logs=None):
        if self._resume is not None:
            # Resumed mid-epoch: the batches before this one were passed over unrun; the random
            # streams and metric totals go back to where the backup left them.
            arrays, description = self._resume
            self.model._set_random_state(description["random"])
            self.model._restore_training_state(arrays, description, metrics=True)
            self._resume = None

    # ---- saving --------------------------------------------------------------------------------

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        last = self.params.get("steps") if isinstance(self.params, dict) else None
        # The epoch's last batch is backed up at the epoch's end, once its validation has run.
        if self._batches_since_save >= self.save_freq and (last is None or batch + 1 < last):
            self._batches_since_save = 0
            self._save(self._epoch, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq != "epoch":
            if self._batches_since_save < self.save_freq:
                return  # the last batch was not due (or was backed up already: the step count is unknown)
            self._batches_since_save = 0
        self._save(epoch + 1, 0, logs=logs)

    def on_train_end(self, logs=None):
        interrupted = getattr(self.model, "interrupted_at", None)
        if interrupted is not None:
            # Ctrl-C stopped at the end of a batch or an epoch: back up exactly there.
            self._save(*interrupted)
        elif self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)

    def _save(self, epoch, step, logs=None):
        """Backs up the state after `step` batches of `epoch` (step 0: at its start)."""
        arrays, description = self.model._training_state()
        history = getattr(self.model, "history", None)
        epochs = list(getattr(history, "epoch", []))
        recorded = {key: [float(v) for v in values] for key, values in getattr(history, "history", {}).items()}
        if logs is not None and epoch - 1 not in epochs:
            # At an epoch's end History may not have seen its logs yet (it runs after this callback).
            epochs.append(epoch - 1)
            for key, value in logs.items():
                recorded.setdefault(key, []).append(float(value))
        description.update(epoch=epoch, step=step, history_epochs=epochs, history=recorded,
                           epoch_random_state=self._epoch_random_state if step else description["random"])
        os.makedirs(self.backup_dir, exist_ok=True)
        write_atomically(self._state_path, lambda path: _write_state(path, arrays, description))


def _write_state(path, arrays, description):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("description.json", json.dumps(description))
        for name, array in arrays.items():
            buffer = io.BytesIO()
            numpy.save(buffer, array, allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())


def _read_state(path):
    try:
        with zipfile.ZipFile(path) as archive:
            description = json.loads(archive.read("description.json"))
            arrays = {name[:-4]: numpy.load(io.BytesIO(archive.read(name)), allow_pickle=False)
                      for name in archive.namelist() if name.endswith(".npy")}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ValueError(f"The backup {path!r} cannot be read ({type(error).__name__}: {error}); delete it to start "
                         "training afresh") from None
    return arrays, description
