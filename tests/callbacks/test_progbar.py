"""Progbar and ProgbarLogger output, compared with the lines Keras 3 prints."""
import re

import pytest

from neuroflow.callbacks import CallbackList, Progbar, ProgbarLogger
from neuroflow.utils import progbar as progbar_module
from neuroflow.utils.progbar import format_time_per_unit, format_value

from .fake_training import FakeModel, run_fit

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FULL_BAR = "━" * 20


class FakeClock:
    """Stands in for the `time` module inside progbar: time moves only when told."""

    def __init__(self, now=100.0):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "time", fake)
    return fake


@pytest.fixture
def terminal(monkeypatch):
    """Makes the progress bar believe stdout is a terminal."""
    monkeypatch.setattr(progbar_module, "_is_interactive", lambda: True)


@pytest.mark.parametrize(
    "value, text",
    [(0.26384, "0.2638"), (0.92512, "0.9251"), (12.0, "12.0000"), (-0.5, "-0.5000"),
     (2.5e-05, "2.5000e-05"), (0.001, "1.0000e-03"), (0.0, "0.0000e+00"), (-3e-4, "-3.0000e-04")],
)
def test_values_are_formatted_like_keras(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    "seconds, text",
    [(2.0, "2s/step"), (1.0, "1s/step"), (0.0, "0s/step"), (0.004, "4ms/step"), (0.0015, "2ms/step"),
     (0.00035, "350us/step")],
)
def test_time_per_step_unit_follows_magnitude(seconds, text):
    assert format_time_per_unit(seconds) == text


def test_verbose_1_final_line_off_a_terminal(clock, capsys):
    bar = Progbar(target=469, stateful_metrics=["accuracy", "loss"])
    for step in range(1, 470):
        clock.now += 0.004
        bar.update(step, [("accuracy", 0.92512), ("loss", 0.26384)])
    out = capsys.readouterr().out
    # Off a terminal only the final line prints (intermediate ones at most every 30 s), no colours.
    assert out == f"469/469 {FULL_BAR} 2s 4ms/step - accuracy: 0.9251 - loss: 0.2638\n"


def test_non_terminal_prints_a_line_every_30_seconds(clock, capsys):
    bar = Progbar(target=10)
    for step in range(1, 11):
        clock.now += 7.0
        bar.update(step, [("loss", 1.0)])
    lines = capsys.readouterr().out.splitlines()
    # Updates at 35 s and 70 s since the start: one intermediate line, then the final one.
    assert len(lines) == 2
    assert lines[0].startswith(" 5/10 " + "━" * 10 + "─" * 10 + " 35s ")  # ETA 5 steps * 7 s
    assert lines[1].startswith(f"10/10 {FULL_BAR} 70s 7s/step")


def test_verbose_1_on_a_terminal_redraws_with_eta_and_colours(clock, terminal, capsys):
    bar = Progbar(target=10, interval=0.0)
    clock.now = 101.0
    bar.update(1, [("loss", 1.0)])  # 1 s for the first step: ETA 9 s
    clock.now = 101.5
    bar.update(2, [("loss", 4.0)])  # later steps exclude the first: 0.5 s/step, ETA 4 s
    clock.now = 105.0
    bar.update(10, [("loss", 0.25)])  # 4 s over 9 steps after the first
    out = capsys.readouterr().out
    frames = out.split("\r")[1:]
    assert len(frames) == 3
    plain = [ANSI.sub("", frame) for frame in frames]
    assert plain[0].rstrip() == " 1/10 " + FULL_BAR + " 9s 1s/step - loss: 1.0000"
    # Averaged over the 2 steps seen: (1.0 * 1 + 4.0 * 1) / 2.
    assert plain[1].rstrip() == " 2/10 " + FULL_BAR + " 4s 500ms/step - loss: 2.5000"
    # The final update shows its values as given, the elapsed time, and ends the line.
    assert plain[2] == "10/10 " + FULL_BAR + " 5s 444ms/step - loss: 0.2500\n"
    assert "\x1b[32m" + "━" * 2 + "\x1b[0m" in frames[0] + frames[1]  # the done part is green


def test_terminal_redraws_are_throttled_to_the_interval(clock, terminal, capsys):
    bar = Progbar(target=100, interval=0.05)
    for step in range(1, 101):
        clock.now += 0.01
        bar.update(step)
    out = capsys.readouterr().out
    # One redraw per 0.05 s over 1 s, the first update and the final one always.
    assert 18 <= out.count("\r") <= 22
    assert out.endswith("\n") and out.count("\n") == 1


def test_shorter_line_blanks_the_rest_of_the_previous_one(clock, terminal, capsys):
    bar = Progbar(target=4, interval=0.0)
    bar.update(1, [("phase", "warming up the long way")])
    first = ANSI.sub("", capsys.readouterr().out)[1:]
    bar.update(2, [("phase", "run")])  # non-numeric values show as given
    second = ANSI.sub("", capsys.readouterr().out)[1:]
    assert second.rstrip() == "2/4 " + FULL_BAR + " 0s 0s/step - phase: run"
    assert len(second) == len(first)


def test_stateless_metrics_are_weighted_by_steps(clock, terminal, capsys):
    bar = Progbar(target=10, interval=0.0)
    bar.update(1, [("loss", 1.0)])
    bar.update(4, [("loss", 4.0)])  # weight 3
    out = ANSI.sub("", capsys.readouterr().out)
    assert out.split("\r")[-1].rstrip().endswith("loss: 3.2500")  # (1 + 12) / 4


def test_verbose_2_prints_one_line_at_the_end(clock, capsys):
    bar = Progbar(target=10, verbose=2)
    for step in range(1, 11):
        clock.now += 0.5
        bar.update(step, [("loss", 0.5), ("mae", 1e-5)])
        if step < 10:
            assert capsys.readouterr().out == ""
    assert capsys.readouterr().out == "10/10 - 5s - 500ms/step - loss: 0.5000 - mae: 1.0000e-05\n"


def test_verbose_0_is_silent(capsys):
    bar = Progbar(target=3, verbose=0)
    for step in range(1, 4):
        bar.update(step, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_unknown_target(clock, capsys):
    bar = Progbar(target=None)
    bar.add(3)
    bar.add(2, [("loss", 0.5)])
    assert capsys.readouterr().out == ""
    bar.update(5, [("loss", 0.5)], finalize=True)
    assert capsys.readouterr().out.startswith("      5/Unknown 0s ")


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="verbose"):
        Progbar(10, verbose=3)
    with pytest.raises(ValueError, match="target"):
        Progbar(-1)
    with pytest.raises(ValueError, match="not both"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])


# ProgbarLogger inside a fit-like loop.

LOGS = [
    {"accuracy": 0.92512, "loss": 0.26384, "val_accuracy": 0.958, "val_loss": 0.1409},
    {"accuracy": 0.95, "loss": 0.15, "val_accuracy": 0.96, "val_loss": 0.13},
]


def test_logger_prints_epoch_headers_and_validation_on_the_final_line(capsys):
    run_fit(FakeModel(), [], LOGS, steps=3, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(
        rf"3/3 {FULL_BAR} \d+s \d+(us|ms|s)/step - accuracy: 0\.9251 - loss: 0\.2638"
        r" - val_accuracy: 0\.9580 - val_loss: 0\.1409",
        lines[1],
    )
    assert lines[2] == "Epoch 2/2"
    assert "- accuracy: 0.9500 - loss: 0.1500 - val_accuracy: 0.9600 - val_loss: 0.1300" in lines[3]
    assert len(lines) == 4  # validation draws no bar of its own


def test_logger_verbose_2_one_line_per_epoch(capsys):
    run_fit(FakeModel(), [], LOGS, steps=3, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step - accuracy: 0\.9251 - loss: 0\.2638 - "
                        r"val_accuracy: 0\.9580 - val_loss: 0\.1409", lines[1])
    assert len(lines) == 4


def test_logger_single_epoch_has_no_header_and_unknown_steps_use_the_count(capsys):
    run_fit(FakeModel(), [], LOGS[:1], steps=None, batches=5, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"5/5 {FULL_BAR} ")


def test_logger_for_evaluate_and_predict(capsys):
    callbacks = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=4)
    callbacks.on_test_begin()
    for step in range(4):
        callbacks.on_test_batch_begin(step)
        callbacks.on_test_batch_end(step, {"loss": 0.5, "accuracy": 0.75})
    callbacks.on_test_end({"loss": 0.5, "accuracy": 0.75})
    callbacks.on_predict_begin()
    for step in range(4):
        callbacks.on_predict_batch_end(step, {"outputs": [[1.0]]})
    callbacks.on_predict_end()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(rf"4/4 {FULL_BAR} \d+s \d+(us|ms|s)/step - accuracy: 0\.7500 - loss: 0\.5000", lines[0])
    assert re.fullmatch(rf"4/4 {FULL_BAR} \d+s \d+(us|ms|s)/step", lines[1])


def test_logger_verbose_auto_means_1():
    logger = ProgbarLogger()
    logger.set_params({"verbose": "auto", "epochs": 3, "steps": 10})
    assert (logger.verbose, logger.epochs, logger.target) == (1, 3, 10)
