"""utils.activation_statistics: each layer's activations, and the initialization effects the lectures show."""
import numpy
import pytest

import neuroflow
from neuroflow import initializers, layers, models
from neuroflow.utils import activation_statistics

X = numpy.random.default_rng(0).normal(size=(200, 100)).astype("float32")


def _deep(activation, initializer):
    return models.Sequential([layers.Input((100,))] + [
        layers.Dense(100, activation=activation, kernel_initializer=initializer, use_bias=False) for _ in range(5)])


def test_one_entry_per_layer_with_its_values():
    neuroflow.set_random_seed(0)
    model = _deep("sigmoid", initializers.RandomNormal(stddev=1.0))
    stats = activation_statistics(model, X)
    assert len(stats) == 5 and [layer.name for layer in stats] == [layer.name for layer in model.layers]
    first = stats[0]
    assert first.values.shape == (200 * 100,)
    numpy.testing.assert_allclose(first.values, model.layers[0](X).numpy().reshape(-1), rtol=1e-6)
    counts, edges = first.histogram(bins=10, range=(0, 1))
    assert counts.sum() == first.values.size and len(edges) == 11
    assert stats[model.layers[2].name] is stats[2]
    assert "mean" in str(stats).splitlines()[0]


def test_the_lectures_initialization_effects():
    neuroflow.set_random_seed(0)
    # sigmoid with N(0, 1): activations pile up at 0 and 1.
    wide = activation_statistics(_deep("sigmoid", initializers.RandomNormal(stddev=1.0)), X)
    assert wide[4].saturated_fraction() > 0.3
    # sigmoid with N(0, 0.01): they crowd at 0.5.
    narrow = activation_statistics(_deep("sigmoid", initializers.RandomNormal(stddev=0.01)), X)
    assert narrow[4].std < 0.02 and narrow[4].mean == pytest.approx(0.5, abs=0.01)
    # ReLU with He: the spread survives five layers; with N(0, 0.01) it collapses toward 0.
    he = activation_statistics(_deep("relu", initializers.HeNormal()), X)
    small = activation_statistics(_deep("relu", initializers.RandomNormal(stddev=0.01)), X)
    assert he[4].std > 0.3 and small[4].std < 1e-3
    assert 0.3 < he[4].zero_fraction < 0.7


def test_selected_layers_and_errors():
    model = _deep("tanh", "glorot_normal")
    stats = activation_statistics(model, X[:5], layers=[model.layers[1].name])
    assert [layer.name for layer in stats] == [model.layers[1].name]
    with pytest.raises(ValueError, match="no layer named"):
        activation_statistics(model, X[:5], layers=["nope"])
    inputs = layers.Input((3,))
    functional = models.Model(inputs, layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="Sequential"):
        activation_statistics(functional, numpy.ones((1, 3)))
