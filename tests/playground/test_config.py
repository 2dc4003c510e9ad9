"""PlaygroundConfig: every field checked where it enters, with errors that name it."""
import pytest

from neuroflow.playground.config import PlaygroundConfig


def test_the_defaults_are_tensorflow_playgrounds():
    config = PlaygroundConfig()
    assert (config.dataset, config.hidden_layers, config.activation, config.learning_rate, config.batch_size,
            config.train_percent, config.features) == ("circle", (4, 2), "tanh", 0.03, 10, 50, ("x1", "x2"))


def test_updated_returns_a_checked_copy_and_round_trips_through_a_dict():
    config = PlaygroundConfig().updated({"hidden_layers": [6, 6, 1], "features": ["sin_x1", "x1"], "optimizer": "adam"})
    assert config.hidden_layers == (6, 6, 1) and config.dropout == (0.0, 0.0, 0.0)
    assert config.features == ("x1", "sin_x1")  # the page's order
    assert PlaygroundConfig().updated(config.to_dict()) == config
    assert PlaygroundConfig().hidden_layers == (4, 2)


def test_removing_a_layer_keeps_the_others_dropout():
    config = PlaygroundConfig().updated({"dropout": [0.2, 0.5]}).updated({"hidden_layers": [4]})
    assert config.dropout == (0.2,)


def test_choosing_a_regression_dataset_switches_the_problem():
    assert PlaygroundConfig().updated({"dataset": "multi_gauss"}).problem == "regression"
    with pytest.raises(ValueError, match="'plane' is a regression dataset, but problem is 'classification'"):
        PlaygroundConfig().updated({"dataset": "plane", "problem": "classification"})


@pytest.mark.parametrize("changes, message", [
    ({"hidden_layers": [1] * 7}, "hidden_layers holds at most 6 layers, got 7"),
    ({"hidden_layers": [0]}, r"hidden_layers\[0\] must be an integer from 1 to 8, got 0"),
    ({"hidden_layers": "4,2"}, "hidden_layers must be a list"),
    ({"dropout": [0.95, 0]}, r"dropout\[0\] must be a number from 0.0 to 0.9, got 0.95"),
    ({"dropout": [0.1]}, r"dropout needs one rate per hidden layer \(2\), got 1"),
    ({"learning_rate": 0}, "learning_rate must be a number above 0.0 to 10.0, got 0"),
    ({"learning_rate": "fast"}, "learning_rate must be a number"),
    ({"batch_size": 2.5}, "batch_size must be an integer from 1 to 30, got 2.5"),
    ({"noise": True}, "noise must be an integer"),
    ({"activation": "relux"}, "Unknown activation: 'relux'. Did you mean 'relu'?"),
    ({"features": ["x3"]}, "Unknown features: 'x3'"),
    ({"optimiser": "adam"}, "Unknown config field: 'optimiser'. Did you mean 'optimizer'?"),
])
def test_bad_values_name_the_field_what_it_accepts_and_what_was_given(changes, message):
    with pytest.raises(ValueError, match=message):
        PlaygroundConfig().updated(changes)
