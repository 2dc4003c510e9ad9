"""GroupQueryAttention: Keras 3's values (fixtures/layersa_references.npz, layersa_gqa.keras), float64
gradients, masks, config, functional shapes, saving and errors."""
import os
import re

import numpy
import pytest

from neuroflow import layers, models
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import config_round_trip

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
REFERENCES = numpy.load(os.path.join(FIXTURES, "layersa_references.npz"))

# The constructors and call options of make_layersa_references.py.
GQA = {
    "gqa": (lambda: layers.GroupQueryAttention(4, 4, 2), {}),
    "gqa_gate_causal": (lambda: layers.GroupQueryAttention(3, 2, 1, use_gate=True), {"use_causal_mask": True}),
    "gqa_window_scores": (lambda: layers.GroupQueryAttention(2, 4, 4, sliding_window=2, use_bias=False),
                          {"return_attention_scores": True}),
    "gqa_masked": (lambda: layers.GroupQueryAttention(2, 2, 2), {"masks": True}),
}


def _layer(case):
    make, options = GQA[case]
    layer = make()
    q, v = REFERENCES[f"{case}_q"], REFERENCES[f"{case}_v"]
    layer(q, v)
    count = sum(1 for key in REFERENCES.files if re.fullmatch(rf"{case}_w\d+", key))
    layer.set_weights([REFERENCES[f"{case}_w{i}"] for i in range(count)])
    kwargs = {key: value for key, value in options.items() if key != "masks"}
    if options.get("masks"):
        kwargs.update(query_mask=REFERENCES[f"{case}_qm"], value_mask=REFERENCES[f"{case}_vm"])
    return layer, q, v, kwargs


@pytest.mark.parametrize("case", sorted(GQA))
def test_matches_keras(case):
    layer, q, v, kwargs = _layer(case)
    out = layer(q, v, **kwargs)
    if kwargs.get("return_attention_scores"):
        out, scores = out
        numpy.testing.assert_allclose(scores.numpy(), REFERENCES[f"{case}_s"], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(out.numpy(), REFERENCES[f"{case}_y"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["gqa", "gqa_gate_causal", "gqa_masked"])
def test_gradients(float64, case):
    layer, q, v, kwargs = _layer(case)
    for w in layer.weights:
        w.assign(w.numpy().astype("float64"))
    check_layer_gradients(layer, q.astype("float64"), v.astype("float64"), **kwargs)


def test_loads_keras_saved_model_and_round_trips(tmp_path):
    model = models.load_model(os.path.join(FIXTURES, "layersa_gqa.keras"))
    inputs = [REFERENCES["gqa_model_q"], REFERENCES["gqa_model_v"]]
    numpy.testing.assert_allclose(model.predict(inputs, verbose=0), REFERENCES["gqa_model_y"], rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = models.load_model(tmp_path / "again.keras")
    numpy.testing.assert_allclose(again.predict(inputs, verbose=0), REFERENCES["gqa_model_y"], rtol=1e-5, atol=1e-5)


def test_functional_shapes_config_and_names():
    layer = layers.GroupQueryAttention(2, 4, 2, dropout=0.1, seed=3)
    assert layer(KerasTensor((None, 5, 6)), KerasTensor((None, 3, 6))).shape == (None, 5, 6)
    out, scores = layer(KerasTensor((None, 5, 6)), KerasTensor((None, 3, 6)), return_attention_scores=True)
    assert scores.shape == (None, 4, 5, 3)
    clone = config_round_trip(layer)
    assert clone.num_repeats == 2 and clone.dropout == 0.1
    assert layers.GroupedQueryAttention is layers.GroupQueryAttention
    assert [w.name for w in layer.weights][:4] == ["kernel", "bias", "kernel", "bias"]


def test_dropout_only_while_training(rng):
    layer = layers.GroupQueryAttention(2, 2, 1, dropout=0.5, seed=1)
    q = rng.normal(size=(2, 4, 3)).astype("float32")
    inference = layer(q, q).numpy()
    numpy.testing.assert_allclose(layer(q, q).numpy(), inference)
    assert not numpy.allclose(layer(q, q, training=True).numpy(), inference)


@pytest.mark.parametrize("make, argument", [
    (lambda: layers.GroupQueryAttention(2, 3, 2), "num_query_heads"),
    (lambda: layers.GroupQueryAttention(0, 2, 2), "head_dim"),
    (lambda: layers.GroupQueryAttention(2, 2, 2, sliding_window=0), "sliding_window"),
    (lambda: layers.GroupQueryAttention(2, 2, 2, dropout=0.5, flash_attention=True), "dropout"),
])
def test_errors_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()


def test_mismatched_inputs_name_them():
    layer = layers.GroupQueryAttention(2, 2, 2)
    with pytest.raises(ValueError, match="value"):
        layer(numpy.zeros((1, 3, 4), "float32"), numpy.zeros((1, 3, 5), "float32"))
