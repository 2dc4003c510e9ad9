"""History: the per-epoch record of every logged metric that `fit` returns."""
from neuroflow.callbacks.callback import Callback


class History(Callback):
    """Records the epoch logs of `fit`; `fit` adds one to every run and returns it.

    Attributes:
        history: dict mapping each log name ('loss', 'accuracy', 'val_loss', ...) to the list of its
            values, one per epoch.
        epoch: list of the epoch indices (from 0) recorded by the latest `fit`.
        params: the run's parameters (`verbose`, `epochs`, `steps`).
        model: the model trained.

    Example:

    ```python
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    history.history["loss"]      # [0.71, 0.52, 0.43]
    history.epoch                # [0, 1, 2]
    history.plot()               # loss and metric curves (needs matplotlib)
    ```
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)
        # Keras points model.history at the History that recorded the latest fit.
        if self.model is not None:
            self.model.history = self

    def plot(self, *args, **kwargs):
        """Plots the recorded curves with `neuroflow.utils.plotting.plot_history(self, ...)`.

        Args:
            *args, **kwargs: passed to `plot_history`.

        Returns:
            What `plot_history` returns.
        """
        # Looked up when called, so that a plotting module put in sys.modules in its place (a test's
        # stand-in, a headless setup's) is the one used.
        from neuroflow.utils.plotting import plot_history

        return plot_history(self, *args, **kwargs)
