"""MultiHeadAttention, Attention and AdditiveAttention: Keras 3's outputs for fixed weights
(fixtures/attention_references.npz, written by fixtures/make_attention_references.py with real
Keras), masks, attention scores, float64 gradients, config round trips and a trained block."""
import os

import numpy
import pytest

import neuroflow as nf
from neuroflow import layers
from neuroflow.testing import check_layer_gradients

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "attention_references.npz"))


def _ref(case, kind, count):
    return [REFERENCES[f"{case}_{kind}{i}"] for i in range(count)]


def _weights(case):
    return [REFERENCES[k] for k in sorted((k for k in REFERENCES.files if k.startswith(f"{case}_w")),
                                           key=lambda k: int(k.rsplit("w", 1)[1]))]


def _close(got, want):
    numpy.testing.assert_allclose(numpy.asarray(got), want, atol=2e-6, rtol=0)


# ---- Keras' numbers ------------------------------------------------------------------------------

def test_mha_cross_attention_with_key_and_explicit_mask_matches_keras():
    query, value, key = _ref("cross", "x", 3)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    mha(query, value, key)
    assert [tuple(w.shape) for w in mha.weights] == [(5, 2, 3), (2, 3), (3, 2, 3), (2, 3), (7, 2, 4), (2, 4),
                                                     (2, 4, 5), (5,)]
    assert [w.path for w in mha.weights][::2] == ["query/kernel", "key/kernel", "value/kernel",
                                                 "attention_output/kernel"]
    mha.set_weights(_weights("cross"))
    output, scores = mha(query, value, key, attention_mask=REFERENCES["cross_m0"], return_attention_scores=True)
    _close(output.numpy(), REFERENCES["cross_y0"])
    _close(scores.numpy(), REFERENCES["cross_y1"])
    assert scores.shape == (2, 2, 4, 6)
    assert numpy.all(scores.numpy()[numpy.broadcast_to(~REFERENCES["cross_m0"][:, None], scores.shape)] == 0)


def test_mha_causal_mask_without_bias_and_output_shape_matches_keras():
    (x,) = _ref("causal", "x", 1)
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=2, use_bias=False, output_shape=3)
    mha(x, x)
    mha.set_weights(_weights("causal"))
    output, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    assert output.shape == (2, 5, 3)
    _close(output.numpy(), REFERENCES["causal_y0"])
    _close(scores.numpy(), REFERENCES["causal_y1"])
    # Strictly upper-triangular weights are exactly 0: no position sees the future.
    assert numpy.all(numpy.triu(scores.numpy(), k=1) == 0)
    numpy.testing.assert_allclose(scores.numpy().sum(-1), 1.0, atol=1e-6)


def test_mha_carried_padding_masks_match_keras_both_paths():
    (x,) = _ref("padding", "x", 1)
    (padding,) = _ref("padding", "m", 1)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    mha(x, x)
    mha.set_weights(_weights("padding"))

    def masked():
        tensor = nf.ops.convert_to_tensor(x)
        tensor._keras_mask = nf.ops.convert_to_tensor(padding)
        return tensor

    output, scores = mha(masked(), masked(), return_attention_scores=True)
    _close(output.numpy(), REFERENCES["padding_y0"])
    _close(scores.numpy(), REFERENCES["padding_y1"])
    # Padded keys get no weight; a padded query row is fully masked (weights 0 on this path).
    assert numpy.all(scores.numpy()[0, :, :, 3:] == 0)
    numpy.testing.assert_allclose(scores.numpy()[0, :, :3].sum(-1), 1.0, atol=1e-6)
    query = masked()
    fused = mha(query, masked())
    _close(fused.numpy(), REFERENCES["padding_y2"])
    # The output carries the query's mask; the inputs' masks are consumed, as in Keras.
    numpy.testing.assert_array_equal(fused._keras_mask.numpy(), padding)
    assert query._keras_mask is None


def test_attention_dot_with_scale_masks_and_causal_matches_keras():
    query, value = _ref("luong", "x", 2)
    query_mask, value_mask = _ref("luong", "m", 2)
    attention = layers.Attention(use_scale=True)
    attention([query, value])
    attention.set_weights(_weights("luong"))
    output, scores = attention([query, value], mask=[query_mask, value_mask], use_causal_mask=True,
                               return_attention_scores=True)
    _close(output.numpy(), REFERENCES["luong_y0"])
    _close(scores.numpy(), REFERENCES["luong_y1"])
    assert numpy.all(output.numpy()[0, 3] == 0)   # masked query step


def test_attention_concat_score_mode_with_key_matches_keras():
    query, value, key = _ref("concat", "x", 3)
    attention = layers.Attention(use_scale=True, score_mode="concat")
    attention([query, value, key])
    attention.set_weights(_weights("concat"))
    output, scores = attention([query, value, key], mask=[None, REFERENCES["concat_m0"]],
                               return_attention_scores=True)
    _close(output.numpy(), REFERENCES["concat_y0"])
    _close(scores.numpy(), REFERENCES["concat_y1"])
    # Masked value steps get no weight; each query's weights over the kept steps sum to 1.
    weights, kept = scores.numpy(), REFERENCES["concat_m0"][:, None, :]
    assert numpy.all(weights[numpy.broadcast_to(~kept, weights.shape)] == 0)
    numpy.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)


def test_additive_attention_matches_keras():
    query, value, key = _ref("additive", "x", 3)
    attention = layers.AdditiveAttention()
    attention([query, value, key])
    assert attention.scale.shape == (3,)
    attention.set_weights(_weights("additive"))
    output, scores = attention([query, value, key], mask=_ref("additive", "m", 2), return_attention_scores=True)
    _close(output.numpy(), REFERENCES["additive_y0"])
    _close(scores.numpy(), REFERENCES["additive_y1"])


# ---- behaviour -------------------------------------------------------------------------------------

def test_padding_keys_do_not_change_unpadded_outputs():
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(1, 4, 6)).astype("float32")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    mask = numpy.array([[[True, True, False, False]] * 4])
    before = mha(x, x, attention_mask=mask).numpy()
    changed = x.copy()
    changed[0, 2:] += 5.0          # only the masked keys/values change...
    after = mha(x[:, :], changed, attention_mask=mask).numpy()
    numpy.testing.assert_allclose(after, before, atol=1e-6)
    unmasked = mha(x, changed).numpy()
    assert numpy.abs(unmasked - before).max() > 1e-2   # ...which matters without the mask


def test_attention_dropout_only_in_training_and_rows_rescaled():
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(2, 6, 4)).astype("float32")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.5, seed=3)
    inference = mha(x, x).numpy()
    numpy.testing.assert_allclose(mha(x, x, training=False).numpy(), inference)
    assert numpy.abs(mha(x, x, training=True).numpy() - inference).max() > 1e-3
    attention = layers.Attention(dropout=0.5, seed=2)
    numpy.testing.assert_allclose(attention([x, x]).numpy(), attention([x, x], training=False).numpy())
    assert numpy.abs(attention([x, x], training=True).numpy() - attention([x, x]).numpy()).max() > 1e-3


def test_return_attention_scores_shapes_and_rows_sum_to_one():
    rng = numpy.random.default_rng(2)
    query, value = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 7, 6))
    output, scores = layers.MultiHeadAttention(num_heads=4, key_dim=2)(query, value, return_attention_scores=True)
    assert output.shape == (3, 4, 5) and scores.shape == (3, 4, 4, 7)
    numpy.testing.assert_allclose(scores.numpy().sum(-1), 1.0, atol=1e-6)
    output, scores = layers.AdditiveAttention()([query, value[..., :5]], return_attention_scores=True)
    assert output.shape == (3, 4, 5) and scores.shape == (3, 4, 7)
    numpy.testing.assert_allclose(scores.numpy().sum(-1), 1.0, atol=1e-6)


def test_keyword_call_and_functional_shapes():
    q = nf.Input((4, 5))
    v = nf.Input((6, 3))
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=7)
    out, scores = mha(query=q, value=v, return_attention_scores=True)
    assert out.shape == (None, 4, 7) and scores.shape == (None, 2, 4, 6)
    assert mha.compute_output_shape((None, 4, 5), (None, 6, 3)) == (None, 4, 7)
    model = nf.Model([q, v], out)
    assert model.predict([numpy.ones((2, 4, 5)), numpy.ones((2, 6, 3))], verbose=0).shape == (2, 4, 7)
    assert mha.count_params() == (5 * 2 * 3 + 6) + (3 * 2 * 3 + 6) * 2 + (2 * 3 * 7 + 7)


# ---- gradients ------------------------------------------------------------------------------------

def test_mha_gradients_float64_with_masks():
    rng = numpy.random.default_rng(3)
    query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 3))
    mask = rng.random((2, 3, 4)) > 0.3
    mask[..., 0] = True
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, dtype="float64",
                                    bias_initializer="random_normal")
    check_layer_gradients(mha, query, value, attention_mask=mask, use_causal_mask=False)
    check_layer_gradients(layers.MultiHeadAttention(num_heads=1, key_dim=3, dtype="float64"), query, query.copy(),
                          use_causal_mask=True)


@pytest.mark.parametrize("make", [lambda: layers.Attention(use_scale=True),
                                  lambda: layers.Attention(use_scale=True, score_mode="concat"),
                                  lambda: layers.AdditiveAttention()])
def test_luong_and_bahdanau_gradients_float64(make):
    rng = numpy.random.default_rng(4)
    query, value, key = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 4))
    layer = make()
    layer.dtype = "float64"
    masks = [numpy.array([[True, True, False], [True, True, True]]),
             numpy.array([[True, True, True, False, False], [True, True, True, True, True]])]

    class Wrapped(nf.layers.Layer):   # check_layer_gradients passes inputs positionally
        def __init__(self):
            super().__init__(dtype="float64")
            self.inner = layer

        def call(self, q, v, k):
            return layer([q, v, k], mask=masks, use_causal_mask=True)

    check_layer_gradients(Wrapped(), query, value, key)


# ---- config, errors, saving, training -------------------------------------------------------------

def test_config_round_trip():
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=2, dropout=0.1, use_bias=False, output_shape=5,
                                    kernel_regularizer="l2", seed=1, name="mha")
    config = mha.get_config()
    assert config["num_heads"] == 3 and config["value_dim"] == 2 and config["output_shape"] == [5]
    clone = layers.MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    for layer in (layers.Attention(use_scale=True, score_mode="concat", dropout=0.2),
                  layers.AdditiveAttention(use_scale=False)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert "score_mode" not in layers.AdditiveAttention().get_config()


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(NotImplementedError, match="attention_axes"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(2, 3))
    layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=[1])   # Keras' recorded default
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="dotty")
    with pytest.raises(ValueError, match=r"\[query, value\]"):
        layers.Attention()(numpy.ones((1, 2, 3)))
    with pytest.raises(ValueError, match="query"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2)(numpy.ones((2, 3)), numpy.ones((2, 3)))


def test_native_save_and_load_round_trip(tmp_path):
    tokens = nf.Input((5,), dtype="int32")
    x = layers.Embedding(10, 6, mask_zero=True)(tokens)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=3)(x, x)
    model = nf.Model(tokens, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
    data = numpy.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    expected = model.predict(data, verbose=0)
    for suffix in (".keras", ".nf"):
        path = str(tmp_path / f"model{suffix}")
        try:
            model.save(path)
        except ValueError:
            continue   # a suffix the saver does not know
        numpy.testing.assert_allclose(nf.models.load_model(path).predict(data, verbose=0), expected, atol=1e-6)


def test_transformer_block_trains_with_fit():
    nf.random.set_random_seed(0)
    rng = numpy.random.default_rng(0)
    tokens = rng.integers(1, 20, size=(64, 8))
    labels = (tokens == 3).any(axis=1).astype("int32")   # does the sequence hold token 3?
    inputs = nf.Input((8,), dtype="int32")
    x = layers.Embedding(20, 16)(inputs)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=8, dropout=0.1)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = nf.Model(inputs, outputs)
    model.compile(optimizer=nf.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    history = model.fit(tokens, labels, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]


def test_multi_head_attention_build_config_is_keras_shapes_dict_and_rebuilds():
    # Keras 3.15.1 writes {'shapes_dict': {'query_shape': ..., 'value_shape': ...[, 'key_shape': ...]}}.
    rng = numpy.random.default_rng(0)
    query, value = rng.random((2, 3, 5)).astype("float32"), rng.random((2, 4, 6)).astype("float32")
    layer = layers.MultiHeadAttention(2, 4)
    layer(query, value, value)
    config = layer.get_build_config()
    assert config == {"shapes_dict": {"query_shape": (None, 3, 5), "value_shape": (None, 4, 6),
                                      "key_shape": (None, 4, 6)}}
    only_value = layers.MultiHeadAttention(2, 4)
    only_value(query, value)
    assert sorted(only_value.get_build_config()["shapes_dict"]) == ["query_shape", "value_shape"]
    again = layers.MultiHeadAttention.from_config(layer.get_config())
    again.build_from_config(config)
    assert again.built and [w.shape for w in again.weights] == [w.shape for w in layer.weights]
    again.set_weights(layer.get_weights())
    numpy.testing.assert_allclose(numpy.asarray(again(query, value, value)), numpy.asarray(layer(query, value, value)),
                                  rtol=1e-6)
