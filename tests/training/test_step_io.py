"""training/step_io.py: a step's data, and fit's steps whose logs nobody reads (metrics read once an epoch)."""
import numpy
import pytest

import neuroflow
from neuroflow import callbacks, layers, models
from neuroflow.training import step_io
from neuroflow.training.trainer import Trainer


def _fitted(callback_list, epochs=3, model_class=models.Sequential, sample_weight=None):
    neuroflow.random.set_random_seed(3)
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(90, 5)).astype("float32")
    labels = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 0.5).astype(int)
    model = model_class([layers.Input((5,)), layers.Dense(7, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", neuroflow.metrics.SparseTopKCategoricalAccuracy(k=2)])
    history = model.fit(x, labels, batch_size=16, epochs=epochs, verbose=0, callbacks=callback_list,
                        sample_weight=sample_weight)
    return model, history


def _count_results(monkeypatch):
    calls = []
    original = Trainer.get_metrics_result

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Trainer, "get_metrics_result", counting)
    return calls


def test_step_data_matches_what_keras_steps_receive():
    x, y, w = numpy.zeros(2), numpy.ones(2), numpy.full(2, 2.0)
    assert step_io.step_data(x, None, None) is x
    assert step_io.step_data((x, y), None, None) == ((x, y),)
    assert step_io.step_data(x, y, None) == (x, y)
    assert step_io.step_data(x, y, w) == (x, y, w)


def test_unread_step_logs_give_the_same_history_and_weights_as_read_ones():
    batch_logs = []
    listening = [callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batch_logs.append(logs))]
    quiet_model, quiet = _fitted(None)
    read_model, read = _fitted(listening)
    assert len(batch_logs) == 3 * 6  # the listener saw every step: fit took the logged path
    assert quiet.history == read.history  # the same floats, bit for bit
    assert batch_logs[-1] == {key: values[-1] for key, values in read.history.items()}
    for a, b in zip(quiet_model.get_weights(), read_model.get_weights()):
        numpy.testing.assert_array_equal(a, b)


def test_weighted_unread_steps_match_read_ones():
    weights = numpy.linspace(0.5, 2.0, 90)
    _, quiet = _fitted(None, sample_weight=weights)
    _, read = _fitted([callbacks.LambdaCallback(on_batch_end=lambda batch, logs: None)], sample_weight=weights)
    assert quiet.history == read.history


def test_metrics_are_read_once_an_epoch_when_no_callback_reads_step_logs(monkeypatch, on_numpy):
    calls = _count_results(monkeypatch)
    _fitted([callbacks.History(), callbacks.EarlyStopping(monitor="loss", patience=5)], epochs=4)
    assert len(calls) == 4


@pytest.mark.parametrize("hook", ["on_train_batch_end", "on_batch_end"])
def test_a_batch_end_hook_gets_every_step_logs(monkeypatch, hook):
    calls = _count_results(monkeypatch)
    seen = []

    class Listener(callbacks.Callback):
        pass

    setattr(Listener, hook, lambda self, batch, logs=None: seen.append(sorted(logs)))
    _fitted([Listener()], epochs=2)
    assert len(calls) == 2 * 6
    assert seen[0] == ["accuracy", "loss", "sparse_top_k_categorical_accuracy"]


def test_an_overridden_compute_metrics_runs_every_step():
    steps = []

    class Counting(models.Sequential):
        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            steps.append(1)
            return super().compute_metrics(x, y, y_pred, sample_weight)

    _, history = _fitted(None, epochs=2, model_class=Counting)
    assert len(steps) == 2 * 6
    assert len(history.history["loss"]) == 2


def test_on_a_device_every_step_is_logged(monkeypatch, on_numpy):
    # A device's deferred data checks run with each step's logs (training/step_io.py).
    calls = _count_results(monkeypatch)
    monkeypatch.setattr("neuroflow.backend.on_device", lambda: True)
    assert not step_io.step_logs_unread(models.Sequential([layers.Dense(2)]), Trainer,
                                        callbacks.CallbackList([], model=None))
    assert calls == []


def test_an_overridden_train_step_keeps_its_own_logs():
    class Custom(models.Sequential):
        def train_step(self, data):
            logs = super().train_step(data)
            return {**logs, "custom": 7.0}

    _, history = _fitted(None, epochs=2, model_class=Custom)
    assert history.history["custom"] == [7.0, 7.0]
