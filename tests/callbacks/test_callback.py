"""Callback base hooks and CallbackList dispatch."""
import numpy
import pytest

from neuroflow.callbacks import Callback, CallbackList, History, ProgbarLogger

from .fake_training import FakeModel, run_fit


class Recorder(Callback):
    """Records every hook call as (hook name, positional args)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name.startswith("on_") and callable(attribute):
            calls = super().__getattribute__("calls")

            def recorded(*args, **kwargs):
                calls.append((name,) + args)
                return attribute(*args, **kwargs)

            return recorded
        return attribute

    # Implemented (if only to record): CallbackList calls a batch hook only on the callbacks that implement it.
    def on_train_batch_begin(self, batch, logs=None):
        super().on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs=logs)


def test_every_hook_is_dispatched_in_order():
    recorder = Recorder()
    callbacks = CallbackList([recorder])
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    callbacks.on_test_begin()
    callbacks.on_test_batch_begin(0)
    callbacks.on_test_batch_end(0, {"loss": 2.0})
    callbacks.on_test_end({"loss": 2.0})
    callbacks.on_epoch_end(0, {"loss": 1.0})
    callbacks.on_train_end({"loss": 1.0})
    callbacks.on_predict_begin()
    callbacks.on_predict_batch_begin(0)
    callbacks.on_predict_batch_end(0, {"outputs": numpy.zeros(3)})
    callbacks.on_predict_end()
    callbacks.on_batch_begin(5)
    callbacks.on_batch_end(5, {"loss": 3.0})
    names = [call[0] for call in recorder.calls]
    assert names == [
        "on_train_begin", "on_epoch_begin",
        # the default on_train_batch_* call the legacy on_batch_* aliases
        "on_train_batch_begin", "on_batch_begin", "on_train_batch_end", "on_batch_end",
        "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
        "on_epoch_end", "on_train_end",
        "on_predict_begin", "on_predict_batch_begin", "on_predict_batch_end", "on_predict_end",
        "on_batch_begin", "on_batch_end",
    ]
    assert recorder.calls[1] == ("on_epoch_begin", 0, {})
    assert recorder.calls[-1][:2] == ("on_batch_end", 5)


def test_legacy_on_batch_end_receives_train_batch_logs():
    seen = []

    class Legacy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, dict(logs)))

    CallbackList([Legacy()]).on_train_batch_end(3, {"loss": 0.5})
    assert seen == [(3, {"loss": 0.5})]


def test_default_callbacks_added_after_user_callbacks_once():
    user = Recorder()
    callbacks = CallbackList([user], add_history=True, add_progbar=True)
    assert callbacks.callbacks[0] is user
    assert isinstance(callbacks.callbacks[1], History)
    assert isinstance(callbacks.callbacks[2], ProgbarLogger)
    assert len(callbacks.callbacks) == 3

    history = History()
    callbacks = CallbackList([history], add_history=True)
    assert callbacks.callbacks == [history]

    assert CallbackList(None).callbacks == []
    assert len(CallbackList([[user], Recorder()]).callbacks) == 2  # nested lists flatten


def test_model_and_params_reach_every_callback():
    model = FakeModel()
    user = Recorder()
    callbacks = CallbackList([user], add_history=True, model=model, verbose=0, epochs=3, steps=7)
    assert user.model is model
    assert user.params == {"verbose": 0, "epochs": 3, "steps": 7}
    assert model.history is callbacks.callbacks[1]
    assert model.history.params["epochs"] == 3

    late = Recorder()
    callbacks.append(late)
    assert late.model is model and late.params["steps"] == 7


def test_non_callback_item_is_refused():
    with pytest.raises(TypeError, match="item 1 is str"):
        CallbackList([Recorder(), "early_stopping"])
    with pytest.raises(TypeError, match="got int"):
        CallbackList(3)


def test_batch_logs_become_python_floats():
    seen = []

    class Keep(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs)

    CallbackList([Keep()]).on_train_batch_end(
        0, {"loss": numpy.float32(0.25), "accuracy": numpy.array(0.5), "outputs": {"mae": numpy.float64(2.0)}}
    )
    assert seen == [{"accuracy": 0.5, "loss": 0.25, "mae": 2.0}]
    assert all(type(value) is float for value in seen[0].values())


def test_epoch_logs_are_shared_so_later_callbacks_see_additions():
    class AddKey(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["extra"] = 10.0 * epoch

    history, _ = run_fit(FakeModel(), [AddKey()], [{"loss": 1.0}, {"loss": 0.5}])
    assert history.history == {"loss": [1.0, 0.5], "extra": [0.0, 10.0]}


def test_batch_hooks_reach_only_the_callbacks_that_implement_them():
    class OlderName(Callback):  # the pre-Keras-2 names: the default on_train_batch_* calls them
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_batch_end(self, batch, logs=None):
            self.seen.append((batch, logs))

    class Untouched(Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise AssertionError("not reached: overridden below by the instance")

    older, empty, untouched = OlderName(), Callback(), Untouched()
    seen_by_lambda = []
    from neuroflow.callbacks import LambdaCallback
    lambda_callback = LambdaCallback(on_train_batch_end=lambda batch, logs: seen_by_lambda.append(batch))
    untouched.on_train_batch_end = lambda batch, logs=None: None
    callbacks = CallbackList([older, empty, untouched, lambda_callback])
    assert callbacks._listening("on_train_batch_end", "on_batch_end") == [older, untouched, lambda_callback]
    assert callbacks._listening("on_train_batch_begin", "on_batch_begin") == []
    callbacks.on_train_batch_end(3, {"loss": numpy.float32(0.5)})
    assert older.seen == [(3, {"loss": 0.5})] and type(older.seen[0][1]["loss"]) is float
    assert seen_by_lambda == [3]
    late = OlderName()
    callbacks.append(late)  # a callback added later is heard too
    callbacks.on_train_batch_end(4, {"loss": 1.0})
    assert late.seen == [(4, {"loss": 1.0})]
