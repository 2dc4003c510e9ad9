"""Every lecture example runs end to end on a tiny slice, returns its figure and draws its plot.

One epoch on a few hundred samples: this checks the plumbing (data, model, training, evaluation,
result dict, PNG), not the accuracy; `examples/run_all.py` measures that at full size.
"""
import importlib.util
import math
import os
import pathlib
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


def _needs(file_name):
    path = shared_data_path(file_name)
    return pytest.mark.skipif(path is None, reason=f"{file_name} is not in ../shared/data or NEUROFLOW_DATA_DIR "
                                                    "(offline copy absent)")


@pytest.fixture
def data_dir(monkeypatch):
    """Points the loaders at the offline copies the skip conditions found."""
    path = shared_data_path("mnist.npz") or shared_data_path("boston_housing.npz")
    if path is not None and not os.environ.get("NEUROFLOW_DATA_DIR"):
        monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(path.parent))


def _check_plot(result, key="plot"):
    if not HAVE_MATPLOTLIB:
        pytest.skip("matplotlib is not installed, so no plot is drawn")
    path = pathlib.Path(result[key])
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _fraction(value):
    return isinstance(value, float) and 0.0 <= value <= 1.0


# (example, data file or None, keyword arguments, key of the measured figure)
CASES = [
    ("xor", None, dict(epochs=300), "two_layer_accuracy"),
    ("logistic_regression", None, dict(epochs=1, samples=300), "test_accuracy"),
    ("polynomial_regression", None, dict(epochs=1, samples=100), "mse"),
    ("iris_mlp", None, dict(epochs=1, samples=100), "test_accuracy"),
    ("mnist_mlp", "mnist.npz", dict(epochs=1, samples=300), "test_accuracy"),
    ("fashion_mnist", "fashion_mnist.npz", dict(epochs=1, samples=300), "test_accuracy"),
    ("imdb_binary", "imdb.npz", dict(epochs=1, samples=300, validation_epochs=2), "test_accuracy"),
    ("reuters_multiclass", "reuters.npz", dict(epochs=1, samples=300, validation_epochs=2), "test_accuracy"),
    ("boston_kfold", "boston_housing.npz", dict(epochs=1, samples=200, final_epochs=1), "mean_validation_mae"),
]


@pytest.mark.parametrize("name, data_file, kwargs, figure", CASES, ids=[c[0] for c in CASES])
def test_example_runs_on_a_slice(name, data_file, kwargs, figure, tmp_path, data_dir):
    if data_file is not None and shared_data_path(data_file) is None:
        pytest.skip(f"{data_file} is not in ../shared/data or NEUROFLOW_DATA_DIR (offline copy absent)")
    module = _load(name)
    assert isinstance(module.EXPECTED, str) and module.EXPECTED
    result = module.main(verbose=0, plot_dir=str(tmp_path), **kwargs)
    value = result[figure]
    assert isinstance(value, float) and math.isfinite(value)
    assert isinstance(result["measured"], str) and result["measured"]
    if figure.endswith("accuracy"):
        assert _fraction(value)
    _check_plot(result)


def test_xor_single_layer_fails_two_layers_succeed(tmp_path):
    result = _load("xor").main(verbose=0, plot_dir=None)
    assert result["single_layer_accuracy"] <= 0.75
    assert result["two_layer_accuracy"] == 1.0
    assert result["plot"] is None


def test_polynomial_regression_draws_the_fit(tmp_path):
    result = _load("polynomial_regression").main(epochs=1, samples=50, verbose=0, plot_dir=str(tmp_path))
    # The closed-form least-squares quadratic sits near the noise variance of 1 even on 50 points.
    assert 0.4 < result["least_squares_mse"] < 1.6
    _check_plot(result, "fit_plot")


def test_logistic_regression_knows_its_bayes_accuracy(tmp_path):
    module = _load("logistic_regression")
    # Phi(|mu|) for mu = (1, 0.5): |mu| = 1.1180, Phi = 0.86817.
    assert module.BAYES_ACCURACY == pytest.approx(0.86817, abs=1e-4)
    result = module.main(epochs=1, samples=200, verbose=0, plot_dir=str(tmp_path))
    _check_plot(result, "boundary_plot")


@_needs("mnist.npz")
def test_mnist_tuning_tabulates_five_models(tmp_path, data_dir):
    module = _load("mnist_tuning")
    result = module.main(epochs=1, samples=200, verbose=0, plot_dir=str(tmp_path))
    assert [m["name"] for m in result["models"]] == [f"model {i}" for i in range(1, 6)]
    assert [m["expected"] for m in result["models"]] == [0.926, 0.974, 0.9801, 0.9806, 0.9840]
    assert [len(m["hidden"]) for m in result["models"]] == [0, 2, 2, 2, 3]
    assert all(_fraction(m["test_accuracy"]) for m in result["models"])
    assert len(result["rows"]) == 5
    _check_plot(result)


def test_run_all_writes_a_row_per_example(tmp_path, monkeypatch):
    run_all = _load("run_all")
    output = tmp_path / "RESULTS.md"
    run_all.main(["--only", "xor", "--output", str(output), "--plot-dir", str(tmp_path / "plots")])
    text = output.read_text()
    assert "**Machine:**" in text and "NumPy" in text
    row = next(line for line in text.splitlines() if line.startswith("| xor |"))
    assert "two layers 1.00" in row and row.count("|") == 6


def test_run_all_reports_an_unavailable_dataset(tmp_path, monkeypatch):
    """A dataset missing offline gives a row that says so instead of a crash or a silent skip."""
    run_all = _load("run_all")
    from neuroflow.datasets import DatasetError

    def offline(*args, **kwargs):
        raise DatasetError("Could not download reuters.npz from https://example.invalid (no network)")

    reuters = _load("reuters_multiclass")
    monkeypatch.setattr(reuters.reuters, "load_data", offline)
    monkeypatch.setitem(sys.modules, "reuters_multiclass", reuters)
    output = tmp_path / "RESULTS.md"
    run_all.main(["--only", "reuters_multiclass", "--output", str(output), "--plot-dir", str(tmp_path)])
    row = next(line for line in output.read_text().splitlines() if line.startswith("| reuters_multiclass |"))
    assert "dataset unavailable offline" in row


@_needs("mnist.npz")
def test_mnist_cnn_runs_on_a_slice(data_dir):
    result = _load("mnist_cnn").main(epochs=2, samples=1000, verbose=0, test_samples=500)
    # Two epochs on 1,000 digits: far above chance (0.1), far below the full run's 0.99.
    assert _fraction(result["test_accuracy"]) and result["test_accuracy"] > 0.4


@_needs("imdb.npz")
def test_imdb_lstm_runs_on_a_slice(data_dir):
    result = _load("imdb_lstm").main(epochs=1, samples=256, verbose=0, test_samples=256)
    assert _fraction(result["test_accuracy"]) and math.isfinite(result["test_loss"])
