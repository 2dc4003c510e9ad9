"""ProgbarLogger: prints 'Epoch i/n' and a progress bar with the metrics for each epoch."""
from neuroflow.callbacks.callback import Callback
from neuroflow.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints the progress of `fit`, `evaluate` and `predict` with a `Progbar`.

    `fit` adds one when `verbose != 0`. Each epoch prints `Epoch 1/5` (when there is more than one
    epoch), then the bar; the validation metrics appear on the epoch's final line:

        Epoch 1/5
        469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.9251 - loss: 0.2638 - val_accuracy: 0.9580 - val_loss: 0.1409

    Validation inside `fit` draws no bar of its own. The run's `params` give `verbose` (1 live bar,
    2 one line per epoch, 'auto' meaning 1), `epochs` and `steps` (None when unknown).
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs") or 1
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        # Inside fit, validation runs evaluate's hooks; its batches must not draw a second bar.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        # The batch's predictions are not metrics: show the count only.
        self._update_progbar(batch, None)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _update_progbar(self, batch, logs):
        logs = logs or {}
        self._maybe_init_progbar()
        self.seen = batch + 1  # batch indices start at 0
        # fit and evaluate pass metrics already averaged over the epoch: show them as given.
        self.progbar.stateful_metrics.update(logs.keys())
        if self.verbose == 1:
            self.progbar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize_progbar(self, logs):
        logs = logs or {}
        self._maybe_init_progbar()
        if self.target is None:
            # Steps unknown up front: the epoch's length is what was seen.
            self.progbar.target = self.seen
        target = self.progbar.target
        self.progbar.update(target, list(logs.items()), finalize=True)
