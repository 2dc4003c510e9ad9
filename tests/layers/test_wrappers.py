"""Bidirectional and TimeDistributed: values from the wrapped layers, gradients, masks, configs, saving."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.testing import check_layer_gradients
from tests.ops.test_recurrent import naive_lstm


def _directions(wrapper, x, mask=None):
    """Naive forward and backward LSTM passes with the wrapper's weights."""
    forward_weights = wrapper.forward_layer.get_weights()
    backward_weights = wrapper.backward_layer.get_weights()
    zeros = numpy.zeros((x.shape[0], wrapper.forward_layer.units))
    forward = naive_lstm(x, zeros, zeros, *forward_weights, mask=mask)
    backward = naive_lstm(x, zeros, zeros, *backward_weights, mask=mask, go_backwards=True)
    return forward, backward


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_sequences_match_two_naive_passes(float64, rng, merge_mode):
    x = rng.normal(size=(2, 5, 3))
    wrapper = layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode=merge_mode)
    out = wrapper(x)
    (forward, _), (backward, _) = _directions(wrapper, x)
    backward = backward[:, ::-1]  # back to input order
    expected = {"concat": numpy.concatenate([forward, backward], -1), "sum": forward + backward,
                "mul": forward * backward, "ave": (forward + backward) / 2, None: None}[merge_mode]
    if merge_mode is None:
        numpy.testing.assert_allclose(out[0].numpy(), forward, atol=1e-12)
        numpy.testing.assert_allclose(out[1].numpy(), backward, atol=1e-12)
    else:
        numpy.testing.assert_allclose(out.numpy(), expected, atol=1e-12)


def test_bidirectional_return_state_and_mask(float64, rng):
    x = rng.normal(size=(2, 5, 3))
    mask = numpy.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    wrapper = layers.Bidirectional(layers.LSTM(4, return_state=True))
    output, forward_h, forward_c, backward_h, backward_c = wrapper(x, mask=mask)
    (_, (fh, fc)), (_, (bh, bc)) = _directions(wrapper, x, mask)
    numpy.testing.assert_allclose(output.numpy(), numpy.concatenate([fh, bh], -1), atol=1e-12)
    for got, expected in ((forward_h, fh), (forward_c, fc), (backward_h, bh), (backward_c, bc)):
        numpy.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    # Padding after the mask end changes nothing.
    short = wrapper(x[:1, :3])[0].numpy()
    numpy.testing.assert_allclose(output.numpy()[:1], short, atol=1e-12)


def test_bidirectional_initial_state(float64, rng):
    x = rng.normal(size=(2, 4, 3))
    states = [rng.normal(size=(2, 2)) for _ in range(4)]
    wrapper = layers.Bidirectional(layers.LSTM(2))
    out = wrapper(x, initial_state=states).numpy()
    fh = naive_lstm(x, states[0], states[1], *wrapper.forward_layer.get_weights())[1][0]
    bh = naive_lstm(x, states[2], states[3], *wrapper.backward_layer.get_weights(), go_backwards=True)[1][0]
    numpy.testing.assert_allclose(out, numpy.concatenate([fh, bh], -1), atol=1e-12)


@pytest.mark.parametrize("make_inner", [lambda: layers.LSTM(3, return_sequences=True),
                                        lambda: layers.GRU(3, return_state=True), lambda: layers.SimpleRNN(3)])
def test_bidirectional_gradients(float64, rng, make_inner):
    # Built inside the float64 fixture: a float32 layer would cast (and detach) float64 inputs.
    check_layer_gradients(layers.Bidirectional(make_inner(), merge_mode="sum"), rng.normal(size=(2, 4, 3)),
                          mask=numpy.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool))


def test_bidirectional_mask_and_backward_layer():
    embedded = layers.Embedding(6, 2, mask_zero=True)(numpy.array([[1, 2, 0]]))
    out = layers.Bidirectional(layers.GRU(2, return_sequences=True))(embedded)
    numpy.testing.assert_array_equal(out._keras_mask.numpy(), [[True, True, False]])
    assert layers.Bidirectional(layers.GRU(2))(embedded)._keras_mask is None
    custom = layers.Bidirectional(layers.LSTM(2), backward_layer=layers.GRU(3, go_backwards=True))
    assert custom(numpy.zeros((1, 3, 2), "float32")).shape == (1, 5)
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


def test_time_distributed_applies_the_layer_per_step(float64, rng):
    x = rng.normal(size=(2, 3, 4))
    wrapper = layers.TimeDistributed(layers.Dense(5, activation="tanh"))
    out = wrapper(x)
    kernel, bias = wrapper.layer.get_weights()
    numpy.testing.assert_allclose(out.numpy(), numpy.tanh(x @ kernel + bias), atol=1e-12)
    check_layer_gradients(layers.TimeDistributed(layers.Dense(2)), x)
    with pytest.raises(ValueError, match="3 axes"):
        layers.TimeDistributed(layers.Dense(2))(numpy.zeros((2, 3)))


def test_time_distributed_keeps_the_mask():
    embedded = layers.Embedding(6, 2, mask_zero=True)(numpy.array([[1, 0, 3]]))
    out = layers.TimeDistributed(layers.Dense(4))(embedded)
    numpy.testing.assert_array_equal(out._keras_mask.numpy(), [[True, False, True]])


def test_configs_summary_and_save_load(tmp_path, rng):
    bidirectional = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="ave")
    config = bidirectional.get_config()
    assert layers.Bidirectional.from_config(config).get_config() == config
    distributed = layers.TimeDistributed(layers.Dense(2))
    config = distributed.get_config()
    assert layers.TimeDistributed.from_config(config).get_config() == config
    model = neuroflow.Sequential([neuroflow.Input(shape=(5,)), layers.Embedding(8, 3, mask_zero=True),
                                  layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
                                  layers.TimeDistributed(layers.Dense(2)),
                                  layers.Bidirectional(layers.GRU(2), backward_layer=layers.SimpleRNN(2, go_backwards=True))])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(None, 5, 6)" in text and "(None, 5, 2)" in text and "(None, 4)" in text
    x = rng.integers(0, 8, size=(3, 5))
    x[1, 3:] = 0
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "wrappers.nfz")
    loaded = neuroflow.models.load_model(tmp_path / "wrappers.nfz")
    numpy.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
