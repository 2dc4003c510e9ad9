"""neuroflow's own format: save, load, predict identically; weights alone; corrupt files; nothing lost."""
import zipfile

import numpy
import pytest

from neuroflow import layers, models, saving


def _sequential():
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,), kernel_regularizer="l2"),
                               layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _functional():
    a, b = layers.Input(shape=(4,), name="a"), layers.Input(shape=(2,), name="b")
    shared = layers.Dense(3, activation="tanh")
    joined = layers.Concatenate()([shared(a), layers.Dense(3)(b)])
    out = layers.Dense(1)(joined * 0.5 + 1.0)
    model = models.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_sequential_round_trip_predicts_identically(tmp_path, rng):
    model = _sequential()
    x, y = rng.normal(size=(32, 4)), rng.integers(0, 3, 32)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = models.load_model(path)
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense"]
    # Compile settings came back too: the loaded model can keep training and evaluating.
    assert loaded.evaluate(x, y, verbose=0, return_dict=True)["loss"] == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True)["loss"], rel=1e-6)
    loaded.fit(x, y, epochs=1, verbose=0)


def test_functional_round_trip_with_ops_and_shared_layers(tmp_path, rng):
    model = _functional()
    xa, xb = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    model.save(tmp_path / "f.nfz")
    loaded = models.load_model(tmp_path / "f.nfz")
    numpy.testing.assert_array_equal(loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0))


def test_file_is_a_zip_of_json_and_npy_without_pickle(tmp_path):
    model = _sequential()
    model.save(tmp_path / "m.nfz")
    with zipfile.ZipFile(tmp_path / "m.nfz") as archive:
        names = archive.namelist()
    assert "config.json" in names and "weights.json" in names
    assert all(name.endswith(".npy") for name in names if name.startswith("weights/"))


def test_save_and_load_weights(tmp_path, rng):
    model = _sequential()
    model.save_weights(tmp_path / "w.weights.h5")
    other = _sequential()
    other.load_weights(tmp_path / "w.weights.h5")
    x = rng.normal(size=(3, 4))
    numpy.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_weights_into_a_different_architecture_names_the_mismatch(tmp_path):
    _sequential().save_weights(tmp_path / "w.nfz")
    other = models.Sequential([layers.Dense(5, input_shape=(4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="shape"):
        other.load_weights(tmp_path / "w.nfz")


def test_corrupt_file_gets_a_clear_error(tmp_path):
    path = tmp_path / "broken.nfz"
    _sequential().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="truncated or corrupt|not a valid zip"):
        models.load_model(path)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.nfz"
    model = _sequential()
    model.save(path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(saving.native, "_write_weights", explode)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.nfz"]


def test_custom_layer_needs_custom_objects_or_registration(tmp_path, rng):
    @saving.register_keras_serializable(package="tests")
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    class Unregistered(layers.Layer):
        def call(self, inputs):
            return inputs + 1.0

    model = models.Sequential([layers.Dense(2, input_shape=(3,)), Doubler()])
    model.save(tmp_path / "c.nfz")
    loaded = models.load_model(tmp_path / "c.nfz")
    x = rng.normal(size=(2, 3))
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))

    other = models.Sequential([layers.Dense(2, input_shape=(3,)), Unregistered()])
    other.save(tmp_path / "u.nfz")
    with pytest.raises(ValueError, match="Unregistered.*custom_objects"):
        models.load_model(tmp_path / "u.nfz")
    loaded = models.load_model(tmp_path / "u.nfz", custom_objects={"Unregistered": Unregistered})
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), other.predict(x, verbose=0))


def test_overwrite_false_refuses(tmp_path):
    model = _sequential()
    model.save(tmp_path / "m.nfz")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.nfz", overwrite=False)
