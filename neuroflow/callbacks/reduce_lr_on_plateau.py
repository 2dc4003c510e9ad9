"""ReduceLROnPlateau: lowers the learning rate when a monitored quantity stops improving."""
import warnings

import numpy

from neuroflow.callbacks.lr_scheduler import get_learning_rate
from neuroflow.callbacks.monitor_callback import MonitorCallback, available_metrics_text


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    At each epoch end `monitor` is compared with the best value so far (improvement: `current <
    best - min_delta` in 'min' mode, `current > best + min_delta` in 'max' mode). An improvement
    resets `wait`; otherwise `wait` grows by one, and when it reaches `patience` the rate becomes

        new_lr = max(lr * factor, min_lr)

    (only while `lr > min_lr`), `wait` returns to 0 and `cooldown` epochs follow in which `wait`
    stays at 0. The epoch logs gain a 'learning_rate' entry with the rate used in that epoch.

    Args:
        monitor: log name to watch. Defaults to 'val_loss'.
        factor: multiplier of the learning rate, below 1. Defaults to 0.1.
        patience: epochs without improvement before reducing. Defaults to 10.
        verbose: 1 prints a message on each reduction. Defaults to 0.
        mode: 'min', 'max' or 'auto' (inferred from the name of `monitor`).
        min_delta: least change that counts as an improvement. Defaults to 1e-4.
        cooldown: epochs to wait after a reduction before counting again. Defaults to 0.
        min_lr: lower bound of the learning rate. Defaults to 0.

    Raises:
        ValueError: when `factor >= 1`.

    Example:

    ```python
    reduce_lr = neuroflow.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
                                                      min_lr=0.001)
    model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    ```
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        if kwargs:
            # Keras 3 accepts and ignores extra keywords (old scripts pass e.g. `epsilon`); say so.
            warnings.warn(
                f"ReduceLROnPlateau ignores the unknown keyword arguments: {', '.join(sorted(kwargs))}.",
                stacklevel=2,
            )
        super().__init__(monitor=monitor, mode=mode, baseline=None, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        """Whether the callback is in the cooldown period after a reduction."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        logs["learning_rate"] = get_learning_rate(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                "available. " + available_metrics_text(self.monitor, logs),
                stacklevel=2,
            )
            return
        if self.monitor_op is None:
            self._set_monitor_op()

        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0

        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = get_learning_rate(self.model.optimizer)
                # The rate is stored in float32: compare with min_lr at that precision, or a rate
                # already clipped to min_lr would keep "reducing" by rounding error.
                if old_lr > float(numpy.float32(self.min_lr)):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
