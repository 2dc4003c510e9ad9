import pytest

from neuroflow import backend, layers, metrics
from neuroflow.utils.naming import reset_names, to_snake_case, unique_name

# name: (Keras' rule, the rule metrics, losses and optimizers keep)
CASES = {
    "Conv2D": ("conv2d", "conv2_d"),
    "Conv2DTranspose": ("conv2d_transpose", "conv2_d_transpose"),
    "GlobalAveragePooling1D": ("global_average_pooling1d", "global_average_pooling1_d"),
    "ConvLSTM2D": ("conv_lstm2d", "conv_lstm2_d"),
    "LSTM": ("lstm", "lstm"),
    "GRU": ("gru", "gru"),
    "SimpleRNN": ("simple_rnn", "simple_rnn"),
    "ReLU": ("re_lu", "re_lu"),
    "PReLU": ("p_re_lu", "p_re_lu"),
    "MeanSquaredError": ("mean_squared_error", "mean_squared_error"),
    "AUC": ("auc", "auc"),
    "F1Score": ("f1_score", "f1_score"),
    "R2Score": ("r2_score", "r2_score"),
    "RMSprop": ("rm_sprop", "rm_sprop"),
    "TopKCategoricalAccuracy": ("top_k_categorical_accuracy", "top_k_categorical_accuracy"),
    "HTTPServer": ("http_server", "http_server"),
    "MeanIoU": ("mean_io_u", "mean_io_u"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_rule(name):
    assert to_snake_case(name) == CASES[name][0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_capital_after_digit_rule(name):
    assert to_snake_case(name, capital_after_digit_starts_word=True) == CASES[name][1]


def test_keras_rule_drops_non_identifier_characters_and_the_other_keeps_them():
    assert to_snake_case("<lambda>") == "lambda"
    assert to_snake_case("<lambda>", capital_after_digit_starts_word=True) == "<lambda>"


def test_unique_name_counts_per_prefix_and_reset_restarts():
    reset_names()
    assert [unique_name("dense"), unique_name("dense"), unique_name("conv2d"), unique_name("dense")] == [
        "dense", "dense_1", "conv2d", "dense_2"]
    reset_names()
    assert unique_name("dense") == "dense"


def test_layer_and_metric_auto_names_use_their_rule():
    backend.clear_session()
    assert layers.Conv2D(2, 3).name == "conv2d"
    assert layers.Conv2D(2, 3).name == "conv2d_1"
    assert layers.GlobalAveragePooling1D().name == "global_average_pooling1d"
    assert metrics.F1Score().name == "f1_score"
    assert metrics.AUC().name == "auc"
    backend.clear_session()
    assert layers.Conv2D(2, 3).name == "conv2d"
