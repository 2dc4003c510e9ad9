"""neuroflow's own format holds Keras 3's config.json: the same writer and reader as '.keras'."""
import json
import pathlib
import zipfile

import numpy
import pytest

from neuroflow import layers, models


def _config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("metadata.json")), json.loads(archive.read("config.json"))


def test_config_is_keras_layout(tmp_path):
    model = models.Sequential([layers.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.nfz")
    metadata, config = _config(tmp_path / "m.nfz")
    assert metadata["format"] == "neuroflow-native" and metadata["version"] == 2
    assert sorted(config) == ["build_config", "class_name", "compile_config", "config", "module", "registered_name"]
    assert config["class_name"] == "Sequential"
    assert [entry["class_name"] for entry in config["config"]["layers"]] == ["InputLayer", "Dense", "Dense"]
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"


def test_ops_and_neuroflow_only_layers_round_trip(tmp_path, rng):
    inputs = layers.Input((1,), dtype="int64")
    encoded = layers.IntegerLookup(vocabulary=[3, 5, 7], output_mode="one_hot")(inputs)
    outputs = layers.Dense(2)(layers.Flatten()(encoded)[:, 1:] * 0.5 + 1.0)
    model = models.Model(inputs, outputs)
    model.save(tmp_path / "m.nfz")
    _, config = _config(tmp_path / "m.nfz")
    modules = {entry["class_name"]: entry["module"] for entry in config["config"]["layers"]}
    assert modules["IntegerLookup"] == "neuroflow.layers"
    assert modules["multiply"] == modules["getitem"] == "neuroflow.ops"
    x = numpy.array([[3], [5], [9]])
    loaded = models.load_model(tmp_path / "m.nfz")
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="applies op"):
        model.save(tmp_path / "m.keras")


V1_FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "native_v1"


def _v1_inputs(name):
    reference = numpy.load(V1_FIXTURES / f"{name}.npz")
    inputs = [reference[key] for key in sorted(reference.files) if key.startswith("input_")]
    return (inputs if len(inputs) > 1 else inputs[0]), reference["prediction"]


@pytest.mark.parametrize("name", ["mlp", "functional"])
def test_version_1_files_still_load_with_their_predictions(name):
    # Written by neuroflow 0.1.0 (tests/saving/fixtures/native_v1/make_native_v1_fixtures.py).
    inputs, expected = _v1_inputs(name)
    model = models.load_model(V1_FIXTURES / f"{name}.nfz")
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), expected, rtol=1e-6, atol=1e-6)
    assert model.compiled
    if name == "mlp":
        assert isinstance(model, models.Sequential) and model.name == "mlp"
        assert type(model.optimizer).__name__ == "Adam"
        assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
        assert model.layers[0].kernel_regularizer is not None and model.layers[1].rate == 0.25
    else:
        assert [tensor.name for tensor in model.inputs] == ["features", "extra"]
        assert type(model.optimizer).__name__ == "RMSprop" and model.get_layer("inner").layers[-1].built


def test_version_1_file_resaves_in_version_2(tmp_path):
    inputs, expected = _v1_inputs("functional")
    models.load_model(V1_FIXTURES / "functional.nfz").save(tmp_path / "new.nfz")
    metadata, _ = _config(tmp_path / "new.nfz")
    assert metadata["version"] == 2
    numpy.testing.assert_allclose(models.load_model(tmp_path / "new.nfz").predict(inputs, verbose=0), expected,
                                  rtol=1e-6, atol=1e-6)


def test_version_1_weights_files_load_into_a_model_built_today():
    inputs, expected = _v1_inputs("mlp")
    model = models.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"), layers.Dropout(0.25),
                               layers.Dense(3, activation="softmax")])
    model.load_weights(V1_FIXTURES / "mlp_weights.nfz")
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), expected, rtol=1e-6, atol=1e-6)


def test_unknown_native_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "future.nfz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"format": "neuroflow-native", "version": 7, "class_name": "Sequential",
                                                    "config": {"layers": []}, "compile_config": None}))
        archive.writestr("weights.json", "[]")
    with pytest.raises(ValueError, match="version 7.*does not know"):
        models.load_model(path)


def test_model_configs_are_keras_layout_and_clone():
    a = layers.Input((4,), name="a")
    shared = layers.Dense(3)
    model = models.Model(a, layers.Add()([shared(a), shared(a)]) - 1.0)
    config = model.get_config()
    assert sorted(config) == ["input_layers", "layers", "name", "output_layers", "trainable"]
    dense = next(entry for entry in config["layers"] if entry["class_name"] == "Dense")
    assert len(dense["inbound_nodes"]) == 2
    assert dense["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["a", 0, 0]
    clone = models.clone_model(model)
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize("suffix", ["nfz", "keras"])
def test_explicit_training_argument_survives_saving(tmp_path, suffix):
    # Monte Carlo dropout: Dropout(...)(x, training=True) stays active at inference, also once loaded.
    inputs = layers.Input((200,))
    model = models.Model(inputs, layers.Dropout(0.5)(inputs, training=True))
    model.save(tmp_path / f"m.{suffix}")
    loaded = models.load_model(tmp_path / f"m.{suffix}")
    dropped = loaded.predict(numpy.ones((4, 200), "float32"), verbose=0) == 0
    assert 0.3 < dropped.mean() < 0.7
