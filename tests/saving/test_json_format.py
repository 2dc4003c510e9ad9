"""Model.to_json / models.model_from_json: Keras 3's JSON (recorded from Keras in
tests/utils/fixtures/keras_serialization.json), and Model.get_compile_config."""
import json
import os

import numpy
import pytest

import neuroflow as nf

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "utils", "fixtures", "keras_serialization.json")


def keras_model_json():
    with open(FIXTURE) as handle:
        return json.load(handle)["model_json"]


def small_model():
    model = nf.Sequential([nf.Input((4,)), nf.layers.Dense(3, activation="relu"), nf.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_to_json_has_keras_layout():
    ours = json.loads(small_model().to_json())
    theirs = json.loads(keras_model_json())
    assert set(ours) == set(theirs)
    assert ours["class_name"] == theirs["class_name"] == "Sequential"
    assert [layer["class_name"] for layer in ours["config"]["layers"]] == \
        [layer["class_name"] for layer in theirs["config"]["layers"]]
    assert set(ours["compile_config"]) == set(theirs["compile_config"])


def test_round_trip_rebuilds_and_compiles():
    model = small_model()
    restored = nf.models.model_from_json(model.to_json())
    assert isinstance(restored, nf.Sequential) and restored.compiled
    assert [w.shape for w in restored.weights] == [w.shape for w in model.weights]
    assert restored.predict(numpy.ones((2, 4), "float32"), verbose=0).shape == (2, 1)


def test_functional_round_trip():
    inputs = nf.Input((3,))
    outputs = nf.layers.Dense(2)(nf.layers.Dense(4, activation="tanh")(inputs))
    model = nf.Model(inputs, outputs)
    restored = nf.models.model_from_json(model.to_json(indent=1))
    assert restored.output_shape == (None, 2)
    assert not restored.compiled


def test_keras_json_loads():
    model = nf.models.model_from_json(keras_model_json())
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    assert model.compiled
    model.fit(numpy.ones((4, 4), "float32"), numpy.ones((4, 1), "float32"), epochs=1, verbose=0)


def test_bad_json_names_the_problem():
    with pytest.raises(ValueError, match="model_from_json expects the JSON string"):
        nf.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="class_name"):
        nf.models.model_from_json("[1, 2]")


def test_get_compile_config_and_saving_names():
    config = small_model().get_compile_config()
    assert config["loss"] == "mse" and "optimizer" in config
    for name in ("save_model", "load_model", "save_weights", "load_weights", "get_custom_objects",
                 "serialize_keras_object", "deserialize_keras_object", "register_keras_serializable"):
        assert hasattr(nf.saving, name), name


def test_save_weights_refuses_sharding(tmp_path):
    with pytest.raises(NotImplementedError, match="max_shard_size"):
        small_model().save_weights(str(tmp_path / "w.weights.h5"), max_shard_size=1)


def test_get_compile_config_has_keras_keys_and_compile_from_config_restores_them():
    # Keras 3.15.1 gives exactly these values for this compile (the optimizer aside).
    inputs = nf.Input((3,))
    model = nf.Model(inputs, [nf.layers.Dense(1, name="a")(inputs), nf.layers.Dense(2, name="b")(inputs)])
    model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5], metrics=[["mae"], ["mse"]],
                  weighted_metrics=[["mse"], []], run_eagerly=True, steps_per_execution=2)
    config = model.get_compile_config()
    assert config.pop("optimizer")["class_name"] == "SGD"
    assert config == {"loss": ["mse", "mae"], "loss_weights": [1.0, 0.5], "metrics": [["mae"], ["mse"]],
                      "weighted_metrics": [["mse"], []], "run_eagerly": True, "steps_per_execution": 2,
                      "jit_compile": False}
    again = nf.Model.from_config(model.get_config())   # a functional config: Model.from_config rebuilds it
    again.compile_from_config(model.get_compile_config())
    assert again.get_compile_config()["weighted_metrics"] == [["mse"], []] and again.run_eagerly
    plain = small_model().get_compile_config()
    assert plain["loss_weights"] is None and plain["weighted_metrics"] is None and plain["jit_compile"] is False
