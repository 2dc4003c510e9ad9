"""LambdaCallback calls the given functions from the right hooks."""
import pytest

from neuroflow.callbacks import LambdaCallback

from .fake_training import FakeModel, run_fit


def test_functions_are_called_with_the_hook_arguments():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        on_train_end=lambda logs: calls.append(("train_end", logs["loss"])),
        on_test_end=lambda logs: calls.append(("test_end", logs["loss"])),
    )
    run_fit(FakeModel(), [callback], [{"loss": 0.5, "val_loss": 0.75}], steps=2)
    assert calls == [
        "train_begin",
        ("epoch_begin", 0),
        ("batch_begin", 0), ("batch_end", 0, 0.5),
        ("batch_begin", 1), ("batch_end", 1, 0.5),
        ("test_end", 0.75),
        ("epoch_end", 0, 0.75),
        ("train_end", 0.5),
    ]


def test_hooks_not_given_do_nothing():
    calls = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append(epoch))
    assert callback.on_train_begin({}) is None
    assert callback.on_predict_batch_end(0, {}) is None
    assert calls == []


def test_unknown_hook_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'on_epoch_end'"):
        LambdaCallback(on_epoch_ends=print)


def test_non_callable_is_refused():
    with pytest.raises(TypeError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end="print")
