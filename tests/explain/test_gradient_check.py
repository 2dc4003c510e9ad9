"""utils.check_gradients: finite differences against backprop for every layer family; a wrong gradient is caught."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, models, ops, regularizers
from neuroflow.utils import check_gradients

RNG = numpy.random.default_rng(0)


def _sequence_model(*stack, input_shape):
    return models.Sequential([layers.Input(input_shape)] + list(stack))


def _attention_model():
    inputs = layers.Input((4, 6))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=3)(inputs, inputs)
    outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(attended))
    return models.Model(inputs, outputs)


# (name, model factory, x, y, loss)
FAMILIES = [
    ("dense", lambda: _sequence_model(layers.Dense(5, activation="tanh", kernel_regularizer=regularizers.L2(0.01)),
                                      layers.Dense(3, activation="softmax"), input_shape=(4,)),
     RNG.normal(size=(6, 4)), numpy.eye(3)[RNG.integers(3, size=6)], "categorical_crossentropy"),
    ("convolution", lambda: _sequence_model(layers.Conv2D(2, 3, activation="relu"), layers.MaxPooling2D(),
                                            layers.Flatten(), layers.Dense(1), input_shape=(6, 6, 1)),
     RNG.normal(size=(3, 6, 6, 1)), RNG.normal(size=(3, 1)), "mse"),
    ("convolution_1d", lambda: _sequence_model(layers.Conv1D(3, 2, padding="same"), layers.GlobalMaxPooling1D(),
                                               layers.Dense(1), input_shape=(5, 2)),
     RNG.normal(size=(3, 5, 2)), RNG.normal(size=(3, 1)), "mse"),
    ("simple_rnn", lambda: _sequence_model(layers.SimpleRNN(3), layers.Dense(1), input_shape=(4, 2)),
     RNG.normal(size=(3, 4, 2)), RNG.normal(size=(3, 1)), "mse"),
    ("lstm", lambda: _sequence_model(layers.LSTM(3), layers.Dense(1, activation="sigmoid"), input_shape=(4, 2)),
     RNG.normal(size=(3, 4, 2)), RNG.integers(2, size=(3, 1)).astype(float), "binary_crossentropy"),
    ("gru", lambda: _sequence_model(layers.GRU(3, return_sequences=True), layers.Flatten(), layers.Dense(1),
                                    input_shape=(3, 2)),
     RNG.normal(size=(3, 3, 2)), RNG.normal(size=(3, 1)), "mse"),
    ("embedding", lambda: _sequence_model(layers.Embedding(10, 4), layers.GlobalAveragePooling1D(), layers.Dense(1),
                                          input_shape=(5,)),
     RNG.integers(10, size=(4, 5)), RNG.normal(size=(4, 1)), "mse"),
    ("normalization", lambda: _sequence_model(layers.Dense(4), layers.BatchNormalization(), layers.LayerNormalization(),
                                              layers.Dense(1), input_shape=(3,)),
     RNG.normal(size=(5, 3)), RNG.normal(size=(5, 1)), "mse"),
    ("dropout", lambda: _sequence_model(layers.Dense(6, activation="relu"), layers.Dropout(0.5), layers.Dense(1),
                                        input_shape=(3,)),
     RNG.normal(size=(4, 3)), RNG.normal(size=(4, 1)), "mse"),
    ("attention", _attention_model, RNG.normal(size=(2, 4, 6)), RNG.normal(size=(2, 1)), "mse"),
]


@pytest.mark.parametrize("name, factory, x, y, loss", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_passes_on_every_layer_family(name, factory, x, y, loss):
    neuroflow.set_random_seed(5)
    model = factory()
    before = [w.copy() for w in model.get_weights()]
    report = check_gradients(model, x.astype("float32") if x.dtype.kind == "f" else x, y, loss=loss, max_entries=12)
    assert report.passed, str(report)
    assert [check.name for check in report.tensors] == [w.path for w in model.trainable_weights]
    assert all(0 < check.entries_checked <= 12 for check in report.tensors)
    assert report.max_relative_error < 1e-5
    for old, new in zip(before, model.get_weights()):  # the float32 model itself is left as it was
        numpy.testing.assert_array_equal(old, new)


class WronglyDifferentiatedSquare(layers.Layer):
    """x^2 whose custom gradient claims 3x instead of 2x."""

    def call(self, inputs):
        @ops.custom_gradient
        def square(x):
            def gradient(upstream):
                return ops.multiply(upstream, ops.multiply(3.0, x))
            return ops.square(x), gradient
        return square(inputs)


def test_flags_a_deliberately_wrong_custom_gradient():
    model = models.Sequential([layers.Input((3,)), layers.Dense(4), WronglyDifferentiatedSquare(), layers.Dense(1)])
    x, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 1))
    report = check_gradients(model, x, y, loss="mse")
    assert not report.passed
    # Only the weights below the wrong op get wrong gradients: the last Dense is checked as correct.
    assert [check.passed for check in report.tensors] == [False, False, True, True]
    assert report.failures[0].max_relative_error > 0.1
    text = str(report)
    assert "FAILED (2 of 4 tensors)" in text and text.count("FAILED") == 3


def test_the_report_table_and_timings(float64):
    model = models.Sequential([layers.Input((2,)), layers.Dense(3, activation="sigmoid"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")  # the compiled loss is the default
    report = check_gradients(model, RNG.normal(size=(4, 2)), RNG.normal(size=(4, 1)), max_entries=None)
    assert report.passed and [c.entries_checked for c in report.tensors] == [6, 3, 3, 1]
    assert report.numeric_seconds > 0 and report.backprop_seconds > 0
    lines = str(report).splitlines()
    assert lines[0].split()[:3] == ["weight", "shape", "checked"] and model.trainable_weights[0].path in lines[2]
    assert lines[-1].startswith("gradient check passed")


def test_a_large_tensor_is_sampled():
    model = models.Sequential([layers.Input((50,)), layers.Dense(40), layers.Dense(1)])
    report = check_gradients(model, RNG.normal(size=(2, 50)), RNG.normal(size=(2, 1)), loss="mse", max_entries=10)
    assert report.tensors[0].entries_checked == 10 and report.tensors[0].shape == (50, 40)


def test_needs_a_loss():
    model = models.Sequential([layers.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="needs a loss"):
        check_gradients(model, numpy.ones((1, 2)), numpy.ones((1, 1)))
