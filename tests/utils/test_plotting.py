import sys

import pytest

from neuroflow.utils import plot_history

HISTORY = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7], "accuracy": [0.5, 0.7, 0.8],
           "val_accuracy": [0.45, 0.6, 0.65]}


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "neuroflow\[plot\]"'):
        plot_history(HISTORY)


def test_bad_history_and_metric_names():
    with pytest.raises(TypeError, match="History"):
        plot_history([1, 2, 3])
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        plot_history(HISTORY, metrics=["acuracy"])
    with pytest.raises(ValueError, match="no recorded values"):
        plot_history({"loss": []})


def test_draws_training_and_validation_per_epoch_and_saves_png(tmp_path):
    pytest.importorskip("matplotlib")

    class History:
        history = HISTORY

    path = tmp_path / "curves.png"
    figure = plot_history(History(), path=str(path), title="run 1")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = figure.axes
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    lines = axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["training", "validation"]
    assert list(lines[0].get_xdata()) == [1, 2, 3] and list(lines[1].get_ydata()) == [1.1, 0.8, 0.7]
    only_loss = plot_history(HISTORY, metrics="loss")
    assert len(only_loss.axes) == 1
    no_validation = plot_history({"loss": [0.3, 0.2]})
    assert [line.get_label() for line in no_validation.axes[0].get_lines()] == ["training"]
