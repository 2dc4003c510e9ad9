"""Keras' legacy HDF5 whole-model format ('.h5'): files written by real Keras 3 load with Keras'
predictions, neuroflow's files have Keras' layout and round-trip, Keras 2 layouts read, and bad
files give errors naming the problem. (That real Keras loads neuroflow's files is checked by
fixtures/check_keras_loads_neuroflow_h5.py, which needs Keras.)"""
import json
import os
import shutil

import numpy
import pytest

h5py = pytest.importorskip("h5py")

import neuroflow as nf  # noqa: E402
from neuroflow import layers  # noqa: E402
from neuroflow.saving import legacy_h5  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def _fixture(name):
    data = numpy.load(os.path.join(FIXTURES, f"legacy_{name}.npz"))
    inputs = [data[k] for k in sorted(data) if k.startswith("x") and k[1:].isdigit()]
    outputs = [data[k] for k in sorted(data) if k.startswith("y") and k[1:].isdigit()]
    return os.path.join(FIXTURES, f"legacy_{name}.h5"), (inputs if len(inputs) > 1 else inputs[0]), outputs, data


def _predict(model, inputs):
    outputs = model.predict(inputs, verbose=0)
    return outputs if isinstance(outputs, list) else [outputs]


def _save(model, path):
    with pytest.warns(UserWarning, match="legacy.*my_model.keras"):
        model.save(path)


# ---- files written by Keras 3 -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["mlp", "adam", "two_inputs", "cnn"])
def test_keras_file_reproduces_keras_predictions(name):
    path, inputs, expected, _ = _fixture(name)
    model = nf.models.load_model(path)
    outputs = _predict(model, inputs)
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        numpy.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_keras_file_architecture_and_compile_settings():
    mlp = nf.models.load_model(_fixture("mlp")[0])
    assert isinstance(mlp, nf.Sequential) and [type(layer).__name__ for layer in mlp.layers] == ["Dense", "Dropout", "Dense"]
    assert mlp.layers[1].rate == 0.25 and mlp.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)
    assert mlp.compiled and isinstance(mlp.optimizer, nf.optimizers.Adam)
    assert float(mlp.optimizer.learning_rate) == pytest.approx(0.01)
    assert int(mlp.optimizer.iterations) == 4                    # 2 epochs of 2 batches in Keras
    assert not nf.models.load_model(_fixture("mlp")[0], compile=False).compiled

    functional = nf.models.load_model(_fixture("two_inputs")[0])
    assert functional.input_names == ["left", "right"]
    assert sum(layer.name == "shared" for layer in functional.layers) == 1   # one layer called twice

    cnn = nf.models.load_model(_fixture("cnn")[0])
    batch_norm = cnn.layers[1]
    with h5py.File(_fixture("cnn")[0], "r") as handle:
        stored = handle["model_weights/batch_normalization/cnn/batch_normalization/moving_variance"][()]
    numpy.testing.assert_array_equal(batch_norm.moving_variance.numpy(), stored)


def test_keras_file_restores_adam_state():
    path, inputs, _, data = _fixture("adam")
    model = nf.models.load_model(path)
    assert int(model.optimizer.iterations) == 6
    model.train_on_batch(data["x_step"], data["y_step"])
    # Keras' own next step from the same state: equal only if iterations, m and v were all restored.
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), data["y_after_step"], atol=1e-5, rtol=0)


def test_load_weights_from_whole_model_file():
    path, inputs, expected, _ = _fixture("cnn")
    model = nf.Sequential([nf.Input((8, 8, 2)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                           layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Conv2D(3, 3), layers.Flatten(),
                           layers.Dense(2)])
    model.load_weights(path)     # matched by order, as Keras does: the layer names differ
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), expected[0], atol=1e-5, rtol=0)


# ---- files written by neuroflow ---------------------------------------------------------------

def _trained_sequential():
    rng = numpy.random.default_rng(1)
    model = nf.Sequential([nf.Input((5,)), layers.Dense(6, activation="relu"), layers.Dropout(0.2),
                           layers.Dense(3, activation="softmax")], name="seq")
    model.compile(optimizer=nf.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(rng.normal(size=(12, 5)).astype("float32"), rng.integers(0, 3, size=12), epochs=2, batch_size=4,
              verbose=0)
    return model, rng.normal(size=(4, 5)).astype("float32")


def test_written_file_has_keras_legacy_layout(tmp_path):
    model, _ = _trained_sequential()
    path = tmp_path / "my_model.h5"
    _save(model, path)
    with h5py.File(path, "r") as handle:
        assert {"model_config", "keras_version", "backend", "training_config"} <= set(handle.attrs)
        config = json.loads(handle.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert [entry["class_name"] for entry in config["config"]["layers"]] == ["InputLayer", "Dense", "Dropout", "Dense"]
        training = json.loads(handle.attrs["training_config"])
        assert training["optimizer_config"]["class_name"] == "Adam" and training["loss"] == "sparse_categorical_crossentropy"
        weights = handle["model_weights"]
        names = [model.layers[i].name for i in range(3)]
        assert [n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]] == names
        kernel_names = [n.decode() if isinstance(n, bytes) else n for n in weights[names[0]].attrs["weight_names"]]
        assert kernel_names == [f"{names[0]}/kernel", f"{names[0]}/bias"]
        numpy.testing.assert_array_equal(weights[names[0]][kernel_names[0]][()], model.layers[0].kernel.numpy())
        assert len(weights[names[1]].attrs["weight_names"]) == 0          # Dropout: no weights
        optimizer_names = handle["optimizer_weights"].attrs["weight_names"]
        assert len(optimizer_names) == 2 + 2 * 4                          # iteration, lr, m and v per variable
        assert int(handle["optimizer_weights"][optimizer_names[0]][()]) == 6


def test_round_trip_sequential_with_optimizer_state(tmp_path):
    model, inputs = _trained_sequential()
    path = tmp_path / "m.h5"
    _save(model, path)
    loaded = nf.models.load_model(path)
    numpy.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    assert loaded.compiled and int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 6
    for mine, theirs in zip(model.optimizer.variables, loaded.optimizer.variables):
        numpy.testing.assert_array_equal(numpy.asarray(mine.numpy()), numpy.asarray(theirs.numpy()))


def test_round_trip_functional_and_cnn(tmp_path):
    rng = numpy.random.default_rng(2)
    a, b = nf.Input((4,), name="a"), nf.Input((4,), name="b")
    shared = layers.Dense(3, activation="tanh", name="shared")
    merged = layers.Concatenate()([shared(a), shared(b)])
    functional = nf.Model([a, b], [layers.Dense(1, name="one")(merged), layers.Dense(2, name="two")(merged)])
    cnn = nf.Sequential([nf.Input((6, 6, 1)), layers.Conv2D(2, 3, activation="relu"), layers.BatchNormalization(),
                         layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)])
    cnn.layers[1].moving_mean.assign(numpy.array([0.5, -0.25], dtype="float32"))
    for model, inputs in [(functional, [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)]),
                          (cnn, rng.normal(size=(2, 6, 6, 1)).astype("float32"))]:
        path = tmp_path / f"{model.name}.hdf5"
        _save(model, path)
        loaded = nf.models.load_model(path)
        assert not loaded.compiled
        for got, want in zip(_predict(loaded, inputs), _predict(model, inputs)):
            numpy.testing.assert_array_equal(got, want)


def test_save_weights_refuses_plain_h5(tmp_path):
    model, _ = _trained_sequential()
    with pytest.raises(ValueError, match=r"'\.weights\.h5'"):
        model.save_weights(tmp_path / "w.h5")


def test_failed_save_keeps_existing_file(tmp_path, monkeypatch):
    model, _ = _trained_sequential()
    path = tmp_path / "m.h5"
    _save(model, path)
    before = path.read_bytes()

    def broken(group, model):
        raise RuntimeError("disk full")

    monkeypatch.setattr(legacy_h5, "_write_model_weights", broken)
    with pytest.raises(RuntimeError, match="disk full"), pytest.warns(UserWarning):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.h5"]


# ---- Keras 2 layouts ---------------------------------------------------------------------------

def _names(group, name, values):
    group.attrs[name] = numpy.asarray([v.encode() for v in values]) if values else numpy.asarray([], dtype="float64")


def test_keras2_weights_file_loads_by_order(tmp_path):
    """save_weights('w.h5') in Keras 2: the model_weights layout at the root, weight names with ':0'."""
    rng = numpy.random.default_rng(3)
    kernel, bias = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=2).astype("float32")
    path = tmp_path / "keras2.h5"
    with h5py.File(path, "w") as handle:
        _names(handle, "layer_names", ["dropout_1", "dense_7"])
        handle.attrs["keras_version"], handle.attrs["backend"] = b"2.15.0", b"tensorflow"
        _names(handle.create_group("dropout_1"), "weight_names", [])
        group = handle.create_group("dense_7")
        _names(group, "weight_names", ["dense_7/kernel:0", "dense_7/bias:0"])
        group["dense_7/kernel:0"], group["dense_7/bias:0"] = kernel, bias
    model = nf.Sequential([nf.Input((3,)), layers.Dropout(0.5), layers.Dense(2)])
    model.load_weights(path)
    numpy.testing.assert_array_equal(model.layers[1].kernel.numpy(), kernel)
    numpy.testing.assert_array_equal(model.layers[1].bias.numpy(), bias)
    wrong = nf.Sequential([nf.Input((3,)), layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="1 layers .*dense_7.* 2 layers with weights"):
        wrong.load_weights(path)


def test_keras2_model_file_with_legacy_config(tmp_path):
    """A Keras 2 functional config: batch_input_shape, list-form inbound nodes, no 'module' keys."""
    rng = numpy.random.default_rng(4)
    dense = lambda name, units: {"class_name": "Dense", "config": {  # noqa: E731
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": "relu", "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}
    layer_list = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
        dict(dense("dense", 2), name="dense", inbound_nodes=[[["input_1", 0, 0, {}]]]),
        dict(dense("dense_1", 2), name="dense_1", inbound_nodes=[[["input_1", 0, 0, {}]]]),
        {"class_name": "Add", "config": {"name": "add", "trainable": True, "dtype": "float32"}, "name": "add",
         "inbound_nodes": [[["dense", 0, 0, {}], ["dense_1", 0, 0, {}]]]},
    ]
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layer_list,
                                                     "input_layers": [["input_1", 0, 0]],
                                                     "output_layers": [["add", 0, 0]]}}
    arrays = {name: (rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=2).astype("float32"))
              for name in ("dense", "dense_1")}
    path = tmp_path / "keras2_model.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps(config).encode()
        handle.attrs["keras_version"], handle.attrs["backend"] = "2.15.0", "tensorflow"
        weights = handle.create_group("model_weights")
        _names(weights, "layer_names", ["input_1", "dense", "dense_1", "add"])
        for name in ("input_1", "add"):
            _names(weights.create_group(name), "weight_names", [])
        for name, (kernel, bias) in arrays.items():
            group = weights.create_group(name)
            _names(group, "weight_names", [f"{name}/kernel:0", f"{name}/bias:0"])
            group[f"{name}/kernel:0"], group[f"{name}/bias:0"] = kernel, bias
    model = nf.models.load_model(path)
    x = rng.normal(size=(4, 3)).astype("float32")
    expected = sum(numpy.maximum(x @ kernel + bias, 0) for kernel, bias in arrays.values())
    numpy.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6, rtol=0)


# ---- bad files ---------------------------------------------------------------------------------

def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.h5"):
        nf.models.load_model(tmp_path / "nothing.h5")
    text = tmp_path / "text.h5"
    text.write_text("not an HDF5 file")
    with pytest.raises(ValueError, match="not a readable HDF5 file.*corrupt"):
        nf.models.load_model(text)
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(open(_fixture("mlp")[0], "rb").read()[:3000])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nf.models.load_model(truncated)
    no_config = tmp_path / "weights_only.h5"
    with h5py.File(no_config, "w") as handle:
        _names(handle, "layer_names", [])
    with pytest.raises(ValueError, match="weights only.*load_weights"):
        nf.models.load_model(no_config)
    bad_json = tmp_path / "bad_json.h5"
    shutil.copy(_fixture("mlp")[0], bad_json)
    with h5py.File(bad_json, "a") as handle:
        handle.attrs["model_config"] = b"{not json"
    with pytest.raises(ValueError, match="model_config attribute is not valid JSON"):
        nf.models.load_model(bad_json)


def test_unknown_layer_is_named(tmp_path):
    path = tmp_path / "unknown.h5"
    shutil.copy(_fixture("two_inputs")[0], path)
    with h5py.File(path, "a") as handle:
        config = json.loads(handle.attrs["model_config"])
        config["config"]["layers"][2]["class_name"] = "FancyDense"
        handle.attrs["model_config"] = json.dumps(config).encode()
    with pytest.raises(ValueError, match="FancyDense.*custom_objects"):
        nf.models.load_model(path)


def test_weights_that_do_not_fit_are_refused(tmp_path):
    path, inputs, _, _ = _fixture("adam")
    wrong = nf.Sequential([nf.Input((3,)), layers.Dense(5, activation="relu"), layers.Dense(2)])
    before = wrong.layers[1].kernel.numpy().copy()
    with pytest.raises(ValueError, match=r"shape \(3, 5\) but .* holds shape \(3, 4\)"):
        wrong.load_weights(path)
    numpy.testing.assert_array_equal(wrong.layers[1].kernel.numpy(), before)   # nothing half-loaded
