"""ReduceLROnPlateau: patience, cooldown, min_lr, min_delta, modes."""
import pytest

from neuroflow.callbacks import ReduceLROnPlateau

from .fake_training import FakeModel, run_fit


def flat(epochs, value=1.0, name="val_loss"):
    return [{"loss": 1.0, name: value} for _ in range(epochs)]


def test_halves_the_rate_after_patience_flat_epochs():
    # Epoch 0 sets the best; epochs 1, 2 wait -> reduce at 2; epochs 3, 4 wait -> reduce at 4.
    model = FakeModel(learning_rate=1.0)
    history, _ = run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=2)], flat(6))
    assert model.optimizer.learning_rate == 0.25
    # The logged rate is the one used in the epoch (read before reducing).
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_cooldown_delays_counting_after_a_reduction():
    # No cooldown: reductions at epochs 2, 4, 6. Cooldown 2: at 2, then epoch 3 is cooldown,
    # epoch 4 ends the cooldown (wait stays 0), epochs 4..5 wait -> reduction at 5.
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=2)], flat(7))
    assert model.optimizer.learning_rate == 0.125
    model = FakeModel(learning_rate=1.0)
    history, _ = run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2)], flat(7))
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_min_lr_bounds_the_rate():
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.3)], flat(8))
    assert model.optimizer.learning_rate == 0.3


def test_improvements_smaller_than_min_delta_do_not_count():
    logs = [{"val_loss": 1.0 - 1e-5 * epoch} for epoch in range(3)]
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(patience=2)], logs)
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(patience=2, min_delta=0.0)], logs)
    assert model.optimizer.learning_rate == 1.0


def test_real_improvements_reset_the_wait():
    logs = [{"val_loss": value} for value in (1.0, 1.0, 0.5, 0.5, 0.25)]
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(patience=2)], logs)
    assert model.optimizer.learning_rate == 1.0


def test_accuracy_is_maximized_in_auto_mode():
    logs = [{"val_accuracy": value} for value in (0.5, 0.6, 0.7)]  # rising: no reduction
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [ReduceLROnPlateau(monitor="val_accuracy", patience=1)], logs)
    assert model.optimizer.learning_rate == 1.0
    run_fit(model, [ReduceLROnPlateau(monitor="val_accuracy", patience=1, mode="min")], logs)
    assert model.optimizer.learning_rate == pytest.approx(0.01)


def test_factor_of_one_or_more_is_refused():
    with pytest.raises(ValueError, match="factor=1.5"):
        ReduceLROnPlateau(factor=1.5)


def test_missing_monitor_warns_but_still_logs_the_rate():
    model = FakeModel(learning_rate=0.5)
    with pytest.warns(UserWarning, match="val_loss"):
        history, _ = run_fit(model, [ReduceLROnPlateau(patience=0)], [{"loss": 1.0}] * 2)
    assert history.history["learning_rate"] == [0.5, 0.5]


def test_verbose_message(capsys):
    run_fit(FakeModel(learning_rate=1.0), [ReduceLROnPlateau(factor=0.5, patience=1, verbose=1)], flat(2))
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5." in capsys.readouterr().out
