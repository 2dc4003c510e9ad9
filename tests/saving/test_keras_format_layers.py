"""Keras 3 files of convolutional, pooling, normalization, regularization, activation and sequence
layers: fixtures written by real Keras (make_keras_fixtures.py) load with Keras' predictions, and
neuroflow writes them back in exactly Keras' weight layout."""
import io
import json
import zipfile

import numpy
import pytest

h5py = pytest.importorskip("h5py")

import neuroflow as nf  # noqa: E402
from neuroflow.saving import keras_config  # noqa: E402
from tests.saving.test_keras_format import _fixture, _predict  # noqa: E402

LAYER_FIXTURES = ["cnn_2d", "cnn_2d_global", "cnn_1d", "sequence_embedding", "sequence_bidirectional",
                  "sequence_gru_variants", "activation_layers", "preprocessing", "merge_reshape_1d", "sequence_attention"]


def _load(name):
    path, inputs, expected, _ = _fixture(name)
    return nf.models.load_model(path), inputs, expected


def _datasets(path):
    """{h5 dataset path: shape} of a .keras file's layer weights (the optimizer's are left out)."""
    with zipfile.ZipFile(path) as archive:
        handle = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    found = {}
    handle.visititems(lambda name, item: found.__setitem__(name, item.shape)
                      if isinstance(item, h5py.Dataset) and not name.startswith("optimizer") else None)
    handle.close()
    return found


@pytest.mark.parametrize("name", LAYER_FIXTURES)
def test_keras_layer_fixture_reproduces_keras_predictions(name):
    model, inputs, expected = _load(name)
    outputs = _predict(model, inputs)
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.shape == want.shape
        numpy.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", LAYER_FIXTURES)
def test_neuroflow_rewrites_keras_weight_layout(tmp_path, name):
    model, inputs, expected = _load(name)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    # Same groups, same order within each group, same shapes as the file Keras wrote.
    assert _datasets(path) == _datasets(_fixture(name)[0])
    again = nf.models.load_model(path)
    for got, want in zip(_predict(again, inputs), expected):
        numpy.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
    weights = tmp_path / f"{name}.weights.h5"
    model.save_weights(weights)
    for variable in again.weights:
        variable.assign(numpy.zeros(variable.shape, dtype=variable.value.dtype))
    again.load_weights(weights)
    for got, want in zip(_predict(again, inputs), expected):
        numpy.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_batch_normalization_moving_statistics_are_read():
    model, _, _ = _load("cnn_2d")
    norm = [layer for layer in model.layers if isinstance(layer, nf.layers.BatchNormalization)]
    assert [n.momentum for n in norm] == [0.99, 0.5] and norm[1].epsilon == pytest.approx(0.01)
    # Keras trained a few steps before saving: the moving statistics left their (0, 1) start.
    assert numpy.abs(norm[1].moving_mean.numpy()).max() > 1e-3
    assert numpy.abs(norm[1].moving_variance.numpy() - 1).max() > 1e-3
    functional, _, _ = _load("cnn_2d_global")
    centerless = next(layer for layer in functional.layers if isinstance(layer, nf.layers.BatchNormalization))
    assert centerless.center is False and len(centerless.weights) == 3


def test_recurrent_fixture_configs():
    model, _, _ = _load("sequence_gru_variants")
    grus = [layer for layer in model.layers if isinstance(layer, nf.layers.GRU)]
    assert [g.reset_after for g in grus] == [True, False, False]
    assert [g.bias.shape if g.bias is not None else None for g in grus] == [(2, 12), (12,), None]
    model, _, _ = _load("sequence_bidirectional")
    first = next(layer for layer in model.layers if isinstance(layer, nf.layers.Bidirectional))
    assert first.merge_mode == "concat"
    assert (first.forward_layer.go_backwards, first.backward_layer.go_backwards) == (False, True)
    assert first.forward_layer.zero_output_for_mask and first.backward_layer.zero_output_for_mask


def test_masked_steps_are_ignored_after_loading():
    model, tokens, expected = _load("sequence_embedding")
    assert model.layers[0].mask_zero is True
    # Padding (token 0) is masked: whatever its embedding, the predictions stay Keras'.
    embeddings = model.layers[0].embeddings
    changed = embeddings.numpy().copy()
    changed[0] = 10.0
    embeddings.assign(changed)
    numpy.testing.assert_allclose(model.predict(tokens, verbose=0), expected[0], atol=1e-5, rtol=0)
    # ...while a real token's embedding does change them (the check above can fail).
    changed[tokens[0, 0]] += 1.0
    embeddings.assign(changed)
    assert numpy.abs(model.predict(tokens, verbose=0) - expected[0]).max() > 1e-3


def test_bidirectional_sequence_output_is_zero_at_masked_steps():
    model, inputs, _ = _load("sequence_bidirectional")
    sequences = _predict(model, inputs)[1]
    assert numpy.all(sequences[0, 4:] == 0) and numpy.all(sequences[2, 5:] == 0)
    assert numpy.all(numpy.abs(sequences[1]).max(axis=-1) > 0)


def _edited(name, edit):
    """The config of fixture `name` after `edit(config)`: a model_from_keras input."""
    with zipfile.ZipFile(_fixture(name)[0]) as archive:
        config = json.loads(archive.read("config.json"))
    edit(config)
    return config


def _layer_entry(config, class_name):
    return next(entry for entry in config["config"]["layers"] if entry["class_name"] == class_name)


@pytest.mark.parametrize("name, class_name, key, value, message", [
    ("cnn_2d", "BatchNormalization", "renorm", True, "renorm=True"),
    ("cnn_2d", "BatchNormalization", "synchronized", True, "synchronized=True"),
    ("cnn_1d", "LayerNormalization", "rms_scaling", True, "rms_scaling=True"),
    ("cnn_2d", "UpSampling2D", "interpolation", "bicubic", "bicubic"),
    ("sequence_embedding", "Embedding", "lora_rank", 4, "lora_rank=4"),
    ("sequence_embedding", "GRU", "stateful", True, "stateful=True"),
])
def test_unsupported_keras_options_are_refused_by_name(name, class_name, key, value, message):
    config = _edited(name, lambda c: _layer_entry(c, class_name)["config"].__setitem__(key, value))
    with pytest.raises((ValueError, NotImplementedError), match=message) as error:
        keras_config.model_from_keras(config)
    assert class_name in str(error.value)


def test_keras_layer_class_without_neuroflow_counterpart_is_refused():
    def to_saved_model_layer(config):  # (Conv3D and ConvLSTM3D, used here before, are supported now)
        _layer_entry(config, "Conv2D")["class_name"] = "TFSMLayer"
    with pytest.raises(ValueError, match="TFSMLayer.*not supported"):
        keras_config.model_from_keras(_edited("cnn_2d", to_saved_model_layer))


def test_traced_mask_op_read_as_data_is_refused():
    def feed_mask_as_data(config):
        dense = _layer_entry(config, "TimeDistributed")
        node = dense["inbound_nodes"][0]
        node["args"] = [node["kwargs"].pop("mask")]
    with pytest.raises(ValueError, match="traced mask op"):
        keras_config.model_from_keras(_edited("sequence_bidirectional", feed_mask_as_data))


def test_unsupported_keras_op_node_is_refused():
    def add_op(config):
        _layer_entry(config, "Any")["class_name"] = "Cumsum"
    with pytest.raises(ValueError, match="Cumsum"):
        keras_config.model_from_keras(_edited("sequence_bidirectional", add_op))
