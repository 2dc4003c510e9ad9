"""TerminateOnNaN: stops training as soon as a batch loss is NaN or infinite."""
import math

from neuroflow.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops `fit` when a training batch reports a NaN or infinite 'loss'.

    By default it sets `model.stop_training = True`, so training ends after the current batch and
    every callback's `on_train_end` still runs. With `raise_error=True` it raises instead.

    Args:
        raise_error: raise a RuntimeError rather than stopping gracefully. Defaults to False.

    Raises:
        RuntimeError: with `raise_error=True`, at the first NaN or infinite loss.

    Example:

    ```python
    model.fit(x, y, callbacks=[neuroflow.callbacks.TerminateOnNaN()])
    ```
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
