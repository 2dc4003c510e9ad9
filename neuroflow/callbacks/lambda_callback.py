"""LambdaCallback: a callback built from plain functions, one per hook."""
from neuroflow.callbacks.callback import HOOK_NAMES, Callback
from neuroflow.utils.errors import unknown_name_error
from neuroflow.utils.options import forwarded_arguments, parameter_names


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given, for quick one-off callbacks.

    The functions receive the hook's arguments positionally, except batch hooks' `logs`, which
    comes by keyword:

    - `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`
    - `on_train_begin(logs)`, `on_train_end(logs)`
    - `on_train_batch_begin(batch, logs=...)`, `on_train_batch_end(batch, logs=...)`
    - any other hook of `Callback` by keyword, e.g. `on_test_end=lambda logs: ...`.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: functions for those hooks, or None.
        **kwargs: functions for other hooks, keyed by hook name.

    Raises:
        ValueError: for a keyword that is not a hook name.
        TypeError: for a value that is not callable.

    Example:

    ```python
    print_batch = neuroflow.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: print(batch))
    model.fit(x, y, callbacks=[print_batch])
    ```
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        for name in kwargs:
            if name not in HOOK_NAMES:
                raise unknown_name_error("callback hook", name, HOOK_NAMES)
        hooks = forwarded_arguments(_SIGNATURE_HOOKS, locals())  # the signature's hooks, then **kwargs
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"LambdaCallback expects {name} to be a function; got {type(function).__name__}."
                )
            # An instance attribute shadows the method of the same name.
            setattr(self, name, function)


# The hooks Keras names in LambdaCallback's signature, read off it, in its order.
_SIGNATURE_HOOKS = parameter_names(LambdaCallback.__init__)
