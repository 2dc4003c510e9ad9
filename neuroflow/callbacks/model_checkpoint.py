"""ModelCheckpoint: saves the model or its weights during `fit`, every epoch or every N batches."""
import numbers
import os
import warnings

import numpy

from neuroflow.callbacks.monitor_callback import MonitorCallback, available_metrics_text


class ModelCheckpoint(MonitorCallback):
    """Saves the model (`model.save`) or its weights (`model.save_weights`) while training.

    `filepath` may hold format fields filled from the epoch (counted from 1), the batch (counted from
    1, when saving every N batches) and the logs: `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"` becomes
    `ckpt-03-0.41.keras`. Missing folders are created. Keras 3 file suffixes ('.keras',
    '.weights.h5') and neuroflow's own are passed through to the model's save methods unchanged.

    With `save_best_only=True` a file is written only when `monitor` improves on the best value so
    far (`current < best` in 'min' mode, `current > best` in 'max' mode), starting from
    `initial_value_threshold` when given.

    Args:
        filepath: path or format string for the file to write.
        monitor: log name to compare when `save_best_only`. Defaults to 'val_loss'.
        verbose: 1 prints a message per save decision. Defaults to 0.
        save_best_only: save only when `monitor` improves.
        save_weights_only: call `model.save_weights(path)` instead of `model.save(path)`.
        mode: 'min', 'max' or 'auto' (inferred from the name of `monitor`).
        save_freq: 'epoch' to save at each epoch end, or a positive integer N to save after every N
            training batches.
        initial_value_threshold: the best value to beat before the first save, with `save_best_only`.

    Raises:
        ValueError: for a `save_freq` that is neither 'epoch' nor a positive integer.
        KeyError: when `filepath` names a field that is not in the logs.

    Example:

    ```python
    checkpoint = neuroflow.callbacks.ModelCheckpoint(
        "best.keras", monitor="val_accuracy", mode="max", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[checkpoint])
    ```
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__(monitor=monitor, mode=mode, baseline=initial_value_threshold)
        if save_freq != "epoch" and not (
            isinstance(save_freq, numbers.Integral) and not isinstance(save_freq, bool) and save_freq > 0
        ):
            raise ValueError(
                f"ModelCheckpoint expects save_freq to be 'epoch' or a positive integer (a number of "
                f"batches); got save_freq={save_freq!r}."
            )
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        # A batch index that did not grow means a new epoch began: count its batches from 0.
        if batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch, batch, logs):
        """The filepath with `{epoch}`, `{batch}` and log fields filled in."""
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f"ModelCheckpoint could not format filepath {self.filepath!r}: field {error} is not "
                f"in the logs. Available fields: {', '.join(sorted(fields))}."
            ) from None

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available. "
                          + available_metrics_text(self.monitor, logs), stacklevel=3)
            return True
        if numpy.ndim(current) > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        current = float(current)
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_text} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                f"ModelCheckpoint needs a file path, but filepath {filepath!r} is an existing "
                "directory; add a file name such as 'model.keras'."
            )
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
