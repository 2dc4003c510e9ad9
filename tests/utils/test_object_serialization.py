"""serialize_keras_object / deserialize_keras_object: Keras 3's layout (recorded from Keras by
fixtures/make_serialization_fixtures.py) and round trips for every configurable family."""
import json
import os

import numpy
import pytest

import neuroflow as nf
from neuroflow.utils import deserialize_keras_object, serialize_keras_object

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "keras_serialization.json")


@pytest.fixture(scope="module")
def keras_record():
    with open(FIXTURE) as handle:
        return json.load(handle)


def objects():
    return {
        "dense": nf.layers.Dense(3, activation="relu"),
        "mse_loss": nf.losses.MeanSquaredError(),
        "mse_function": nf.losses.mean_squared_error,
        "accuracy": nf.metrics.Accuracy(),
        "adam": nf.optimizers.Adam(0.01),
        "glorot": nf.initializers.GlorotUniform(seed=1),
        "l2": nf.regularizers.L2(0.1),
        "non_neg": nf.constraints.NonNeg(),
        "relu": nf.activations.relu,
        "schedule": nf.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
        "int": 3, "str": "abc", "list": [1, 2], "dict": {"a": 1}, "none": None,
    }


@pytest.mark.parametrize("name", list(objects()))
def test_layout_matches_keras(keras_record, name):
    theirs = keras_record["objects"][name]
    ours = json.loads(json.dumps(serialize_keras_object(objects()[name])))
    if not isinstance(theirs, dict):
        assert ours == theirs
        return
    if "class_name" not in theirs:
        assert ours == theirs
        return
    assert set(ours) == set(theirs)
    assert ours["class_name"] == theirs["class_name"]
    if theirs["class_name"] == "function":
        assert ours == theirs
        return
    # Built-ins name their public module: Keras' 'keras.X' is neuroflow's 'neuroflow.X' (Keras' optimizer
    # module is its backend-specific class, which has no counterpart here).
    if name != "adam":
        assert ours["module"] == theirs["module"].replace("keras", "neuroflow", 1)
        assert ours["registered_name"] == theirs["registered_name"]
    # Keras' newer arguments (input_axes, quantization_config ...) aside, the argument names are Keras'.
    missing = set(theirs["config"]) - set(ours["config"])
    assert missing <= {"input_axes", "output_axes", "quantization_config"}, missing


@pytest.mark.parametrize("name", list(objects()))
def test_round_trip_through_json(name):
    original = objects()[name]
    restored = deserialize_keras_object(json.loads(json.dumps(serialize_keras_object(original))))
    if hasattr(original, "get_config"):
        assert type(restored) is type(original)
        assert restored.get_config() == original.get_config() or name == "dense"
    else:
        assert restored == original


def test_keras_recorded_entries_deserialize(keras_record):
    for name in ("mse_loss", "accuracy", "glorot", "l2", "non_neg", "schedule", "relu", "mse_function"):
        restored = deserialize_keras_object(keras_record["objects"][name])
        expected = objects()[name]
        if callable(expected) and not hasattr(expected, "get_config"):
            assert restored is expected
        else:
            assert type(restored) is type(expected)


def test_built_layer_keeps_its_build_config_and_restores_built():
    layer = nf.layers.Dense(2)
    layer(numpy.zeros((1, 5), "float32"))
    entry = serialize_keras_object(layer)
    assert entry["build_config"] == {"input_shape": [None, 5]} or entry["build_config"]["input_shape"][-1] == 5
    restored = deserialize_keras_object(json.loads(json.dumps(entry)))
    assert restored.built and restored.kernel.shape == (5, 2)


def test_compiled_model_round_trip_keeps_layers_and_compile_config():
    model = nf.Sequential([nf.Input((4,)), nf.layers.Dense(3), nf.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    entry = json.loads(json.dumps(serialize_keras_object(model)))
    assert entry["module"] == "neuroflow.models" and "compile_config" in entry
    restored = deserialize_keras_object(entry)
    assert [type(layer) for layer in restored.layers] == [type(layer) for layer in model.layers]


def test_special_values():
    array = numpy.arange(6, dtype="int32").reshape(2, 3)
    entry = serialize_keras_object(array)
    assert entry["class_name"] == "__numpy__"
    numpy.testing.assert_array_equal(deserialize_keras_object(json.loads(json.dumps(entry))), array)
    assert deserialize_keras_object(serialize_keras_object(b"xy")) == b"xy"
    assert deserialize_keras_object(serialize_keras_object(slice(1, 5, 2))) == slice(1, 5, 2)
    assert serialize_keras_object(numpy.float32(1.5)) == 1.5
    assert serialize_keras_object((1, 2)) == (1, 2)


def test_registered_custom_class_and_function():
    @nf.saving.register_keras_serializable(package="utils10_tests")
    class Scale(nf.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @nf.saving.register_keras_serializable(package="utils10_tests")
    def double(x):
        return x * 2

    entry = serialize_keras_object(Scale(3.0))
    assert entry["registered_name"] == "utils10_tests>Scale"
    assert entry["module"] == __name__
    restored = deserialize_keras_object(json.loads(json.dumps(entry)))
    assert isinstance(restored, Scale) and restored.factor == 3.0
    function_entry = serialize_keras_object(double)
    assert function_entry == {"module": __name__, "class_name": "function", "config": "utils10_tests>double",
                              "registered_name": "utils10_tests>double"}
    assert deserialize_keras_object(function_entry) is double


def test_custom_objects_and_scope_resolve_unregistered_classes():
    class Plain(nf.layers.Layer):
        def call(self, x):
            return x

    entry = json.loads(json.dumps(serialize_keras_object(Plain(name="p"))))
    with pytest.raises(ValueError, match="Unknown class 'Plain'.*custom_objects"):
        deserialize_keras_object(entry)
    assert isinstance(deserialize_keras_object(entry, custom_objects={"Plain": Plain}), Plain)
    with nf.utils.custom_object_scope({"Plain": Plain}):
        assert isinstance(deserialize_keras_object(entry), Plain)
    with nf.utils.CustomObjectScope({"Plain": Plain}):
        assert nf.utils.get_registered_object("Plain") is Plain


def test_errors():
    with pytest.raises(TypeError, match="get_config"):
        serialize_keras_object(object())
    with pytest.raises(ValueError, match="Unknown function 'no_such_fn'"):
        deserialize_keras_object({"module": "builtins", "class_name": "function", "config": "no_such_fn",
                                  "registered_name": "function"})
    with pytest.raises(ValueError, match="lambda"):
        deserialize_keras_object({"class_name": "__lambda__", "config": {"value": "..."}})


def test_namespaces():
    assert nf.saving.serialize_keras_object is serialize_keras_object
    assert nf.saving.deserialize_keras_object is deserialize_keras_object
    assert nf.utils.get_custom_objects() is nf.saving.get_custom_objects()
    assert nf.utils.get_registered_name(nf.layers.Dense) == "Dense"
    assert nf.utils.get_registered_object("x", module_objects={"x": 1}) == 1
