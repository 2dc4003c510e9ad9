"""The callback base class: every hook a training run calls, each doing nothing by default.

`CallbackList` (callbacks/callback_list.py) dispatches each hook to a list of callbacks.
"""

# Every hook a callback may define, in the order a training run meets them. LambdaCallback checks its
# keyword arguments against this list.
HOOK_NAMES = (
    "on_train_begin",
    "on_epoch_begin",
    "on_train_batch_begin",
    "on_batch_begin",
    "on_train_batch_end",
    "on_batch_end",
    "on_test_begin",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_test_end",
    "on_epoch_end",
    "on_train_end",
    "on_predict_begin",
    "on_predict_batch_begin",
    "on_predict_batch_end",
    "on_predict_end",
)


class Callback:
    """Base class for objects that hook into `fit`, `evaluate` and `predict`.

    Subclass it and override the hooks you need; every hook does nothing by default. The training loop
    calls `set_model` and `set_params` before the first hook, so `self.model` is the model being
    trained and `self.params` holds `{'verbose', 'epochs', 'steps'}`.

    `logs` is a dict of Python floats: for batch hooks the metrics averaged over the epoch so far, for
    `on_epoch_end` the epoch's metrics plus the `val_`-prefixed validation metrics. Callbacks may add
    keys to the `on_epoch_end` dict (e.g. 'learning_rate'); callbacks later in the list, History
    included, see them.

    Example:

    ```python
    class PrintLoss(neuroflow.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
    ```
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Stores the run's parameters (`verbose`, `epochs`, `steps`) as `self.params`."""
        self.params = params

    def set_model(self, model):
        """Stores the model the callback acts on as `self.model`."""
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or used for prediction."""
        return self._model

    @model.setter
    def model(self, model):
        self._model = model

    def on_batch_begin(self, batch, logs=None):
        """Older name for `on_train_batch_begin`; the default `on_train_batch_begin` calls it."""

    def on_batch_end(self, batch, logs=None):
        """Older name for `on_train_batch_end`; the default `on_train_batch_end` calls it."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch of `fit`.

        Args:
            epoch: index of the epoch, from 0.
            logs: currently empty.
        """

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch of `fit`, after validation.

        Args:
            epoch: index of the epoch, from 0.
            logs: the epoch's metrics, e.g. `{'loss': 0.2, 'accuracy': 0.9, 'val_loss': 0.3}`.
        """

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch in `fit`.

        Args:
            batch: index of the batch within the epoch, from 0.
            logs: currently empty.
        """
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch in `fit`.

        Args:
            batch: index of the batch within the epoch, from 0.
            logs: the metrics averaged over the epoch's batches so far.
        """
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before a batch of `evaluate`, and of validation inside `fit`."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after a batch of `evaluate` (and of validation inside `fit`), with averaged metrics."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a batch of `predict`; `logs` holds `{'outputs': ...}` for the batch."""

    def on_train_begin(self, logs=None):
        """Called once at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called once at the end of `fit`, with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate`, and of validation inside `fit`."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` (and of validation inside `fit`), with the final metrics."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""
