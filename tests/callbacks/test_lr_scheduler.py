"""LearningRateScheduler sets the optimizer's rate each epoch and logs it."""
import numpy
import pytest

from neuroflow.callbacks import LearningRateScheduler

from .fake_training import FakeModel, run_fit

LOGS = [{"loss": 1.0}] * 3


def test_two_argument_schedule_halves_the_rate():
    model = FakeModel(learning_rate=0.01)
    history, _ = run_fit(model, [LearningRateScheduler(lambda epoch, lr: lr * 0.5)], LOGS)
    assert model.optimizer.learning_rate == pytest.approx(0.00125)
    assert history.history["learning_rate"] == pytest.approx([0.005, 0.0025, 0.00125])


def test_one_argument_schedule():
    model = FakeModel()
    history, _ = run_fit(model, [LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], LOGS)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_schedule_sees_epoch_index_and_numpy_floats_are_accepted():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return numpy.float32(0.25)

    model = FakeModel(learning_rate=1.0)
    run_fit(model, [LearningRateScheduler(schedule)], LOGS[:2])
    assert seen == [(0, 1.0), (1, 0.25)]
    assert type(model.optimizer.learning_rate) is float


def test_type_error_inside_a_schedule_is_not_swallowed():
    def schedule(epoch, lr):
        return "fast" + lr

    with pytest.raises(TypeError):
        run_fit(FakeModel(), [LearningRateScheduler(schedule)], LOGS)


@pytest.mark.parametrize("bad", ["0.1", None, [0.1, 0.2]])
def test_non_number_result_is_refused(bad):
    with pytest.raises(ValueError, match="should be a float"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: bad)], LOGS)


def test_verbose_message(capsys):
    run_fit(FakeModel(), [LearningRateScheduler(lambda epoch: 0.5, verbose=1)], LOGS[:1])
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.5." in capsys.readouterr().out
