import numpy
import pytest

import neuroflow
from neuroflow import layers, models


def _two_in_two_out():
    a = layers.Input(shape=(4,), name="a")
    b = layers.Input(shape=(3,), name="b")
    shared = layers.Dense(5, activation="relu", name="shared")
    merged = layers.Concatenate()([shared(layers.Dense(4)(a)), shared(layers.Dense(4)(b))])
    regression = layers.Dense(1, name="regression")(merged)
    classes = layers.Dense(3, activation="softmax", name="classes")(merged)
    return models.Model(inputs=[a, b], outputs=[regression, classes]), shared


def test_two_inputs_two_outputs_shared_layer_trains(rng):
    neuroflow.set_random_seed(0)
    model, shared = _two_in_two_out()
    assert isinstance(model, models.Functional)
    assert model.output_names == ["regression", "classes"] and model.input_names == ["a", "b"]
    # The shared layer appears once and owns one kernel, used by both branches.
    assert sum(layer is shared for layer in model.layers) == 1
    assert len(shared.weights) == 2
    xa, xb = rng.normal(size=(128, 4)), rng.normal(size=(128, 3))
    y_reg = (xa[:, :1] - xb[:, :1]).astype("float32")
    y_cls = numpy.eye(3)[(xa[:, 0] > 0).astype(int) + (xb[:, 0] > 0).astype(int)]
    model.compile(optimizer=neuroflow.optimizers.Adam(learning_rate=0.02), loss=["mse", "categorical_crossentropy"],
                  loss_weights=[1.0, 0.5],
                  metrics={"classes": ["accuracy"]})
    history = model.fit([xa, xb], [y_reg, y_cls], epochs=30, batch_size=32, verbose=0)
    keys = set(history.history)
    assert {"loss", "regression_loss", "classes_loss", "classes_accuracy"} <= keys
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    # The total is the weighted sum of the per-output losses.
    logs = model.evaluate([xa, xb], [y_reg, y_cls], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["regression_loss"] + 0.5 * logs["classes_loss"], rel=1e-4)


def test_dict_inputs_and_outputs_by_name(rng):
    model, _ = _two_in_two_out()
    model.compile(optimizer="sgd", loss={"regression": "mse", "classes": "categorical_crossentropy"})
    xa, xb = rng.normal(size=(16, 4)), rng.normal(size=(16, 3))
    y = {"regression": rng.normal(size=(16, 1)), "classes": numpy.eye(3)[rng.integers(0, 3, 16)]}
    model.fit({"a": xa, "b": xb}, y, epochs=1, verbose=0)
    by_dict = model.predict({"a": xa, "b": xb}, verbose=0)
    by_list = model.predict([xa, xb], verbose=0)
    for left, right in zip(by_dict, by_list):
        numpy.testing.assert_array_equal(left, right)


def test_model_used_as_a_layer(rng):
    inner_in = layers.Input(shape=(3,))
    inner = models.Model(inner_in, layers.Dense(2, activation="tanh")(inner_in), name="inner")
    outer_in = layers.Input(shape=(3,))
    outer = models.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    x = rng.normal(size=(5, 3)).astype("float32")
    expected = outer.layers[-1](inner(x)).numpy()
    numpy.testing.assert_allclose(outer.predict(x, verbose=0), expected, rtol=1e-6)
    assert len(outer.trainable_weights) == 4


def test_ops_on_placeholders_become_graph_nodes(rng):
    x_in = layers.Input(shape=(4,))
    y = layers.Dense(4)(x_in)
    out = neuroflow.ops.multiply(y + x_in, 2.0)
    model = models.Model(x_in, out)
    x = rng.normal(size=(3, 4)).astype("float32")
    dense = model.layers[1]
    numpy.testing.assert_allclose(model.predict(x, verbose=0), 2 * (dense(x).numpy() + x), rtol=1e-6)


def test_summary_has_connected_to_column(capsys):
    model, _ = _two_in_two_out()
    model.summary()
    text = capsys.readouterr().out
    assert "Connected to" in text and "shared (Dense)" in text and "a (InputLayer)" in text


def test_missing_input_is_refused(rng):
    a, b = layers.Input(shape=(2,)), layers.Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="not among the model's inputs"):
        models.Model(a, out)


def test_wrong_number_of_inputs(rng):
    model, _ = _two_in_two_out()
    with pytest.raises(ValueError, match="expects 2 input"):
        model.predict(rng.normal(size=(2, 4)), verbose=0)
