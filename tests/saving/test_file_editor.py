"""KerasFileEditor: reading a Keras-written .keras file, comparing with a model, editing, saving."""
import os

import numpy
import pytest

import neuroflow as nf
from neuroflow.saving import KerasFileEditor

KERAS_FILE = os.path.join(os.path.dirname(__file__), "fixtures", "compiled_adam.keras")


def small_model():
    model = nf.Sequential([nf.Input((4,)), nf.layers.Dense(3, name="hidden"), nf.layers.Dense(1, name="head")])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_reads_a_keras_written_file_and_compares_with_its_model(capsys):
    editor = KerasFileEditor(KERAS_FILE)
    assert editor.config["class_name"] and editor.metadata["keras_version"].startswith("3.")
    editor.summary()
    assert "layers/" in capsys.readouterr().out
    result = editor.compare(nf.models.load_model(KERAS_FILE))
    assert result["status"] == "success" and result["error_count"] == 0 and result["match_count"] > 0


def test_edit_and_save_then_load_weights(tmp_path):
    model = small_model()
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    editor = KerasFileEditor(path)
    assert set(editor.weights_dict["layers"]) == {"dense", "dense_1"} or len(editor.weights_dict["layers"]) == 2
    names = list(editor.weights_dict["layers"])
    editor.add_weights(names[0], {"1": numpy.full(3, 7.0, "float32")})
    out = str(tmp_path / "edited.weights.h5")
    editor.save(out)
    other = small_model()
    other.load_weights(out)
    numpy.testing.assert_array_equal(other.layers[0].bias.numpy(), numpy.full(3, 7.0))
    numpy.testing.assert_array_equal(other.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())


def test_rename_delete_add_and_errors(tmp_path, capsys):
    model = small_model()
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    editor = KerasFileEditor(path)
    first, second = list(editor.weights_dict["layers"])
    editor.rename_object(first, "renamed")
    assert "renamed" in editor.weights_dict["layers"]
    result = editor.compare(model)
    assert result["status"] == "error" and result["error_count"] == 2
    editor.delete_weight(f"layers/{second}", "1")
    assert list(editor.weights_dict["layers"][second]) == ["0"]
    editor.delete_object("renamed")
    editor.add_object("layers/extra", {"0": numpy.ones((2, 2))})
    assert editor.weights_dict["layers"]["extra"]["0"].shape == (2, 2)
    with pytest.raises(ValueError, match="does not appear"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match="not found"):
        editor.delete_object("layers/nothing")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object(second, "a/b")
    with pytest.raises(ValueError, match="Weight 9 not found"):
        editor.delete_weight(second, "9")
    with pytest.raises(ValueError, match="should be a dict"):
        editor.add_weights(second, [1])
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        editor.save(str(tmp_path / "x.h5"))
    with pytest.raises(ValueError, match="extension"):
        KerasFileEditor(str(tmp_path / "x.bin"))
