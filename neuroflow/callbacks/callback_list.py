"""`CallbackList`: a list of callbacks that dispatches every hook to each member in order.

It lives beside, not inside, callback.py because it adds the default History and ProgbarLogger,
which are themselves Callbacks.
"""
from neuroflow.callbacks.callback import Callback
from neuroflow.callbacks.history import History
from neuroflow.callbacks.progbar_logger import ProgbarLogger


def _overrides(callback, hook):
    """Whether `callback` does something in `hook`: its class overrides it, or the instance sets it (LambdaCallback)."""
    return getattr(type(callback), hook, None) is not getattr(Callback, hook) or hook in vars(callback)


def _flatten_callbacks(callbacks):
    """The callbacks as a flat list, refusing anything that is not a Callback."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            "callbacks must be a list of neuroflow.callbacks.Callback instances; "
            f"got {type(callbacks).__name__}."
        )
    flat = []
    for index, item in enumerate(callbacks):
        if isinstance(item, (list, tuple)):
            flat.extend(_flatten_callbacks(item))
        elif isinstance(item, Callback):
            flat.append(item)
        else:
            raise TypeError(
                "callbacks must be a list of neuroflow.callbacks.Callback instances; "
                f"item {index} is {type(item).__name__} ({item!r}). Subclass Callback, or wrap "
                "functions in LambdaCallback."
            )
    return flat


def _pythonify_logs(logs):
    """Batch logs with scalar values as Python floats, nested dicts flattened, keys sorted.

    Arrays (ndim > 0) and strings pass through unchanged.
    """
    result = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(_pythonify_logs(value))
            continue
        if getattr(value, "ndim", 0) == 0 and not isinstance(value, (str, bytes)):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass  # a scalar that is not a number passes through unchanged
        result[key] = value
    return result


class CallbackList(Callback):
    """A list of callbacks that is itself a callback: each hook is called on every member in order.

    Args:
        callbacks: a list of `Callback` instances (nested lists are flattened), or None.
        add_history: whether to append a `History` when the list holds none.
        add_progbar: whether to append a `ProgbarLogger` when the list holds none.
        model: the model the callbacks act on; when given, `model.history` is set to the History.
        **params: the run's parameters (`verbose`, `epochs`, `steps`), passed to every callback.

    Raises:
        TypeError: when an item of `callbacks` is not a `Callback`.

    Example:

    ```python
    callbacks = CallbackList([EarlyStopping()], add_history=True, model=model,
                             verbose=0, epochs=10, steps=100)
    callbacks.on_train_begin()
    for epoch in range(10):
        callbacks.on_epoch_begin(epoch)
        ...
        callbacks.on_epoch_end(epoch, {"loss": 0.1, "val_loss": 0.2})
    callbacks.on_train_end()
    ```
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten_callbacks(callbacks)
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        # History goes before the progress bar and after the user's callbacks, so it records keys
        # that user callbacks add to the epoch logs (e.g. 'learning_rate'), as Keras does.
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback):
        """Adds one callback at the end, giving it the list's model and params."""
        (callback,) = _flatten_callbacks([callback])
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # Hooks. The same logs dict goes to every callback, so additions made by one are seen by the next.

    def on_train_begin(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        logs = _pythonify_logs(logs or {})
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._listening("on_train_batch_begin", "on_batch_begin"):
            callback.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        listening = self._listening("on_train_batch_end", "on_batch_end")
        if not listening:
            return
        logs = _pythonify_logs(logs or {})
        for callback in listening:
            callback.on_train_batch_end(batch, logs=logs)

    def _listening(self, hook, older_name):
        """The callbacks whose `hook` does something: overridden, or its older name that the default calls.

        fit calls the batch hooks every step and most callbacks (History among them) leave them empty;
        skipping those is a few microseconds a step that a small model feels. Cached for the list's
        current members (Keras decides which batch hooks to call once, too).
        """
        members = tuple(self.callbacks)
        cached = self.__dict__.setdefault("_listeners", {}).get(hook)
        if cached is None or cached[0] != members:
            cached = self._listeners[hook] = (members, [callback for callback in members if
                                                        _overrides(callback, hook) or _overrides(callback, older_name)])
        return cached[1]

    def on_test_begin(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = _pythonify_logs(logs or {})
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_begin(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        # Predictions stay arrays: no float conversion here.
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs)
