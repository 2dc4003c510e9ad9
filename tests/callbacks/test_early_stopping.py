"""EarlyStopping: Keras 3 stopping rule, restore_best_weights, min_delta, baseline, warm-up, modes."""
import numpy
import pytest

from neuroflow.callbacks import EarlyStopping

from .fake_training import FakeModel, run_fit


def val_loss_logs(values, name="val_loss"):
    return [{"loss": 1.0, name: value} for value in values]


def test_stops_after_patience_epochs_without_improvement():
    # best 0.8 at epoch 1; epochs 2 and 3 do not improve -> wait reaches 2 at epoch 3.
    model = FakeModel()
    stopper = EarlyStopping(patience=2)
    history, epochs_run = run_fit(model, [stopper], val_loss_logs([1.0, 0.8, 0.9, 0.85, 0.7, 0.6]))
    assert epochs_run == 4
    assert stopper.stopped_epoch == 3
    assert stopper.best == 0.8
    assert history.history["val_loss"] == [1.0, 0.8, 0.9, 0.85]
    assert model.weights[0].tolist() == [3.0, 3.0]  # no restore asked


def test_patience_zero_stops_at_first_non_improvement():
    _, epochs_run = run_fit(FakeModel(), [EarlyStopping()], val_loss_logs([1.0, 0.9, 0.95, 0.5]))
    assert epochs_run == 3


def test_restore_best_weights_after_early_stop():
    model = FakeModel()
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    run_fit(model, [stopper], val_loss_logs([1.0, 0.8, 0.9, 0.85, 0.7]))
    # The fake model's weights after epoch e are e: epoch 1 was best.
    assert stopper.best_epoch == 1
    assert model.weights[0].tolist() == [1.0, 1.0]
    assert float(model.weights[1]) == 1.0


def test_restore_best_weights_also_when_training_runs_to_the_end():
    # Keras 3 restores at train end whenever best weights were kept, stopped early or not.
    model = FakeModel()
    stopper = EarlyStopping(patience=5, restore_best_weights=True)
    _, epochs_run = run_fit(model, [stopper], val_loss_logs([1.0, 0.5, 0.9]))
    assert epochs_run == 3 and stopper.stopped_epoch == 0
    assert model.weights[0].tolist() == [1.0, 1.0]


def test_min_delta_ignores_small_improvements():
    # 0.9 is not below 1.0 - 0.15 = 0.85, so epoch 1 is no improvement and patience 1 stops there.
    stopper = EarlyStopping(patience=1, min_delta=-0.15)  # the sign is ignored, as in Keras
    _, epochs_run = run_fit(FakeModel(), [stopper], val_loss_logs([1.0, 0.9, 0.8, 0.7]))
    assert epochs_run == 2
    _, epochs_run = run_fit(FakeModel(), [EarlyStopping(patience=1)], val_loss_logs([1.0, 0.9, 0.8, 0.7]))
    assert epochs_run == 4


def test_baseline_epochs_that_do_not_beat_it_count_towards_patience():
    # With baseline 0.5 the first epoch improves on "nothing" but not on the baseline: wait stays 1,
    # so the worse epoch 1 brings wait to 2 = patience. Without baseline training runs one more epoch.
    values = [0.9, 0.95, 0.97, 0.99, 1.0]
    _, with_baseline = run_fit(FakeModel(), [EarlyStopping(patience=2, baseline=0.5)], val_loss_logs(values))
    _, without = run_fit(FakeModel(), [EarlyStopping(patience=2)], val_loss_logs(values))
    assert (with_baseline, without) == (2, 3)
    # Values that beat the baseline behave as without one.
    _, beating = run_fit(FakeModel(), [EarlyStopping(patience=2, baseline=2.0)], val_loss_logs(values))
    assert beating == 3


def test_start_from_epoch_skips_warm_up_epochs():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    _, epochs_run = run_fit(FakeModel(), [EarlyStopping(start_from_epoch=2)], val_loss_logs(values))
    assert epochs_run == 4  # epoch 2 sets the best, epoch 3 is worse
    _, epochs_run = run_fit(FakeModel(), [EarlyStopping()], val_loss_logs(values))
    assert epochs_run == 2


@pytest.mark.parametrize("name", ["val_accuracy", "val_acc", "val_auc", "val_precision", "binary_accuracy"])
def test_auto_mode_maximizes_accuracy_like_names(name):
    stopper = EarlyStopping(monitor=name)
    _, epochs_run = run_fit(FakeModel(), [stopper], val_loss_logs([0.5, 0.6, 0.55, 0.7], name))
    assert stopper.monitor_op == "max"
    assert epochs_run == 3


@pytest.mark.parametrize("name", ["val_loss", "loss", "val_mean_squared_error", "mae", "val_custom_loss"])
def test_auto_mode_minimizes_loss_like_names(name):
    stopper = EarlyStopping(monitor=name)
    logs = [{name: value} for value in [0.5, 0.4, 0.45]]
    run_fit(FakeModel(), [stopper], logs)
    assert stopper.monitor_op == "min"
    assert stopper.stopped_epoch == 2


def test_explicit_mode_overrides_the_name():
    stopper = EarlyStopping(monitor="val_accuracy", mode="min")
    _, epochs_run = run_fit(FakeModel(), [stopper], val_loss_logs([0.5, 0.6, 0.4], "val_accuracy"))
    assert epochs_run == 2


def test_auto_mode_uses_a_direction_the_model_declares():
    class Score:
        name = "score"
        _direction = "up"

    model = FakeModel()
    model.metrics = [Score()]
    stopper = EarlyStopping(monitor="val_score")
    run_fit(model, [stopper], val_loss_logs([1.0, 2.0], "val_score"))
    assert stopper.monitor_op == "max" and stopper.best == 2.0


def test_auto_mode_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="mode='max'"):
        run_fit(FakeModel(), [EarlyStopping(monitor="val_widgets")], val_loss_logs([1.0], "val_widgets"))


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="unknown"):
        stopper = EarlyStopping(mode="lowest")
    assert stopper.mode == "auto"


def test_missing_monitor_warns_and_never_stops():
    with pytest.warns(UserWarning, match="val_loss.*Available metrics are: loss"):
        _, epochs_run = run_fit(FakeModel(), [EarlyStopping()], [{"loss": 1.0}, {"loss": 2.0}, {"loss": 3.0}])
    assert epochs_run == 3


def test_instance_can_be_reused_across_fits():
    stopper = EarlyStopping(patience=1)
    run_fit(FakeModel(), [stopper], val_loss_logs([0.1, 0.2, 0.3]))
    assert stopper.stopped_epoch == 1
    _, epochs_run = run_fit(FakeModel(), [stopper], val_loss_logs([1.0, 0.9, 0.8]))
    assert epochs_run == 3 and stopper.best == 0.8 and stopper.stopped_epoch == 0


def test_verbose_messages(capsys):
    run_fit(FakeModel(), [EarlyStopping(patience=1, verbose=1, restore_best_weights=True)],
            val_loss_logs([1.0, 2.0, 3.0]))
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


def test_best_weights_are_copies():
    model = FakeModel()
    stopper = EarlyStopping(patience=3, restore_best_weights=True)
    run_fit(model, [stopper], val_loss_logs([1.0, 2.0, 3.0]))
    assert numpy.array_equal(stopper.best_weights[0], [0.0, 0.0])
    assert stopper.best_weights[0] is not model.weights[0]
