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


def test_pipeline_runs_layers_in_order_with_training_default_true(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    pipeline = layers.Pipeline([layers.Dense(5), layers.Dropout(0.5, seed=1), layers.Dense(2)])
    first, _, last = pipeline.layers
    dropped = pipeline(x).numpy()  # training=True by default, as in Keras: dropout applies
    kept = pipeline(x, training=False).numpy()
    numpy.testing.assert_allclose(kept, last(first(x)).numpy(), rtol=1e-6)
    assert not numpy.allclose(dropped, kept)
    assert len(pipeline.trainable_weights) == 4


def test_pipeline_config_functional_and_errors(tmp_path, rng):
    pipeline = layers.Pipeline([layers.Rescaling(0.5), layers.Dense(3)], name="prep")
    config = pipeline.get_config()
    assert set(config) == {"layers", "name"} and config["layers"][1]["class_name"] == "Dense"
    clone = layers.Pipeline.from_config(config)
    assert clone.name == "prep" and [type(layer) for layer in clone.layers] == [layers.Rescaling, layers.Dense]
    from neuroflow import models
    from neuroflow.engine.keras_tensor import KerasTensor
    assert pipeline(KerasTensor((None, 4))).shape == (None, 3)
    model = models.Sequential([layers.Input((4,)), pipeline])
    x = rng.normal(size=(2, 4)).astype("float32")
    model.save(tmp_path / "m.keras")
    numpy.testing.assert_allclose(models.load_model(tmp_path / "m.keras").predict(x, verbose=0),
                                  model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline(layers.Dense(2))
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline.from_config({"name": "p"})
