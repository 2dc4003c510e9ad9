"""ModelCheckpoint: file names, save_best_only, save_weights_only, batch frequency."""
import os

import pytest

from neuroflow.callbacks import ModelCheckpoint

from .fake_training import FakeModel, run_fit

LOGS = [{"loss": 1.0, "val_loss": value} for value in (1.0, 1.2, 0.8, 0.9)]


def test_saves_every_epoch_with_formatted_names(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "{epoch:02d}-{val_loss:.2f}.keras")
    run_fit(model, [ModelCheckpoint(path)], LOGS)
    names = [os.path.basename(saved) for _, saved in model.saved]
    assert names == ["01-1.00.keras", "02-1.20.keras", "03-0.80.keras", "04-0.90.keras"]
    assert all(method == "save" for method, _ in model.saved)
    assert sorted(os.listdir(tmp_path)) == sorted(names)


def test_save_best_only_writes_only_improvements(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch:02d}-{val_loss:.2f}.keras"), save_best_only=True)
    run_fit(model, [checkpoint], LOGS)
    assert [os.path.basename(saved) for _, saved in model.saved] == ["01-1.00.keras", "03-0.80.keras"]
    assert checkpoint.best == 0.8


def test_initial_value_threshold_must_be_beaten_first(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True, initial_value_threshold=0.9)
    run_fit(model, [checkpoint], LOGS)
    assert [os.path.basename(saved) for _, saved in model.saved] == ["3.keras"]


def test_max_mode_inferred_for_accuracy(tmp_path):
    model = FakeModel()
    logs = [{"val_accuracy": value} for value in (0.5, 0.4, 0.7, 0.6)]
    run_fit(model, [ModelCheckpoint(str(tmp_path / "{epoch}.keras"), monitor="val_accuracy", save_best_only=True)], logs)
    assert [os.path.basename(saved) for _, saved in model.saved] == ["1.keras", "3.keras"]


def test_save_weights_only_calls_save_weights(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "best.weights.h5")
    run_fit(model, [ModelCheckpoint(path, save_weights_only=True, save_best_only=True)], LOGS)
    assert model.saved == [("save_weights", path), ("save_weights", path)]
    with open(path) as handle:
        assert handle.read() == "weights"


def test_native_suffix_passes_through_and_folders_are_created(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "runs" / "a" / "model-{epoch}.nf")
    run_fit(model, [ModelCheckpoint(path)], LOGS[:1])
    assert model.saved == [("save", str(tmp_path / "runs" / "a" / "model-1.nf"))]
    assert os.path.exists(tmp_path / "runs" / "a" / "model-1.nf")


def test_integer_save_freq_saves_every_n_batches(tmp_path):
    # 3 epochs of 2 batches, save_freq=3: after the 3rd batch (epoch 2, batch 1) and the 6th.
    model = FakeModel()
    path = str(tmp_path / "e{epoch}-b{batch}.keras")
    run_fit(model, [ModelCheckpoint(path, save_freq=3)], LOGS[:3], steps=2)
    assert [os.path.basename(saved) for _, saved in model.saved] == ["e2-b1.keras", "e3-b2.keras"]


@pytest.mark.parametrize("save_freq", ["batch", 0, -2, 1.5, True])
def test_bad_save_freq_is_refused(save_freq):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("model.keras", save_freq=save_freq)


def test_missing_format_field_names_it(tmp_path):
    with pytest.raises(KeyError, match="val_accuracy"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "{val_accuracy:.2f}.keras"))], LOGS[:1])


def test_save_best_only_without_the_monitor_warns_and_saves(tmp_path):
    model = FakeModel()
    with pytest.warns(UserWarning, match="val_loss"):
        run_fit(model, [ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)], [{"loss": 1.0}])
    assert len(model.saved) == 1


def test_directory_path_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="directory"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path))], LOGS[:1])


def test_verbose_messages(tmp_path, capsys):
    run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True, verbose=1)], LOGS[:2])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 1.00000, saving model to" in out
    assert "Epoch 2: val_loss did not improve from 1.00000" in out
