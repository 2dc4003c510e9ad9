"""Keras 3's .keras and .weights.h5 formats: fixtures made by real Keras load with Keras' predictions,
neuroflow's files round-trip, and bad input gives errors naming the problem."""
import io
import json
import os
import zipfile

import numpy
import pytest

pytest.importorskip("h5py")

import neuroflow as nf  # noqa: E402
from neuroflow import layers, ops  # noqa: E402
from neuroflow.saving import keras_config, keras_format  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def _fixture(name):
    data = numpy.load(os.path.join(FIXTURES, f"{name}.npz"))
    inputs = [data[k] for k in sorted(data) if k.startswith("x") and k[1:].isdigit()]
    outputs = [data[k] for k in sorted(data) if k.startswith("y") and k[1:].isdigit()]
    return os.path.join(FIXTURES, f"{name}.keras"), (inputs if len(inputs) > 1 else inputs[0]), outputs, data


def _predict(model, inputs):
    outputs = model.predict(inputs, verbose=0)
    return outputs if isinstance(outputs, list) else [outputs]


@pytest.mark.parametrize("name", ["sequential_mlp", "functional_two_io", "compiled_adam"])
def test_keras_fixture_reproduces_keras_predictions(name):
    path, inputs, expected, _ = _fixture(name)
    model = nf.models.load_model(path)
    for got, want in zip(_predict(model, inputs), expected):
        numpy.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_keras_fixture_config_details():
    model = nf.models.load_model(_fixture("sequential_mlp")[0])
    hidden = model.layers[0]
    assert isinstance(hidden.kernel_regularizer, nf.regularizers.L2)
    assert hidden.kernel_regularizer.l2 == pytest.approx(0.01)
    assert isinstance(model.layers[2].kernel_constraint, nf.constraints.MaxNorm)
    assert model.layers[1].rate == 0.25 and model.layers[5].target_shape == (2, 3)
    functional = nf.models.load_model(_fixture("functional_two_io")[0])
    assert functional.input_names == ["left", "right"] and functional.output_names == ["score", "label"]
    # The shared layer is one layer used twice: its weights are counted once.
    assert sum(layer.name == "shared" for layer in functional.layers) == 1


def test_keras_fixture_restores_adam_state():
    path, inputs, _, data = _fixture("compiled_adam")
    model = nf.models.load_model(path)
    assert isinstance(model.optimizer, nf.optimizers.Adam) and int(model.optimizer.iterations) == 6
    model.train_on_batch(data["x_step"], data["y_step"])
    # Keras' own next step from the same state: equal only if iterations, m and v were all restored.
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), data["y_after_step"], atol=1e-5, rtol=0)


def _models():
    rng = numpy.random.default_rng(0)
    sequential = nf.Sequential([nf.Input((5,)), layers.Dense(4, activation="relu", kernel_regularizer="l2"),
                                layers.Dropout(0.5), layers.Dense(3, activation="softmax")])
    a, b = nf.Input((3,), name="a"), nf.Input((3,), name="b")
    shared = layers.Dense(4, activation="tanh")
    merged = layers.Concatenate()([shared(a), shared(b), layers.Maximum()([shared(a), shared(b)])])
    functional = nf.Model([a, b], [layers.Dense(2)(merged), layers.Dense(1, activation="sigmoid")(merged)])
    return {"sequential": (sequential, rng.normal(size=(4, 5)).astype("float32")),
            "functional": (functional, [rng.normal(size=(4, 3)).astype("float32") for _ in range(2)])}


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_neuroflow_keras_file_round_trip(tmp_path, kind):
    model, inputs = _models()[kind]
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == ("Sequential" if kind == "sequential" else "Functional")
    loaded = nf.models.load_model(path)
    for got, want in zip(_predict(loaded, inputs), _predict(model, inputs)):
        numpy.testing.assert_array_equal(got, want)


def test_functional_config_uses_keras_node_format(tmp_path):
    model, _ = _models()["functional"]
    config = keras_config.model_to_keras(model)["config"]
    entries = {entry["name"]: entry for entry in config["layers"]}
    concatenate = next(e for e in config["layers"] if e["class_name"] == "Concatenate")
    first = concatenate["inbound_nodes"][0]["args"][0][0]
    assert first["class_name"] == "__keras_tensor__"
    shared_name, node_index, tensor_index = first["config"]["keras_history"]
    assert entries[shared_name]["class_name"] == "Dense" and (node_index, tensor_index) == (0, 0)
    # The shared Dense is called four times, so its nodes are numbered 0..3.
    assert len(entries[shared_name]["inbound_nodes"]) == 4
    assert [e["class_name"] for e in config["layers"][:2]] == ["InputLayer", "InputLayer"]
    assert config["layers"][0]["config"]["batch_shape"] == [None, 3]
    assert entries[shared_name]["config"]["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                                                       "config": {"name": "float32"}, "registered_name": None}
    assert entries[shared_name]["config"]["kernel_initializer"]["module"] == "keras.initializers"


def test_weight_groups_follow_keras_layout():
    model = nf.Sequential([nf.Input((2,)), layers.Dense(3, name="first"), layers.Dropout(0.1), layers.Dense(1)])
    groups = [(path, len(variables)) for path, _, variables in keras_format.weight_groups(model)]
    # Entries of a layer list are named by class, not by layer name.
    assert groups == [("vars", 0), ("layers/dense/vars", 2), ("layers/dropout/vars", 0), ("layers/dense_1/vars", 2)]


def test_compiled_model_round_trip_keeps_optimizer_state(tmp_path):
    rng = numpy.random.default_rng(1)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    model = nf.Sequential([nf.Input((3,)), layers.Dense(2)])
    model.compile(optimizer=nf.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = nf.models.load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations) == 4
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    numpy.testing.assert_allclose(loaded.get_weights()[0], model.get_weights()[0], atol=1e-7)


def test_weights_only_round_trip(tmp_path):
    model, inputs = _models()["functional"]
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    fresh = type(model).from_config(model.get_config())
    assert not numpy.allclose(_predict(fresh, inputs)[0], _predict(model, inputs)[0])
    fresh.load_weights(path)
    for got, want in zip(_predict(fresh, inputs), _predict(model, inputs)):
        numpy.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expects 2 weight arrays|has no weights|shape"):
        nf.Sequential([nf.Input((3,)), layers.Dense(7)]).load_weights(path)


@nf.saving.register_keras_serializable(package="kf_test")
class _Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, x):
        return ops.multiply(ops.multiply(x, self.gain), self.factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@nf.saving.register_keras_serializable(package="kf_test")
class _TwoLayer(nf.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(3, activation="relu")
        self.blocks = [layers.Dense(2), _Scale(0.5)]

    def call(self, x):
        return self.blocks[1](self.blocks[0](self.hidden(x)))


def test_custom_layer_and_subclassed_model_round_trip(tmp_path):
    x = numpy.random.default_rng(2).normal(size=(3, 4)).astype("float32")
    model = _TwoLayer()
    model(x)
    model.blocks[1].gain.assign(numpy.array([1.0, -2.0], dtype="float32"))
    model.save(tmp_path / "sub.keras")
    with zipfile.ZipFile(tmp_path / "sub.keras") as archive:
        config = json.loads(archive.read("config.json"))
    assert config["registered_name"] == "kf_test>_TwoLayer" and config["build_config"]["input_shape"] == [3, 4]
    paths = [path for path, _, _ in keras_format.weight_groups(model)]
    assert paths == ["vars", "blocks/dense/vars", "blocks/__scale/vars", "hidden/vars"]
    loaded = nf.models.load_model(tmp_path / "sub.keras")
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))

    sequential = nf.Sequential([nf.Input((2,)), _Scale(3.0, name="scale")])
    sequential.save(tmp_path / "seq.keras")
    with zipfile.ZipFile(tmp_path / "seq.keras") as archive:
        entry = json.loads(archive.read("config.json"))["config"]["layers"][1]
    assert entry["registered_name"] == "kf_test>_Scale"
    loaded = nf.models.load_model(tmp_path / "seq.keras", custom_objects={"kf_test>_Scale": _Scale})
    assert isinstance(loaded.layers[0], _Scale) and loaded.layers[0].factor == 3.0


def _write_keras(path, config, weights=b""):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", "{}")
        if weights is not None:
            buffer = io.BytesIO()
            import h5py
            with h5py.File(buffer, "w"):
                pass
            archive.writestr("model.weights.h5", buffer.getvalue())


def _fixture_config():
    with zipfile.ZipFile(_fixture("sequential_mlp")[0]) as archive:
        return json.loads(archive.read("config.json"))


def test_unknown_layer_class_is_refused_by_name(tmp_path):
    config = _fixture_config()
    config["config"]["layers"][2]["class_name"] = "GhostLayer"  # a name no Keras version has (GroupQueryAttention is supported now)
    _write_keras(tmp_path / "bad.keras", config)
    with pytest.raises(ValueError, match="GhostLayer.*not supported"):
        nf.models.load_model(tmp_path / "bad.keras")


def test_unsupported_option_is_refused_by_name(tmp_path):
    config = _fixture_config()
    config["config"]["layers"][1]["config"]["lora_rank"] = 4
    _write_keras(tmp_path / "bad.keras", config)
    with pytest.raises(ValueError, match="lora_rank=4"):
        nf.models.load_model(tmp_path / "bad.keras")
    config = _fixture_config()
    config["config"]["layers"][1]["config"]["dtype"]["config"]["name"] = "mixed_bfloat16"
    _write_keras(tmp_path / "bad.keras", config)
    with pytest.raises(NotImplementedError, match="mixed_bfloat16.*no bfloat16"):
        nf.models.load_model(tmp_path / "bad.keras")


def test_lambda_bytecode_is_refused(tmp_path):
    config = _fixture_config()
    config["config"]["layers"].insert(2, {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                                          "config": {"name": "lam", "function": {"class_name": "__lambda__",
                                                                                   "config": {"code": "4wEAAA=="}}}})
    _write_keras(tmp_path / "bad.keras", config)
    with pytest.raises(ValueError, match="Lambda 'lam'.*bytecode"):
        nf.models.load_model(tmp_path / "bad.keras")


def test_corrupt_and_truncated_files_give_clear_errors(tmp_path):
    data = open(_fixture("sequential_mlp")[0], "rb").read()
    (tmp_path / "truncated.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nf.models.load_model(tmp_path / "truncated.keras")
    (tmp_path / "garbage.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nf.models.load_model(tmp_path / "garbage.keras")
    (tmp_path / "w.weights.h5").write_bytes(b"\x89HDF\r\n garbage")
    model, _ = _models()["sequential"]
    with pytest.raises(ValueError, match="HDF5"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_failed_save_keeps_existing_file(tmp_path):
    model, _ = _models()["sequential"]
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    bad = nf.Sequential([nf.Input((2,)), layers.Lambda(lambda x: x)])
    with pytest.raises((ValueError, NotImplementedError), match="anonymous function"):
        bad.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.keras"]


def test_suffix_dispatch(tmp_path):
    model, inputs = _models()["sequential"]
    model.save(tmp_path / "m.nfz")
    with zipfile.ZipFile(tmp_path / "m.nfz") as archive:
        assert "weights.json" in archive.namelist()          # neuroflow's own format
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "m.h5")                        # Keras' legacy HDF5 (tests/saving/test_legacy_h5.py)
    assert isinstance(nf.models.load_model(tmp_path / "m.h5"), nf.Sequential)
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "m.weights.h5")
