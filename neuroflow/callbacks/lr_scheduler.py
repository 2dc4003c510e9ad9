"""LearningRateScheduler: sets the optimizer's learning rate at the start of each epoch."""
import inspect

import numpy

from neuroflow.callbacks.callback import Callback

HOST_NUMPY = "reads the logs and learning rates as host numbers"  # numpy here works on host data (tests/test_backend_seam.py)


def get_learning_rate(optimizer):
    """The optimizer's current learning rate as a Python float.

    Raises:
        ValueError: when the optimizer has no `learning_rate` attribute.
    """
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"The optimizer ({type(optimizer).__name__}) must have a `learning_rate` attribute for "
            "learning-rate callbacks to read and set it."
        )
    return float(numpy.asarray(optimizer.learning_rate))


def _takes_learning_rate(schedule):
    """Whether `schedule` accepts (epoch, lr) rather than only (epoch)."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):
        return True  # builtins without a signature: try the two-argument form
    try:
        signature.bind(0, 0.0)
        return True
    except TypeError:
        return False


class LearningRateScheduler(Callback):
    """Sets the learning rate from `schedule` at the start of every epoch.

    Each epoch begins with `lr = schedule(epoch, lr)` (epoch counted from 0, `lr` the current
    rate), or `lr = schedule(epoch)` for a one-argument function, and
    `model.optimizer.learning_rate = lr`. The epoch logs gain a 'learning_rate' entry, so
    `history.history['learning_rate']` records the rate used in each epoch.

    Args:
        schedule: function of the epoch index (and the current learning rate) returning the new
            learning rate as a number.
        verbose: 1 prints the rate set at each epoch. Defaults to 0.

    Raises:
        ValueError: when `schedule` returns something that is not a real number.

    Example:

    ```python
    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    callback = neuroflow.callbacks.LearningRateScheduler(scheduler)
    model.fit(x, y, epochs=15, callbacks=[callback], verbose=0)
    ```
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError(
                f"LearningRateScheduler expects schedule to be a function of (epoch, lr) or (epoch); "
                f"got {type(schedule).__name__}."
            )
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        current = get_learning_rate(optimizer)
        if _takes_learning_rate(self.schedule):
            learning_rate = self.schedule(epoch, current)
        else:
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, (bool, str, bytes)) or numpy.ndim(learning_rate) != 0:
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate!r}")
        try:
            learning_rate = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate!r}"
            ) from None
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)
