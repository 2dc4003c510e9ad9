"""Idioms from the Keras guides that must run unchanged."""
import numpy
import pytest

import neuroflow as keras
from neuroflow import layers


@pytest.fixture
def data(rng):
    x = rng.normal(size=(64, 8)).astype("float32")
    return x, x[:, :1] * 2.0 - x[:, 1:2]


class CustomTrainStep(keras.Model):
    """The 'customizing what happens in fit' guide: train_step unpacks `x, y = data`."""

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_subclass_built_from_inputs_and_outputs_uses_its_train_step(data):
    x, y = data
    inputs = keras.Input(shape=(8,))
    model = CustomTrainStep(inputs, layers.Dense(1)(inputs))
    assert isinstance(model, CustomTrainStep) and isinstance(model, keras.models.Functional)
    assert type(model).__name__ == "CustomTrainStep"
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=15, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_train_step_receives_sample_weight_only_when_given(data):
    x, y = data
    seen = []

    class Spy(keras.Model):
        def train_step(self, data):
            seen.append(len(data))
            return super().train_step(data)

    inputs = keras.Input(shape=(8,))
    model = Spy(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    model.fit(x, y, sample_weight=numpy.ones(64), epochs=1, batch_size=64, verbose=0)
    assert seen == [2, 3]


def test_get_layer_and_layer_inputs_outputs():
    inputs = keras.Input(shape=(8,), name="features")
    hidden = layers.Dense(4, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(2, name="head")(hidden)
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert model.get_layer("hidden").output is hidden
    assert model.get_layer(index=-1).name == "head"
    assert model.get_layer("head").input is hidden and model.get_layer("head").output_shape == (None, 2)
    assert model.input is inputs and model.output is outputs
    with pytest.raises(ValueError, match="Did you mean 'hidden'"):
        model.get_layer("hiden")


def test_feature_extraction_model_from_layer_outputs(rng):
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(4, activation="relu")(inputs)
    base = keras.Model(inputs, layers.Dense(2)(x))
    extractor = keras.Model(inputs=base.inputs, outputs=[layer.output for layer in base.layers])
    features = extractor.predict(rng.normal(size=(3, 8)), verbose=0)
    assert [f.shape for f in features] == [(3, 8), (3, 4), (3, 2)]


def test_custom_training_loop_from_the_guide(data):
    x, y = data
    labels = (y[:, 0] > 0).astype(int)
    inputs = keras.Input(shape=(8,))
    model = keras.Model(inputs, layers.Dense(2)(layers.Dense(16, activation="relu")(inputs)))
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    accuracy = keras.metrics.SparseCategoricalAccuracy()
    for epoch in range(30):
        for start in range(0, 64, 16):
            with keras.GradientTape() as tape:
                logits = model(x[start:start + 16], training=True)
                loss_value = loss_fn(labels[start:start + 16], logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            accuracy.update_state(labels[start:start + 16], logits)
        if epoch < 29:
            accuracy.reset_state()
    assert float(accuracy.result()) > 0.9
