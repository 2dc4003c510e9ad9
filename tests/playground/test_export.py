"""Export as Python: the script runs, and trains to the test loss the playground showed."""
import pathlib
import re
import subprocess
import sys

import pytest

from neuroflow.playground.session import TrainingSession

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_script(source, tmp_path):
    path = tmp_path / "playground_run.py"
    path.write_text(source)
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    found = re.search(r"epochs: (\d+)  train loss: ([\d.]+)  test loss: ([\d.]+)", result.stdout)
    assert found, result.stdout
    return int(found[1]), float(found[2]), float(found[3])


@pytest.mark.parametrize("changes", [
    {},
    {"dataset": "spiral", "noise": 10, "features": ["x1", "x2", "sin_x1", "sin_x2"], "hidden_layers": [6, 4],
     "activation": "relu", "regularization": "l2", "regularization_rate": 0.001, "optimizer": "adam",
     "initializer": "he", "dropout": [0.1, 0.0], "learning_rate": 0.01, "seed": 7, "train_percent": 70},
    {"dataset": "multi_gauss", "hidden_layers": [5], "activation": "sigmoid", "optimizer": "momentum",
     "initializer": "small_normal", "regularization": "l1", "regularization_rate": 0.003, "batch_size": 30},
])
def test_the_exported_script_trains_to_the_playgrounds_test_loss(tmp_path, changes):
    session = TrainingSession()
    session.apply(changes)
    for _ in range(12):
        session.train_epoch()
    epochs, train_loss, test_loss = run_script(session.export_python(), tmp_path)
    # Same data, same seed, same draws: the script's run is the playground's, to the printed digits.
    assert epochs == 12
    assert train_loss == pytest.approx(session.train_loss, abs=1e-4)
    assert test_loss == pytest.approx(session.test_loss, abs=1e-4)


def test_a_script_of_a_run_changed_midway_lands_within_the_seed_spread(tmp_path):
    """A learning-rate change mid-run is not replayed (the script uses the final rate): within seed spread."""
    losses = []
    for seed in (1, 2, 3):
        session = TrainingSession()
        session.apply({"seed": seed, "learning_rate": 0.1, "hidden_layers": [6, 6]})
        for _ in range(30):
            session.train_epoch()
        losses.append(session.test_loss)
    session = TrainingSession()
    session.apply({"learning_rate": 0.3, "hidden_layers": [6, 6]})
    for _ in range(5):
        session.train_epoch()
    session.apply({"learning_rate": 0.1})
    for _ in range(25):
        session.train_epoch()
    script = session.export_python()
    assert "not replayed: learning_rate 0.3 -> 0.1 at epoch 5" in script
    _epochs, _train, test_loss = run_script(script, tmp_path)
    spread = max(losses) - min(losses)
    assert min(losses) - spread <= test_loss <= max(losses) + spread
    assert abs(test_loss - session.test_loss) <= max(spread, 0.02)


def test_an_uploaded_csv_travels_inside_the_script(tmp_path):
    session = TrainingSession()
    session.upload("x1,x2,label\n" + "\n".join(f"{i / 10},{(i * 7 % 13) / 3 - 2},{int(i % 4 < 2)}" for i in range(40)))
    for _ in range(3):
        session.train_epoch()
    script = session.export_python()
    assert "DATA = np.array([" in script
    _epochs, _train, test_loss = run_script(script, tmp_path)
    assert test_loss == pytest.approx(session.test_loss, abs=1e-4)
