"""EarlyStopping: stops `fit` when a monitored quantity has stopped improving."""
import warnings

from neuroflow import backend
from neuroflow.callbacks.monitor_callback import MonitorCallback, available_metrics_text


def _snapshot_weights(model):
    """Copies of the model's weights: variables update in place, so kept references would drift."""
    return [backend.to_numpy(weight).copy() for weight in model.get_weights()]


class EarlyStopping(MonitorCallback):
    """Stops training once `monitor` has not improved for `patience` epochs.

    At the end of each epoch (from `start_from_epoch` on) the monitored value is compared with the
    best so far: in 'min' mode it improves when `current < best - min_delta`, in 'max' mode when
    `current > best + min_delta`. Each epoch without improvement adds one to `wait`; an improvement
    resets `wait` to 0 only if it also improves on `baseline` (when given). Once `wait >= patience`
    (and after the first epoch), `model.stop_training` is set and `fit` ends after this epoch.

    With `restore_best_weights=True` the weights of the best epoch are kept and put back when
    training ends, whether it stopped early or ran all its epochs (Keras 3 behaviour).

    Args:
        monitor: log name to watch. Defaults to 'val_loss'.
        min_delta: least change that counts as an improvement. Defaults to 0.
        patience: epochs without improvement before stopping. Defaults to 0.
        verbose: 1 prints a message when stopping and restoring. Defaults to 0.
        mode: 'min', 'max' or 'auto' (from the name: losses and errors are minimized, accuracy,
            AUC, precision, recall ... maximized).
        baseline: a value the monitored quantity must improve on; epochs that do not count
            towards `patience` even when they beat the previous best.
        restore_best_weights: whether to put back the weights of the best epoch at the end.
        start_from_epoch: number of warm-up epochs that are not monitored.

    Raises:
        ValueError: at the first epoch end, when mode='auto' cannot tell the direction of `monitor`.

    Example:

    ```python
    callback = neuroflow.callbacks.EarlyStopping(monitor="loss", patience=3)
    history = model.fit(x, y, epochs=10, callbacks=[callback], verbose=0)
    len(history.history["loss"])  # fewer than 10 when the loss stalls for 3 epochs
    ```
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor=monitor, mode=mode, baseline=None, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Reset so that one instance can serve several fits.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing kept yet: the current weights are the best so far.
            self.best_weights = _snapshot_weights(self.model)
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _snapshot_weights(self.model)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value from `logs`, or None (with a warning naming the available keys)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                + available_metrics_text(self.monitor, logs),
                stacklevel=2,
            )
        return value
