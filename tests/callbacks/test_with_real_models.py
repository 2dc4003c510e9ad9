"""Callbacks inside a real fit: their effects on real models, weights, files and learning rates."""
import csv

import numpy
import pytest

from neuroflow import callbacks, layers, models, optimizers


@pytest.fixture
def problem(rng):
    x = rng.normal(size=(200, 5)).astype("float32")
    y = (x @ rng.normal(size=(5, 1))).astype("float32")
    return x[:150], y[:150], x[150:], y[150:]


def _model(learning_rate=0.01):
    model = models.Sequential([layers.Dense(16, activation="relu", input_shape=(5,)), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse", metrics=["mae"])
    return model


def test_early_stopping_restores_the_best_weights(problem):
    x, y, x_val, y_val = problem
    model = _model(learning_rate=0.3)  # large steps: validation loss rises after a while
    snapshots = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(
        (logs["val_loss"], model.get_weights())))
    stopper = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=60, batch_size=16, verbose=0,
                        callbacks=[record, stopper])
    best_loss, best_weights = min(snapshots, key=lambda item: item[0])
    assert len(history.history["loss"]) < 60 or stopper.stopped_epoch == 0
    for restored, best in zip(model.get_weights(), best_weights):
        numpy.testing.assert_array_equal(restored, best)
    assert model.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(best_loss, rel=1e-5)


def test_model_checkpoint_writes_only_improved_checkpoints(problem, tmp_path):
    x, y, x_val, y_val = problem
    model = _model()
    losses = []
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}.keras"), monitor="val_loss",
                                           save_best_only=True)
    record = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["val_loss"]))
    model.fit(x, y, validation_data=(x_val, y_val), epochs=6, verbose=0, callbacks=[checkpoint, record])
    improved = [epoch + 1 for epoch, loss in enumerate(losses) if loss == min(losses[:epoch + 1])]
    written = sorted(int(p.stem.split("-")[1]) for p in tmp_path.glob("m-*.keras"))
    assert written == improved
    best = models.load_model(tmp_path / f"m-{written[-1]:02d}.keras")
    assert best.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(min(losses), rel=1e-5)


def test_reduce_lr_on_plateau_lowers_the_rate(problem):
    x, y, _, _ = problem
    model = _model()
    # The first epoch sets the baseline; with this min_delta no later epoch counts as an improvement.
    reducer = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1e9)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[reducer])
    assert model.optimizer.learning_rate == pytest.approx(0.01 * 0.5 ** 2)
    # Keras logs the rate each epoch was trained with, before that epoch's reduction.
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005])


def test_learning_rate_scheduler_and_csv_logger(problem, tmp_path):
    x, y, x_val, y_val = problem
    model = _model()
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    logger = callbacks.CSVLogger(str(tmp_path / "log.csv"))
    model.fit(x, y, validation_data=(x_val, y_val), epochs=3, verbose=0, callbacks=[schedule, logger])
    assert model.optimizer.learning_rate == pytest.approx(0.1 / 3)
    with open(tmp_path / "log.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert {"loss", "mae", "val_loss", "val_mae"} <= set(rows[0])


def test_terminate_on_nan_stops_training(problem):
    x, y, _, _ = problem
    model = _model(learning_rate=1e6)  # diverges to inf / NaN within a few steps
    history = model.fit(x * 1e3, y, epochs=5, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.history.get("loss", [])) <= 1
    assert model.stop_training


def test_every_hook_is_called_in_order(problem):
    x, y, x_val, y_val = problem
    calls = []

    class Recorder(callbacks.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                calls.append(name)
            return super().__getattribute__(name)

        # Implemented: fit calls a batch hook only on the callbacks that implement it.
        def on_train_batch_begin(self, batch, logs=None):
            pass

        def on_train_batch_end(self, batch, logs=None):
            pass

    model = _model()
    model.fit(x[:32], y[:32], batch_size=16, validation_data=(x_val, y_val), epochs=1, verbose=0,
              callbacks=[Recorder()])
    model.predict(x[:16], verbose=0, callbacks=[Recorder()])
    assert calls[0] == "on_train_begin" and calls[1] == "on_epoch_begin"
    assert calls.count("on_train_batch_end") == 2 and "on_test_begin" in calls and "on_test_end" in calls
    assert calls.index("on_epoch_end") > calls.index("on_test_end")
    assert "on_train_end" in calls and "on_predict_begin" in calls and "on_predict_batch_end" in calls
