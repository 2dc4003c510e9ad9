"""TrainingSession: one tab's run, its frames, and the changes between steps."""
import base64

import numpy as np
import pytest

from neuroflow.playground import backprop
from neuroflow.playground.features import FEATURES, feature_columns
from neuroflow.playground.session import NEURON_GRID, OUTPUT_GRID, TrainingSession


def heatmap(encoded):
    return np.frombuffer(base64.b64decode(encoded), dtype=np.uint8) / 127.5 - 1


def test_feature_columns_are_the_expressions_the_page_names():
    points = np.array([[1.0, 2.0], [-0.5, 3.0]])
    columns = feature_columns(points, tuple(FEATURES))
    x1, x2 = points.T
    np.testing.assert_allclose(columns, np.stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], 1), rtol=1e-6)


def test_training_on_the_circle_lowers_the_test_loss_and_draws_the_disc():
    session = TrainingSession()
    session.apply({"learning_rate": 0.1})
    start = session.test_loss
    for _ in range(60):
        session.train_epoch()
    assert session.epoch == 60 and session.test_loss < start / 3
    output = heatmap(session.frame()["output"]).reshape(OUTPUT_GRID, OUTPUT_GRID)
    middle, corner = output[OUTPUT_GRID // 2, OUTPUT_GRID // 2], output[0, 0]
    assert middle > 0.5 and corner < -0.5  # blue (positive) inside the disc, orange outside


def test_a_frame_holds_every_neurons_heatmap_and_the_weights():
    session = TrainingSession()
    session.apply({"hidden_layers": [3, 2], "features": ["x1", "x2", "x1_squared"]})
    frame = session.frame()
    assert [np.shape(kernel) for kernel in frame["weights"]] == [(3, 3), (3, 2), (2, 1)]
    assert [len(layer) for layer in frame["neurons"]] == [3, 2, 1]
    assert all(len(heatmap(grid)) == NEURON_GRID**2 for layer in frame["neurons"] for grid in layer)
    # The first neuron's heatmap is its tanh over the grid: the kernel column applied to the features.
    kernel, bias = np.array(frame["weights"][0]), np.array(frame["biases"][0])
    expected = np.tanh(session.neuron_grid @ kernel[:, 0] + bias[0])
    np.testing.assert_allclose(heatmap(frame["neurons"][0][0]), expected, atol=1 / 127)


def test_each_epochs_losses_reach_the_chart_once():
    session = TrainingSession()
    assert [entry[0] for entry in session.frame()["history"]] == [0]
    session.train_for(seconds=10, max_epochs=3)
    history = session.frame()["history"]
    assert [entry[0] for entry in history] == [1, 2, 3]
    assert history[-1][1:] == [session.train_loss, session.test_loss]
    assert session.frame()["history"] == []


def test_a_frame_can_end_inside_an_epoch_and_step_finishes_it():
    session = TrainingSession()
    session.apply({"batch_size": 1})
    assert session.train_for(seconds=0, max_epochs=2) == 0
    assert (session.steps, session.epoch) == (1, 0)
    assert "the run was 1 samples into epoch 1 (the script stops at 0)" in session.export_python()
    session.train_epoch()
    assert (session.steps, session.epoch) == (250, 1)
    assert session.train_for(seconds=60, max_epochs=2) == 2 and session.steps == 750


def test_what_a_change_rebuilds():
    session = TrainingSession()
    session.train_epoch()
    assert session.apply({"learning_rate": 0.3}) == set() and session.epoch == 1
    assert session.model.optimizer.learning_rate == pytest.approx(0.3)
    assert session.live_changes == ["learning_rate 0.03 -> 0.3 at epoch 1"]
    assert session.apply({"optimizer": "rmsprop"}) == {"network"} and session.epoch == 0
    assert session.apply({"noise": 10}) == {"data", "network"}
    points = session.points.copy()
    session.regenerate()
    assert session.config.seed == 2 and not np.allclose(points, session.points)


def test_no_hidden_layers_is_a_linear_model_of_the_features():
    session = TrainingSession()
    session.apply({"hidden_layers": [], "features": ["x1_squared", "x2_squared"], "learning_rate": 0.1})
    assert session.config.dropout == () and [layer.units for layer in session.model.layers] == [1]
    for _ in range(40):
        session.train_epoch()
    frame = session.frame()
    assert np.shape(frame["weights"]) == (1, 2, 1) and len(frame["neurons"]) == 1
    assert session.test_loss < 0.2  # the circle is linear in x1^2 and x2^2


def test_a_bad_change_leaves_the_session_as_it_was():
    session = TrainingSession()
    session.train_epoch()
    with pytest.raises(ValueError):
        session.apply({"learning_rate": 0.3, "hidden_layers": [9]})
    assert session.config.learning_rate == 0.03 and session.epoch == 1


def test_reset_returns_to_the_seeded_initial_weights():
    session = TrainingSession()
    initial = session.frame()["weights"]
    for _ in range(3):
        session.train_epoch()
    assert session.frame()["weights"] != initial
    session.reset()
    assert session.frame()["weights"] == initial and session.epoch == 0


def test_dropout_layers_follow_their_hidden_layer_and_are_off_in_the_heatmaps():
    session = TrainingSession()
    session.apply({"dropout": [0.5, 0.0]})
    assert [type(layer).__name__ for layer in session.model.layers] == ["Dense", "Dropout", "Dense", "Dense"]
    assert session.frame()["output"] == session.frame()["output"]


def test_export_keras_writes_a_model_that_loads_with_the_same_predictions(tmp_path):
    import neuroflow
    session = TrainingSession()
    session.train_epoch()
    path = tmp_path / "playground.keras"
    path.write_bytes(session.export_keras())
    loaded = neuroflow.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(session.x_test, verbose=0), session.model.predict(session.x_test, verbose=0),
                               rtol=1e-6)


def test_show_backprop_says_why_when_there_is_no_explain_module_or_the_network_is_big():
    session = TrainingSession()
    if backprop.explain is None:
        assert backprop.backprop_text(session) == backprop.NOT_AVAILABLE
        pytest.skip("neuroflow.explain is not part of this neuroflow: Show backprop answers that it is not available")
    session.apply({"hidden_layers": [8, 8, 8]})
    assert "at most 100 parameters" in backprop.backprop_text(session)
    session.apply({"hidden_layers": [2]})
    text = backprop.backprop_text(session)
    assert text and text != backprop.NOT_AVAILABLE
