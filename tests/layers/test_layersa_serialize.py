"""keras.layers.Wrapper, serialize and deserialize: Keras' dict layout, nesting, custom classes, errors."""
import numpy
import pytest

from neuroflow import layers
from neuroflow.utils import registry


def test_serialize_uses_keras_layout_and_round_trips():
    dense = layers.Dense(3, activation="relu", name="d")
    dense(numpy.zeros((2, 4), "float32"))
    entry = layers.serialize(dense)
    assert set(entry) >= {"module", "class_name", "config", "registered_name"}
    assert entry["class_name"] == "Dense" and entry["module"] == "neuroflow.layers"
    assert entry["build_config"] == {"input_shape": [2, 4]}
    clone = layers.deserialize(entry)
    assert type(clone) is layers.Dense and clone.built and clone.get_config() == dense.get_config()


@pytest.mark.parametrize("make", [lambda: layers.GroupNormalization(2), lambda: layers.EinsumDense("ab,bc->ac", 3),
                                  lambda: layers.TimeDistributed(layers.Conv1D(2, 3)),
                                  lambda: layers.Bidirectional(layers.LSTM(2))])
def test_nested_and_new_layers_round_trip(make):
    layer = make()
    clone = layers.deserialize(layers.serialize(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


def test_custom_layer_through_custom_objects():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    entry = layers.serialize(Scale(3.0))
    assert layers.deserialize(entry, custom_objects={"Scale": Scale}).factor == 3.0


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="layer"):
        layers.serialize("dense")
    with pytest.raises(ValueError, match="config"):
        layers.deserialize("Dense")
    with pytest.raises(ValueError, match="config"):
        layers.deserialize({"module": "neuroflow.initializers", "class_name": "Zeros", "config": {},
                            "registered_name": None})


def test_wrapper_is_the_base_of_time_distributed():
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert registry.builtins("layers")["Wrapper"] is layers.Wrapper
    with pytest.raises(ValueError, match="layer"):
        layers.TimeDistributed("dense")


def test_user_wrapper_builds_and_serializes_the_inner_layer():
    class Doubled(layers.Wrapper):
        def call(self, inputs):
            return self.layer(inputs) * 2.0

    wrapper = Doubled(layers.Dense(2, kernel_initializer="ones"))
    out = wrapper(numpy.ones((1, 3), "float32"))
    numpy.testing.assert_allclose(out.numpy(), [[6.0, 6.0]])
    assert wrapper.layer.built and len(wrapper.trainable_weights) == 2
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense"
    clone = Doubled.from_config(config)
    assert type(clone.layer) is layers.Dense and clone.layer.units == 2
