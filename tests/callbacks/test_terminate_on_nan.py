"""TerminateOnNaN stops training at a NaN or infinite batch loss."""
import math

import pytest

from neuroflow.callbacks import TerminateOnNaN

from .fake_training import FakeModel, run_fit

LOGS = [{"loss": 1.0}] * 4


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_stops_at_the_first_bad_batch(bad, capsys):
    seen = []

    def batch_logs(epoch, step):
        seen.append((epoch, step))
        return {"loss": bad if (epoch, step) == (1, 0) else 0.5}

    model = FakeModel()
    _, epochs_run = run_fit(model, [TerminateOnNaN()], LOGS, steps=3, batch_logs=batch_logs)
    assert model.stop_training is True
    assert epochs_run == 2
    assert seen[-1] == (1, 0)  # no batch after the bad one
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_finite_losses_do_not_stop():
    model = FakeModel()
    _, epochs_run = run_fit(model, [TerminateOnNaN()], LOGS, steps=3)
    assert epochs_run == 4 and model.stop_training is False


def test_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        run_fit(FakeModel(), [TerminateOnNaN(raise_error=True)], LOGS, steps=3,
                batch_logs=lambda epoch, step: {"loss": math.nan if step == 1 else 0.5})
