"""A fake model and a fit-like driver loop that call the callback hooks with scripted logs.

The model has exactly the interface the callbacks use: `stop_training`, `optimizer.learning_rate`,
`get_weights` / `set_weights`, `save`, `save_weights`. Its weights after epoch `e` are `[e, e]`
(as float arrays), so a restored weight names the epoch it came from.
"""
import numpy

from neuroflow.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate=0.01):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [numpy.zeros(2), numpy.zeros(())]
        self.saved = []  # (method, path) for each save call

    def get_weights(self):
        # Deliberately the live arrays, as a model whose variables update in place might return:
        # callbacks must copy what they keep.
        return self.weights

    def set_weights(self, weights):
        for variable, value in zip(self.weights, weights):
            variable[...] = value

    def save(self, filepath):
        self.saved.append(("save", filepath))
        with open(filepath, "w") as handle:
            handle.write("model")

    def save_weights(self, filepath):
        self.saved.append(("save_weights", filepath))
        with open(filepath, "w") as handle:
            handle.write("weights")


def run_fit(model, callbacks, epoch_logs, steps=2, batch_logs=None, verbose=0, epochs=None, batches=None):
    """Drives the hooks like `fit`: one epoch per entry of `epoch_logs` unless stopped early.

    Args:
        model: a FakeModel.
        callbacks: list of callbacks.
        epoch_logs: list of dicts, the logs each epoch ends with.
        steps: the `steps` param (None: unknown).
        batch_logs: function (epoch, step) -> batch logs; defaults to the epoch's train keys.
        verbose: passed in params; a ProgbarLogger is added when nonzero.
        epochs: the `epochs` param; defaults to len(epoch_logs).
        batches: batches run per epoch; defaults to `steps`.

    Returns:
        (history, epochs_run): the History callback and the number of epochs that ran.
    """
    epochs = len(epoch_logs) if epochs is None else epochs
    batches = steps if batches is None else batches
    callback_list = CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=model,
        verbose=verbose, epochs=epochs, steps=steps,
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs = None
    epochs_run = 0
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        for variable in model.weights:
            variable[...] = epoch  # "training" moves the weights
        for step in range(batches):
            callback_list.on_train_batch_begin(step)
            if batch_logs is not None:
                step_logs = batch_logs(epoch, step)
            else:
                step_logs = {k: v for k, v in epoch_logs[epoch].items() if not k.startswith("val_")}
            callback_list.on_train_batch_end(step, step_logs)
            if model.stop_training:
                break
        val_logs = {k[4:]: v for k, v in epoch_logs[epoch].items() if k.startswith("val_")}
        if val_logs:
            callback_list.on_test_begin()
            callback_list.on_test_batch_begin(0)
            callback_list.on_test_batch_end(0, val_logs)
            callback_list.on_test_end(val_logs)
        logs = dict(epoch_logs[epoch])
        callback_list.on_epoch_end(epoch, logs)
        epochs_run += 1
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history, epochs_run
