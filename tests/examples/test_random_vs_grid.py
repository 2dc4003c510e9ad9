"""examples/random_vs_grid.py: random against grid search with neuroflow.tuner, on a slice."""
import numpy
import pytest

from tests.examples.test_examples import HAVE_MATPLOTLIB, _load


def test_random_vs_grid_on_a_slice(tmp_path):
    module = _load("random_vs_grid")
    assert isinstance(module.EXPECTED, str) and module.EXPECTED
    result = module.main(epochs=1, samples=60, verbose=0, plot_dir=str(tmp_path), seeds=1)
    assert result["seeds"] == 1 and len(result["grid_best"]) == len(result["random_best"]) == 1
    assert result["random_wins"] == int(result["random_best"][0] < result["grid_best"][0])
    assert all(numpy.isfinite(result["grid_best"] + result["random_best"]))
    assert "random search better in" in result["measured"]
    if HAVE_MATPLOTLIB:
        assert result["plot"] and open(result["plot"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_two_searches_share_the_range_and_the_grid_covers_it():
    module = _load("random_vs_grid")
    x, y = module.two_moons(60, seed=0)
    assert x.shape == (60, 2) and sorted(set(y.tolist())) == [0.0, 1.0]
    grid_values = module.kt.HyperParameters()
    module.MoonsHyperModel(True, -3.0).build(grid_values)
    learning_rate, units = grid_values.space
    assert learning_rate.values == pytest.approx((1e-3, 1e-1, 10.0)) and units.values == (4, 34, 64)
    random_values = module.kt.HyperParameters()
    module.MoonsHyperModel(False, -3.0).build(random_values)
    assert (random_values.space[0].min_value, random_values.space[0].max_value) == pytest.approx((1e-3, 10.0))
    assert random_values.space[0].step is None and random_values.space[0].sampling == "log"
