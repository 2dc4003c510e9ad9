"""The lecture-figure examples of issue 11 run on small slices, return their figures and write their PNGs."""
import importlib.util
import math
import pathlib
import re
import sys

import pytest

from tests.conftest import shared_data_path

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parents[2] / "examples"
try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False


def _load(name):
    """Imports examples/<name>.py as a module (examples/ is not a package)."""
    if str(EXAMPLES_DIR) not in sys.path:
        sys.path.insert(0, str(EXAMPLES_DIR))
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(name, tmp_path, **kwargs):
    module = _load(name)
    assert isinstance(module.EXPECTED, str) and module.EXPECTED
    result = module.main(verbose=0, plot_dir=str(tmp_path), **kwargs)
    assert isinstance(result["measured"], str) and result["measured"]
    if HAVE_MATPLOTLIB:
        path = pathlib.Path(result["plot"])
        assert path.parent == tmp_path and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return result


def _needs(file_name):
    return pytest.mark.skipif(shared_data_path(file_name) is None,
                              reason=f"{file_name} is not in ../shared/data or NEUROFLOW_DATA_DIR (offline copy absent)")


@pytest.fixture
def data_dir(monkeypatch):
    path = shared_data_path("mnist.npz") or shared_data_path("imdb.npz")
    if path is not None:
        monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(path.parent))


def test_perceptron(tmp_path):
    result = _run("perceptron", tmp_path, epochs=300, max_epochs=30)
    assert result["perceptrons"]["AND"]["converged"] and result["perceptrons"]["OR"]["converged"]
    assert not result["perceptrons"]["XOR"]["converged"] and result["perceptrons"]["XOR"]["epochs"] == 30
    assert result["mlp_accuracy"] == 1.0


def test_backprop_worked_example(tmp_path):
    result = _run("backprop_worked_example", tmp_path)
    assert result["max_difference"] < 1e-8
    assert result["figures"]["w5+"] == pytest.approx(0.35891648, abs=1e-8)


def test_gradient_check_cost(tmp_path):
    result = _run("gradient_check_cost", tmp_path, samples=16, widths=(2, 4), entries=2)
    assert result["all_passed"] and len(result["networks"]) == 2
    assert all(row["numeric_seconds"] > 0 and row["backprop_seconds"] > 0 for row in result["networks"])
    assert math.isfinite(result["numeric_slope"])


def test_activation_histograms(tmp_path):
    result = _run("activation_histograms", tmp_path, samples=200)
    by_label = {entry["label"]: entry["layers"] for entry in result["settings"]}
    assert len(by_label) == 5 and all(len(rows) == 5 for rows in by_label.values())
    assert by_label["sigmoid, N(0, 1)"][-1]["saturated_fraction"] > 0.3
    assert by_label["sigmoid, N(0, 0.01)"][-1]["std"] < 0.02


def test_optimizer_paths(tmp_path):
    result = _run("optimizer_paths", tmp_path, epochs=30)
    assert set(result["paths"]) == {"SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"}
    assert result["paths"]["SGD"].shape == (31, 2) and tuple(result["paths"]["SGD"][0]) == (-7.0, 2.0)
    # SGD's y flips sign every step (lr 0.95 on the y^2 term: y <- -0.9 y); AdaGrad's never does.
    assert result["y_sign_changes"]["SGD"] == 30 and result["y_sign_changes"]["AdaGrad"] == 0
    assert result["detour"]["SGD"] > 3 > result["detour"]["AdaGrad"]


@_needs("mnist.npz")
def test_vanishing_gradients(tmp_path, data_dir):
    result = _run("vanishing_gradients", tmp_path, epochs=1, samples=256)
    sigmoid, relu = result["networks"]["sigmoid, Glorot"], result["networks"]["ReLU, He"]
    assert len(sigmoid["norms"]) == 2 and len(sigmoid["norms"][0]) == 7
    assert sigmoid["first_to_last"] < 0.05 < relu["first_to_last"]


@_needs("mnist.npz")
def test_lr_schedules(tmp_path, data_dir):
    result = _run("lr_schedules", tmp_path, epochs=3, samples=300)
    runs = result["runs"]
    assert list(runs) == ["fixed", "performance-based", "exponential", "power"]
    assert runs["fixed"]["rates"] == pytest.approx([0.2] * 3)
    assert runs["power"]["rates"][-1] < runs["power"]["rates"][0] < 0.2
    assert runs["exponential"]["rates"][-1] == pytest.approx(0.02, rel=1e-6)  # 0.2 * 0.1 after all the epochs


@_needs("imdb.npz")
def test_overfitting_cures(tmp_path, data_dir):
    result = _run("overfitting_cures", tmp_path, epochs=2, samples=300)
    assert list(result["runs"]) == ["original", "smaller", "L2", "dropout"]
    assert all(len(run["val_loss"]) == 2 for run in result["runs"].values())


def test_run_all_update_keeps_the_other_rows(tmp_path):
    run_all = _load("run_all")
    output = tmp_path / "RESULTS.md"
    plots = str(tmp_path / "plots")
    run_all.main(["--only", "backprop_worked_example", "--output", str(output), "--plot-dir", plots])
    run_all.main(["--only", "optimizer_paths", "--update", "--output", str(output), "--plot-dir", plots])
    lines = output.read_text().splitlines()
    rows = [line.split(" ", 2)[1] for line in lines if line.startswith("| ") and not line.startswith("| exercise")]
    assert rows == ["backprop_worked_example", "optimizer_paths"]  # in the course's order
    note = next(line for line in lines if line.startswith("**Kept from earlier runs**"))
    assert "the rows of backprop_worked_example (run on" in note
    # A second update keeps each kept row's own date, not the date of the run that kept it.
    output.write_text(output.read_text().replace(note, re.sub(r"\(run on [^)]+\)", "(run on 1999-01-01 00:00 UTC)", note)))
    run_all.main(["--only", "optimizer_paths", "--update", "--output", str(output), "--plot-dir", plots])
    assert "the rows of backprop_worked_example (run on 1999-01-01 00:00 UTC" in output.read_text()
    # Without --update the file holds this run's rows only, as before.
    run_all.main(["--only", "optimizer_paths", "--output", str(output), "--plot-dir", plots])
    assert "| backprop_worked_example |" not in output.read_text()
