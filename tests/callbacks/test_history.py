"""History records the epoch logs of fit."""
import sys
import types

from neuroflow.callbacks import History

from .fake_training import FakeModel, run_fit


def test_history_collects_epoch_logs():
    model = FakeModel()
    logs = [{"loss": 1.0, "val_loss": 1.5}, {"loss": 0.5, "val_loss": 1.25}, {"loss": 0.25, "val_loss": 1.0}]
    history, epochs_run = run_fit(model, [], logs, steps=4)
    assert epochs_run == 3
    assert isinstance(history, History)
    assert history.history == {"loss": [1.0, 0.5, 0.25], "val_loss": [1.5, 1.25, 1.0]}
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 4}
    assert history.model is model


def test_user_history_accumulates_across_fits_and_epoch_list_restarts():
    history = History()
    model = FakeModel()
    run_fit(model, [history], [{"loss": 1.0}])
    run_fit(model, [history], [{"loss": 0.5}, {"loss": 0.25}])
    assert model.history is history
    assert history.history == {"loss": [1.0, 0.5, 0.25]}
    assert history.epoch == [0, 1]


def test_plot_calls_plot_history_lazily(monkeypatch):
    calls = []
    fake_plotting = types.ModuleType("neuroflow.utils.plotting")
    fake_plotting.plot_history = lambda history, *args, **kwargs: calls.append((history, args, kwargs)) or "figure"
    monkeypatch.setitem(sys.modules, "neuroflow.utils.plotting", fake_plotting)
    history = History()
    assert history.plot("loss", figsize=(4, 3)) == "figure"
    assert calls == [(history, ("loss",), {"figsize": (4, 3)})]
