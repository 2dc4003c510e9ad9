"""examples/random_search_cv.py: random search with cross-validation over the Boston MLP, on a slice."""
import math
import sys

import pytest

from tests.conftest import shared_data_path
from tests.examples.test_examples import _load


def test_random_search_cv_on_a_slice(monkeypatch):
    pytest.importorskip("sklearn", reason='scikit-learn is not installed (pip install "neuroflow[sklearn]")')
    path = shared_data_path("boston_housing.npz")
    if path is None:
        pytest.skip("boston_housing.npz is not in ../shared/data or NEUROFLOW_DATA_DIR (offline copy absent)")
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(path.parent))
    module = _load("random_search_cv")
    assert isinstance(module.EXPECTED, str) and module.EXPECTED
    result = module.main(epochs=1, samples=60, verbose=0, plot_dir=None, iterations=2, folds=2)
    assert set(result["best_params"]) == {"n_hidden", "n_neurons", "learning_rate"}
    assert result["best_params"]["n_hidden"] in (1, 2, 3) and result["best_params"]["n_neurons"] in (16, 32, 64, 128)
    assert 3e-4 <= result["best_params"]["learning_rate"] <= 3e-2
    assert len(result["candidates"]) == 2
    # the best score is the smallest mean validation MAE of the candidates drawn
    assert result["best_score"] == pytest.approx(min(c["mae"] for c in result["candidates"]))
    assert math.isfinite(result["test_mae"]) and result["test_mae"] > 0
    assert isinstance(result["measured"], str) and result["measured"]


def test_random_search_cv_says_when_sklearn_is_missing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.model_selection", None)  # import now raises ImportError
    result = _load("random_search_cv").main(epochs=1, verbose=0, plot_dir=None)
    assert result["skipped"] is True and result["best_params"] is None
    assert 'pip install "neuroflow[sklearn]"' in result["measured"]
    assert 'pip install "neuroflow[sklearn]"' in capsys.readouterr().out
