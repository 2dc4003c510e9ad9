"""SwapEMAWeights: evaluates and predicts with the optimizer's moving averages of the weights."""
from neuroflow.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's EMA weights around evaluation and prediction.

    The optimizer must be built with `use_ema=True`. Validation inside `fit`, `evaluate` and
    `predict` then see the averaged weights; training continues on the raw ones. With
    `swap_on_epoch=True` the averages are also swapped in at each epoch's end (so checkpoint
    callbacks listed after this one save them) and out again at the next epoch's start; after the
    last epoch they stay in.

    Args:
        swap_on_epoch: also swap at epoch boundaries (default False).

    Example:

    ```python
    model.compile(optimizer=neuroflow.optimizers.SGD(use_ema=True), loss="mse")
    model.fit(x, y, validation_data=(xv, yv), callbacks=[neuroflow.callbacks.SwapEMAWeights()])
    ```
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _pairs(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: "
                             f"use_ema={getattr(optimizer, 'use_ema', None)}")
        return optimizer.moving_average_pairs()

    def _swap(self):
        for variable, average in self._pairs():
            held = variable.value.copy()
            variable.value[...] = average
            average[...] = held

    def _finalize(self):
        # The averages are now the weights; make the optimizer's final copy (fit's end) a no-op.
        for variable, average in self._pairs():
            average[...] = variable.value

    def _swap_in(self):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _swap_out(self):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        # Keras 3.15 tests `not in model` here and so leaves the averages in after predict; this swaps back.
        self._swap_out()
