"""Keras 3's Layer API: add_variable, keyword-only call arguments, compute_output_spec, build configs,
layer metrics; and Model(inputs, [output]) returning the output itself, as Keras 3 does."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, metrics, models, ops


class Scaled(layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.calls = metrics.Sum(name="calls")

    def build(self, input_shape):
        self.kernel = self.add_variable((input_shape[-1], self.units), "ones", name="kernel")
        self.count = self.add_variable((), "zeros", trainable=False, aggregation="sum", name="count")

    def call(self, inputs, *, scale=1.0, training=None):
        self.add_loss(ops.sum(self.kernel) * 0.5)
        self.calls.update_state(1.0)
        return ops.matmul(inputs, self.kernel) * scale


def test_add_variable_keyword_only_arguments_and_losses():
    layer = Scaled()
    out = layer(numpy.ones((3, 4), "float32"), scale=2.0)
    numpy.testing.assert_allclose(out.numpy(), numpy.full((3, 2), 8.0))
    assert [w.name for w in layer.trainable_weights] == ["kernel"]
    assert [w.name for w in layer.non_trainable_weights] == ["count"]
    assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(4.0)
    assert layer.metrics == [layer.calls] and float(layer.calls.result()) == 1.0


def test_compute_output_spec_and_build_config():
    layer = Scaled(units=3)
    spec = layer.compute_output_spec(neuroflow.KerasTensor((None, 5)))
    assert isinstance(spec, neuroflow.KerasTensor) and spec.shape == (None, 3)
    assert layer.get_build_config() == {"input_shape": (None, 5)}
    fresh = Scaled(units=3)
    assert fresh.get_build_config() is None
    fresh.build_from_config(layer.get_build_config())
    assert fresh.built and fresh.kernel.shape == (5, 3)


def test_a_model_with_a_list_of_one_output_returns_the_output_itself(rng):
    inputs = neuroflow.Input((4,))
    model = models.Model(inputs, [layers.Dense(2)(inputs)])
    x = rng.random((3, 4)).astype("float32")
    assert isinstance(model.predict(x, verbose=0), numpy.ndarray)
    assert isinstance(model(x), neuroflow.Tensor)
    model.compile(optimizer="sgd", loss=["mse"])
    history = model.fit(x, [numpy.zeros((3, 2))], epochs=1, verbose=0)
    assert "loss" in history.history
