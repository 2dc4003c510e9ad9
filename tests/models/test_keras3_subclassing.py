"""Keras 3's subclassing idioms: sub-models in __init__, functional init inside a subclass, own train_step."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, metrics, models, ops


def _encoder_decoder():
    inputs = neuroflow.Input((6,))
    encoder = models.Model(inputs, layers.Dense(2, activation="tanh")(inputs), name="encoder")
    latent = neuroflow.Input((2,))
    decoder = models.Model(latent, layers.Dense(6, activation="sigmoid")(latent), name="decoder")
    return encoder, decoder


class AutoEncoder(models.Model):
    """As in Keras' VAE example: sub-models handed to __init__, its own train_step, metrics and loss."""

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.loss_tracker = metrics.Mean(name="reconstruction")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs):
        return self.decoder(self.encoder(inputs))

    def train_step(self, data):
        with neuroflow.GradientTape() as tape:
            loss = ops.mean(ops.square(self(data, training=True) - data))
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {"reconstruction": self.loss_tracker.result()}


def test_sub_models_in_init_stay_a_subclassed_model_and_train_without_targets(rng):
    encoder, decoder = _encoder_decoder()
    model = AutoEncoder(encoder, decoder, name="autoencoder")
    assert not isinstance(model, models.Functional) and model.name == "autoencoder"
    model.compile(optimizer=neuroflow.optimizers.Adam(0.05))  # no loss: train_step computes it
    data = rng.random((64, 6)).astype("float32")
    history = model.fit(data, epochs=5, batch_size=16, verbose=0)
    losses = history.history["reconstruction"]
    assert len(losses) == 5 and losses[-1] < losses[0]
    assert len(model.trainable_weights) == 4  # the two sub-models' kernels and biases


def test_without_own_train_step_a_loss_and_targets_are_still_required(rng):
    inputs = neuroflow.Input((3,))
    model = models.Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="compiled without a loss"):
        model.fit(rng.random((4, 3)), rng.random((4, 1)), verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="needs targets"):
        model.fit(rng.random((4, 3)), verbose=0)


class Wrapped(models.Model):
    """A subclass that builds its graph and hands inputs and outputs to Model.__init__."""

    def __init__(self, units, **kwargs):
        inputs = neuroflow.Input((4,))
        super().__init__(inputs, layers.Dense(units)(inputs), **kwargs)
        self.units = units


def test_functional_init_inside_a_subclass_init(rng):
    model = Wrapped(3, name="wrapped")
    assert isinstance(model, Wrapped) and isinstance(model, models.Functional)
    assert model.name == "wrapped" and model.units == 3
    assert model.predict(rng.random((2, 4)), verbose=0).shape == (2, 3)


def test_subclass_without_init_called_with_inputs_and_outputs_is_functional(rng):
    class OnlyStep(models.Model):
        def train_step(self, data):
            return super().train_step(data)

    inputs = neuroflow.Input((4,))
    model = OnlyStep(inputs, layers.Dense(1)(inputs))
    assert isinstance(model, OnlyStep) and isinstance(model, models.Functional)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(numpy.ones((4, 4)), numpy.ones((4, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
