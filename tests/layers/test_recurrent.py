"""SimpleRNN / LSTM / GRU layers: Keras 3 equations, gradients, masks, states, configs, a sequence task."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.testing import check_gradients, check_layer_gradients
from tests.ops.test_recurrent import naive_gru, naive_lstm, naive_simple_rnn

MASK = numpy.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)


def _naive(layer, x, states, mask=None):
    """The per-step reference for `layer`'s current weights: (sequence, [final states])."""
    weights = layer.get_weights()
    kernel, recurrent = weights[0], weights[1]
    bias = weights[2] if layer.use_bias else numpy.zeros(layer._bias_shape())
    if isinstance(layer, layers.LSTM):
        return naive_lstm(x, states[0], states[1], kernel, recurrent, bias, mask, layer.go_backwards)
    if isinstance(layer, layers.GRU):
        return naive_gru(x, states[0], kernel, recurrent, bias, mask, layer.go_backwards, layer.reset_after)
    return naive_simple_rnn(x, states[0], kernel, recurrent, bias, mask, layer.go_backwards)


def _make(kind, **kwargs):
    cls = {"lstm": layers.LSTM, "gru": layers.GRU, "gru_v1": layers.GRU, "simple_rnn": layers.SimpleRNN}[kind]
    if kind == "gru_v1":
        kwargs["reset_after"] = False
    # Non-zero biases so that the bias paths are exercised.
    return cls(3, bias_initializer="random_normal", **kwargs)


KINDS = ["lstm", "gru", "gru_v1", "simple_rnn"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mask, go_backwards, with_state", [(None, False, False), (MASK, True, False),
                                                             (MASK, False, True), (None, True, True)])
def test_forward_matches_keras_equations(float64, rng, kind, mask, go_backwards, with_state):
    x = rng.normal(size=(3, 5, 4))
    layer = _make(kind, return_sequences=True, return_state=True, go_backwards=go_backwards)
    count = 2 if kind == "lstm" else 1
    states = [rng.normal(size=(3, 3)) * 0.5 for _ in range(count)] if with_state else [numpy.zeros((3, 3))] * count
    outputs = layer(x, initial_state=states if with_state else None, mask=mask)
    expected_sequence, expected_states = _naive(layer, x, states, mask)
    numpy.testing.assert_allclose(outputs[0].numpy(), expected_sequence, atol=1e-12)
    for got, expected in zip(outputs[1:], expected_states):
        numpy.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    assert len(outputs) == 1 + count


@pytest.mark.parametrize("kind", KINDS)
def test_last_output_is_final_state(float64, rng, kind):
    x = rng.normal(size=(2, 4, 3))
    layer = _make(kind)
    last = layer(x).numpy()
    sequence, _ = _naive(layer, x, [numpy.zeros((2, 3))] * 2)
    numpy.testing.assert_allclose(last, sequence[:, -1], atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options", [{"return_sequences": True}, {"return_state": True},
                                     {"go_backwards": True, "return_sequences": True}, {}])
def test_gradients(float64, rng, kind, options):
    check_layer_gradients(_make(kind, **options), rng.normal(size=(2, 4, 3)))


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_with_mask(float64, rng, kind):
    mask = numpy.array([[1, 1, 0, 1], [0, 1, 1, 0]], dtype=bool)
    check_layer_gradients(_make(kind, return_sequences=True, return_state=True), rng.normal(size=(2, 4, 3)), mask=mask)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_with_respect_to_initial_state(float64, rng, kind):
    layer = _make(kind, return_state=True)
    x = rng.normal(size=(2, 4, 3))
    count = 2 if kind == "lstm" else 1
    states = [rng.normal(size=(2, 3)) for _ in range(count)]
    check_gradients(lambda x, *s: layer(x, initial_state=list(s)), x, *states)


def test_weights_have_keras_names_and_shapes():
    lstm, gru, gru_v1, rnn = layers.LSTM(4), layers.GRU(4), layers.GRU(4, reset_after=False), layers.SimpleRNN(4)
    x = numpy.zeros((2, 3, 5), dtype="float32")
    for layer in (lstm, gru, gru_v1, rnn):
        layer(x)
    assert [(w.name, w.shape) for w in lstm.weights] == [("kernel", (5, 16)), ("recurrent_kernel", (4, 16)),
                                                         ("bias", (16,))]
    assert [w.shape for w in gru.weights] == [(5, 12), (4, 12), (2, 12)]
    assert [w.shape for w in gru_v1.weights] == [(5, 12), (4, 12), (12,)]
    assert [w.shape for w in rnn.weights] == [(5, 4), (4, 4), (4,)]
    # unit_forget_bias: [0, 1, 0, 0] blocks; the recurrent kernel is orthogonal.
    numpy.testing.assert_array_equal(lstm.bias.numpy(), numpy.repeat([0.0, 1.0, 0.0, 0.0], 4))
    recurrent = rnn.recurrent_kernel.numpy()
    numpy.testing.assert_allclose(recurrent @ recurrent.T, numpy.eye(4), atol=1e-5)
    assert layers.LSTM(4, unit_forget_bias=False).get_config()["unit_forget_bias"] is False


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_padded_sequences_give_the_unpadded_final_state(rng, kind, padding):
    """Embedding(mask_zero=True) -> RNN: padding with zeros changes nothing."""
    embedding = layers.Embedding(10, 4, mask_zero=True)
    rnn = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}[kind](5, return_state=True)
    tokens = numpy.array([[3, 1, 4, 1, 5]])
    padded = numpy.concatenate([tokens, numpy.zeros((1, 3), int)], axis=1) if padding == "post" else \
        numpy.concatenate([numpy.zeros((1, 3), int), tokens], axis=1)
    plain = rnn(embedding(tokens))
    masked = rnn(embedding(padded))
    for a, b in zip(plain, masked):
        numpy.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-7)


def test_mask_carried_on_by_return_sequences_only():
    x = numpy.array([[1, 2, 0], [3, 0, 0]])
    embedded = layers.Embedding(5, 2, mask_zero=True)(x)
    sequences = layers.LSTM(3, return_sequences=True)(embedded)
    numpy.testing.assert_array_equal(sequences._keras_mask.numpy(), x != 0)
    dense = layers.Dense(2)(sequences)  # Dense passes the mask through
    numpy.testing.assert_array_equal(dense._keras_mask.numpy(), x != 0)
    last = layers.LSTM(3)(embedded)
    assert last._keras_mask is None
    output, h, c = layers.LSTM(3, return_sequences=True, return_state=True)(embedded)
    assert output._keras_mask is not None and h._keras_mask is None and c._keras_mask is None


def test_explicit_mask_argument_wins_over_carried_mask(rng):
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    layer = layers.GRU(3)
    all_real = layer(x, mask=numpy.ones((2, 4), bool)).numpy()
    numpy.testing.assert_allclose(all_real, layer(x).numpy(), rtol=1e-6)
    first_only = layer(x, mask=numpy.array([[1, 0, 0, 0]] * 2, bool)).numpy()
    numpy.testing.assert_allclose(first_only, layer(x[:, :1]).numpy(), rtol=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_zero_output_for_mask(rng, kind, go_backwards):
    """Keras' zero_output_for_mask: masked steps output zeros instead of repeating the carried state."""
    cls = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}[kind]
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    mask = numpy.array([[1, 0, 1, 0], [1, 1, 0, 1]], bool)  # masked steps after real ones, both directions
    carried = cls(3, return_sequences=True, go_backwards=go_backwards)
    zeroed = cls.from_config(dict(carried.get_config(), zero_output_for_mask=True))
    carried_out = carried(x, mask=mask).numpy()
    zeroed.build(x.shape)
    zeroed.set_weights(carried.get_weights())
    zeroed_out = zeroed(x, mask=mask).numpy()
    processing_mask = mask[:, ::-1] if go_backwards else mask
    numpy.testing.assert_array_equal(zeroed_out[~processing_mask], 0.0)
    numpy.testing.assert_allclose(zeroed_out[processing_mask], carried_out[processing_mask], rtol=1e-6)
    assert numpy.abs(carried_out[~processing_mask]).max() > 0.01  # without it, the state is carried on
    assert zeroed.get_config()["zero_output_for_mask"] is True
    # Bidirectional turns it on for return_sequences, as Keras does.
    both = layers.Bidirectional(cls(3, return_sequences=True))
    assert both.forward_layer.zero_output_for_mask and both.backward_layer.zero_output_for_mask
    assert not layers.Bidirectional(cls(3)).forward_layer.zero_output_for_mask


def test_functional_model_propagates_masks():
    inputs = neuroflow.Input(shape=(None,), dtype="int32")
    embedded = layers.Embedding(10, 4, mask_zero=True)(inputs)
    assert embedded._keras_mask is not None and embedded._keras_mask.shape == (None, None)
    outputs = layers.LSTM(3)(embedded)
    model = neuroflow.Model(inputs, outputs)
    short = model(numpy.array([[1, 2, 3]])).numpy()
    padded = model(numpy.array([[1, 2, 3, 0, 0, 0]])).numpy()
    numpy.testing.assert_allclose(padded, short, rtol=1e-6)


def test_dropout_only_in_training(rng):
    x = rng.normal(size=(4, 5, 3)).astype("float32")
    layer = layers.LSTM(6, dropout=0.5, recurrent_dropout=0.5, seed=1)
    inference = layer(x).numpy()
    numpy.testing.assert_array_equal(layer(x, training=False).numpy(), inference)
    assert not numpy.allclose(layer(x, training=True).numpy(), inference)


def test_gru_recurrent_dropout_only_in_training_one_mask_per_gate(rng, monkeypatch):
    import warnings

    x = rng.normal(size=(4, 5, 3)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "not applied" warning any more
        layer = layers.GRU(6, recurrent_dropout=0.5, seed=1, return_sequences=True)
    inference = layer(x).numpy()
    numpy.testing.assert_array_equal(layer(x, training=False).numpy(), inference)
    first = layer(x, training=True).numpy()
    assert not numpy.allclose(first, inference)
    assert not numpy.allclose(layer(x, training=True).numpy(), first)  # a fresh mask each batch
    # Inside one call the masks are fixed: the op with the layer's drawn mask reproduces the output.
    from neuroflow.ops import noise as noise_ops
    from neuroflow.ops import recurrent as recurrent_ops

    drawn = []
    original = noise_ops.dropout_mask

    def spy(*args, **kwargs):
        drawn.append(original(*args, **kwargs))
        return drawn[-1]
    monkeypatch.setattr(noise_ops, "dropout_mask", spy)
    output = layer(x, training=True).numpy()
    assert drawn[0].shape == (4, 18)  # (batch, 3 units): z, r, h masks
    expected, _ = recurrent_ops.gru(x, None, layer.kernel, layer.recurrent_kernel, layer.bias,
                                    recurrent_mask=drawn[0])
    numpy.testing.assert_allclose(output, expected.numpy(), rtol=1e-6)


def test_initial_state_as_list_input(rng):
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    h, c = rng.normal(size=(2, 5)).astype("float32"), rng.normal(size=(2, 5)).astype("float32")
    layer = layers.LSTM(5)
    numpy.testing.assert_allclose(layer([x, h, c]).numpy(), layer(x, initial_state=[h, c]).numpy())


def test_errors():
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.LSTM(3, stateful=True)
    with pytest.raises(ValueError, match="units"):
        layers.GRU(0)
    with pytest.raises(ValueError, match="dropout"):
        layers.SimpleRNN(2, dropout=1.5)
    with pytest.raises(ValueError, match="initial state"):
        layers.LSTM(3)(numpy.zeros((2, 4, 3), "float32"), initial_state=[numpy.zeros((2, 3))])
    with pytest.raises(ValueError, match="built-in activation"):
        layers.SimpleRNN(2, activation=lambda x: x)
    with pytest.raises(ValueError, match="ndim|rank|axes|dimension"):
        layers.LSTM(3)(numpy.zeros((2, 3), "float32"))


@pytest.mark.parametrize("layer", [
    layers.LSTM(4, return_sequences=True, go_backwards=True, dropout=0.1, unit_forget_bias=False),
    layers.GRU(4, reset_after=False, return_state=True, activation="relu", kernel_regularizer="l2"),
    layers.SimpleRNN(4, use_bias=False, recurrent_initializer="glorot_uniform"),
])
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    if isinstance(layer, layers.SimpleRNN):
        assert "recurrent_activation" not in config


def test_summary_shapes_and_save_load_round_trip(tmp_path, rng):
    model = neuroflow.Sequential([
        neuroflow.Input(shape=(6,)), layers.Embedding(12, 4, mask_zero=True),
        layers.GRU(5, return_sequences=True), layers.SimpleRNN(3, return_sequences=True), layers.LSTM(2),
        layers.Dense(1)])
    assert [layer.name.split("_")[0] for layer in model.layers] == ["embedding", "gru", "simple", "lstm", "dense"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for shape in ("(None, 6, 4)", "(None, 6, 5)", "(None, 6, 3)", "(None, 2)", "(None, 1)"):
        assert shape in text
    x = rng.integers(0, 12, size=(3, 6))
    x[0, 4:] = 0
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "rnn.nfz")
    loaded = neuroflow.models.load_model(tmp_path / "rnn.nfz")
    numpy.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)


def _order_task(count, seed):
    """Sequences of 8 tokens holding token 1 and token 2 once each among fillers 3..5; label: 1 before 2."""
    generator = numpy.random.default_rng(seed)
    x = generator.integers(3, 6, size=(count, 8))
    for row in x:
        first, second = generator.choice(8, size=2, replace=False)
        row[first], row[second] = 1, 2
    y = (numpy.argmax(x == 1, axis=1) < numpy.argmax(x == 2, axis=1)).astype("float32")
    return x, y


@pytest.mark.parametrize("recurrent", [layers.LSTM, layers.GRU])
def test_order_task_solved_by_recurrent_layers_not_by_bag_of_words(recurrent):
    x, y = _order_task(768, 0)
    x_test, y_test = _order_task(256, 1)
    neuroflow.set_random_seed(0)
    model = neuroflow.Sequential([neuroflow.Input(shape=(8,)), layers.Embedding(6, 8), recurrent(16),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=neuroflow.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert model.evaluate(x_test, y_test, verbose=0)[1] >= 0.95
    # Bag of words: token counts are the same for both labels, so a Dense model stays near chance.
    counts = numpy.stack([(x == token).sum(axis=1) for token in range(6)], axis=1).astype("float32")
    counts_test = numpy.stack([(x_test == token).sum(axis=1) for token in range(6)], axis=1).astype("float32")
    bag = neuroflow.Sequential([neuroflow.Input(shape=(6,)), layers.Dense(32, activation="relu"),
                                layers.Dense(1, activation="sigmoid")])
    bag.compile(optimizer=neuroflow.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    bag.fit(counts, y, epochs=12, batch_size=32, verbose=0)
    assert bag.evaluate(counts_test, y_test, verbose=0)[1] < 0.65
