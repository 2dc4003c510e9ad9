"""Recurrent sequence ops against per-step Keras equations, with BPTT gradient checks."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import recurrent as R
from neuroflow.testing import check_gradients


def sigmoid(z):
    return 1 / (1 + numpy.exp(-z))


def run_steps(step, x, states, mask=None, go_backwards=False):
    """Keras 3's scan: masked steps keep the states and output the kept first state."""
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs = []
    for t in order:
        new = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            new = [numpy.where(keep, n, s) for n, s in zip(new, states)]
        states = new
        outputs.append(states[0])
    return numpy.stack(outputs, axis=1), states


def naive_lstm(x, h, c, kernel, recurrent, bias, mask=None, go_backwards=False, recurrent_mask=None):
    u = recurrent.shape[0]

    def step(xt, states):
        h_prev, c_prev = states
        h_in = h_prev if recurrent_mask is None else h_prev * recurrent_mask
        z = xt @ kernel + h_in @ recurrent + bias
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), numpy.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c_new = f * c_prev + i * g
        return [o * numpy.tanh(c_new), c_new]
    return run_steps(step, x, [h, c], mask, go_backwards)


def naive_gru(x, h, kernel, recurrent, bias, mask=None, go_backwards=False, reset_after=True, recurrent_mask=None):
    """Keras 3's GRUCell.call; with recurrent_mask [m_z, m_r, m_h] its implementation-1 branch, gate by gate."""
    u = recurrent.shape[0]
    masks = [numpy.ones_like(h)] * 3 if recurrent_mask is None else [recurrent_mask[:, k * u:(k + 1) * u]
                                                                     for k in range(3)]

    def step(xt, states):
        (h_prev,) = states
        h_z, h_r, h_h = (h_prev * m for m in masks)
        if reset_after:
            xz = xt @ kernel + bias[0]
            recurrent_z = h_z @ recurrent[:, :u] + bias[1][:u]
            recurrent_r = h_r @ recurrent[:, u:2 * u] + bias[1][u:2 * u]
            z, r = sigmoid(xz[:, :u] + recurrent_z), sigmoid(xz[:, u:2 * u] + recurrent_r)
            hh = numpy.tanh(xz[:, 2 * u:] + r * (h_h @ recurrent[:, 2 * u:] + bias[1][2 * u:]))
        else:
            xz = xt @ kernel + bias
            z, r = sigmoid(xz[:, :u] + h_z @ recurrent[:, :u]), sigmoid(xz[:, u:2 * u] + h_r @ recurrent[:, u:2 * u])
            hh = numpy.tanh(xz[:, 2 * u:] + (r * h_h) @ recurrent[:, 2 * u:])
        return [z * h_prev + (1 - z) * hh]
    return run_steps(step, x, [h], mask, go_backwards)


def naive_simple_rnn(x, h, kernel, recurrent, bias, mask=None, go_backwards=False, activation=numpy.tanh):
    def step(xt, states):
        return [activation(xt @ kernel + states[0] @ recurrent + bias)]
    return run_steps(step, x, [h], mask, go_backwards)


def _data(units, gates, batch=3, time=5, features=4, seed=0):
    rng = numpy.random.default_rng(seed)
    return (rng.normal(size=(batch, time, features)), rng.normal(size=(batch, units)) * 0.5,
            rng.normal(size=(features, gates * units)) * 0.5, rng.normal(size=(units, gates * units)) * 0.5,
            rng.normal(size=(gates * units,)) * 0.5, rng.normal(size=(batch, units)) * 0.5)


MASK = numpy.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
VARIANTS = [(None, False), (None, True), (MASK, False), (MASK, True)]


@pytest.mark.parametrize("mask, go_backwards", VARIANTS)
def test_lstm_matches_keras_equations(mask, go_backwards):
    x, h, kernel, recurrent, bias, c = _data(3, 4)
    sequence, final_h, final_c = R.lstm(x, h, c, kernel, recurrent, bias, mask, go_backwards)
    expected, (eh, ec) = naive_lstm(x, h, c, kernel, recurrent, bias, mask, go_backwards)
    numpy.testing.assert_allclose(sequence.numpy(), expected, atol=1e-12)
    numpy.testing.assert_allclose(final_h.numpy(), eh, atol=1e-12)
    numpy.testing.assert_allclose(final_c.numpy(), ec, atol=1e-12)


@pytest.mark.parametrize("mask, go_backwards", VARIANTS)
def test_lstm_gradients(mask, go_backwards):
    x, h, kernel, recurrent, bias, c = _data(3, 4, seed=1)
    check_gradients(lambda *a: R.lstm(*a, mask=mask, go_backwards=go_backwards), x, h, c, kernel, recurrent, bias)


def test_lstm_recurrent_mask_and_other_activations():
    x, h, kernel, recurrent, bias, c = _data(2, 4, seed=2)
    rec_mask = numpy.array([[2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    sequence, _, _ = R.lstm(x, h, c, kernel, recurrent, bias, recurrent_mask=rec_mask)
    numpy.testing.assert_allclose(sequence.numpy(), naive_lstm(x, h, c, kernel, recurrent, bias,
                                                               recurrent_mask=rec_mask)[0], atol=1e-12)
    check_gradients(lambda *a: R.lstm(*a, recurrent_mask=rec_mask, mask=MASK), x, h, c, kernel, recurrent, bias)
    # Activations outside the fused tanh/sigmoid path (one needing its input: softplus).
    check_gradients(lambda *a: R.lstm(*a, activation="softplus", recurrent_activation="hard_sigmoid"),
                    x, h, c, kernel, recurrent, bias)


def test_later_lstm_calls_never_overwrite_earlier_results():
    x, h, kernel, recurrent, bias, c = _data(3, 4, seed=12)
    first, _, first_c = R.lstm(x, h, c, kernel, recurrent, bias)
    kept = first.numpy().copy(), first_c.numpy().copy()
    for _ in range(3):  # later calls of the same shapes
        R.lstm(x * 2, h, c, kernel, recurrent, bias)
    numpy.testing.assert_array_equal(first.numpy(), kept[0])
    numpy.testing.assert_array_equal(first_c.numpy(), kept[1])
    # Gradients taken while other calls' residuals are alive stay exact.
    check_gradients(lambda *a: R.lstm(*a)[0], x, h, c, kernel, recurrent, bias)


def test_lstm_without_bias_and_default_states():
    x, h, kernel, recurrent, bias, c = _data(2, 4, seed=3)
    zeros = numpy.zeros_like(h)
    sequence, _, _ = R.lstm(x, None, None, kernel, recurrent)
    expected = naive_lstm(x, zeros, zeros, kernel, recurrent, numpy.zeros(8))[0]
    numpy.testing.assert_allclose(sequence.numpy(), expected, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("mask, go_backwards", VARIANTS)
def test_gru_matches_keras_equations_and_gradients(mask, go_backwards, reset_after):
    x, h, kernel, recurrent, bias, _ = _data(3, 3, seed=4)
    if reset_after:
        bias = numpy.stack([bias, bias[::-1] * 0.7])
    sequence, final_h = R.gru(x, h, kernel, recurrent, bias, mask, go_backwards, reset_after=reset_after)
    expected, (eh,) = naive_gru(x, h, kernel, recurrent, bias, mask, go_backwards, reset_after)
    numpy.testing.assert_allclose(sequence.numpy(), expected, atol=1e-12)
    numpy.testing.assert_allclose(final_h.numpy(), eh, atol=1e-12)
    check_gradients(lambda *a: R.gru(*a, mask=mask, go_backwards=go_backwards, reset_after=reset_after)[0],
                    x, h, kernel, recurrent, bias)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("mask, go_backwards", [(None, False), (MASK, True)])
def test_gru_recurrent_mask_matches_keras_cell_and_gradients(mask, go_backwards, reset_after):
    x, h, kernel, recurrent, bias, _ = _data(3, 3, seed=9)
    if reset_after:
        bias = numpy.stack([bias, bias[::-1] * 0.7])
    # Three different per-gate masks (inverted dropout at rate 1/2: 0 or 2), as Keras' GRUCell draws them.
    rec_mask = numpy.random.default_rng(10).integers(0, 2, size=(3, 9)) * 2.0
    rec_mask[0] = [2, 0, 2, 0, 2, 2, 2, 0, 0]  # row 0: z, r, h masks differ on purpose
    sequence, final_h = R.gru(x, h, kernel, recurrent, bias, mask, go_backwards, reset_after=reset_after,
                              recurrent_mask=rec_mask)
    expected, (eh,) = naive_gru(x, h, kernel, recurrent, bias, mask, go_backwards, reset_after, rec_mask)
    numpy.testing.assert_allclose(sequence.numpy(), expected, atol=1e-12)
    numpy.testing.assert_allclose(final_h.numpy(), eh, atol=1e-12)
    # The mask matters: it changes the output, and the unmasked op differs from it.
    unmasked, _ = R.gru(x, h, kernel, recurrent, bias, mask, go_backwards, reset_after=reset_after)
    assert numpy.abs(unmasked.numpy() - sequence.numpy()).max() > 1e-3
    check_gradients(lambda *a: R.gru(*a, mask=mask, go_backwards=go_backwards, reset_after=reset_after,
                                     recurrent_mask=rec_mask)[0], x, h, kernel, recurrent, bias)


def test_gru_recurrent_mask_shapes():
    x, h, kernel, recurrent, bias, _ = _data(3, 3, seed=11)
    bias = numpy.stack([bias, bias])
    shared = numpy.array([[2.0, 0.0, 2.0]] * 3)
    one, _ = R.gru(x, h, kernel, recurrent, bias, recurrent_mask=shared)
    three, _ = R.gru(x, h, kernel, recurrent, bias, recurrent_mask=numpy.tile(shared, 3))
    numpy.testing.assert_allclose(one.numpy(), three.numpy(), atol=1e-14)
    with pytest.raises(ValueError, match=r"recurrent_mask of shape \(batch, 9\)"):
        R.gru(x, h, kernel, recurrent, bias, recurrent_mask=numpy.ones((3, 4)))


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gru_feature_major_loop_matches_the_general_loop(with_bias, go_backwards):
    """Without masks the op takes its feature-major loop; an all-True mask takes the general one.

    Both must give the same sequence and the same gradients for every input, with and without bias.
    """
    x, h, kernel, recurrent, bias, _ = _data(3, 3, batch=4, time=6, features=2, seed=12)
    bias = numpy.stack([bias, bias[::-1] * 0.7]) if with_bias else None
    everything = numpy.ones(x.shape[:2], dtype=bool)
    arrays = [x, h, kernel, recurrent] + ([bias] if with_bias else [])
    results = {}
    for name, mask in (("feature_major", None), ("general", everything)):
        tensors = [Tensor(a) for a in arrays]
        with GradientTape() as tape:
            for tensor in tensors:
                tape.watch(tensor)
            sequence, final_h = R.gru(*tensors[:4], tensors[4] if with_bias else None, mask, go_backwards)
            weights = Tensor(numpy.linspace(-1, 1, sequence.shape[1] * 3).reshape(1, -1, 3))
            loss = ops.sum(sequence * weights) + ops.sum(final_h * final_h)
        results[name] = [sequence.numpy()] + [grad.numpy() for grad in tape.gradient(loss, tensors)]
    for ours, general in zip(results["feature_major"], results["general"]):
        numpy.testing.assert_allclose(ours, general, rtol=1e-12, atol=1e-13)
    check_gradients(lambda *a: R.gru(*a[:4], a[4] if with_bias else None, go_backwards=go_backwards)[0], *arrays)


def test_gru_other_activations_gradients():
    x, h, kernel, recurrent, bias, _ = _data(2, 3, seed=5)
    check_gradients(lambda *a: R.gru(*a, activation="softplus", recurrent_activation="hard_sigmoid",
                                     reset_after=False), x, h, kernel, recurrent, bias)


@pytest.mark.parametrize("mask, go_backwards", VARIANTS)
def test_simple_rnn(mask, go_backwards):
    x, h, kernel, recurrent, bias, _ = _data(3, 1, seed=6)
    sequence, final_h = R.simple_rnn(x, h, kernel, recurrent, bias, mask, go_backwards)
    expected, (eh,) = naive_simple_rnn(x, h, kernel, recurrent, bias, mask, go_backwards)
    numpy.testing.assert_allclose(sequence.numpy(), expected, atol=1e-12)
    numpy.testing.assert_allclose(final_h.numpy(), eh, atol=1e-12)
    check_gradients(lambda *a: R.simple_rnn(*a, mask=mask, go_backwards=go_backwards), x, h, kernel, recurrent, bias)


def test_simple_rnn_relu_and_recurrent_mask():
    x, h, kernel, recurrent, bias, _ = _data(3, 1, seed=7)
    rec_mask = numpy.array([[2.0, 0.0, 2.0]] * 3)
    check_gradients(lambda *a: R.simple_rnn(*a, activation="elu", recurrent_mask=rec_mask),
                    x, h, kernel, recurrent, bias)


def test_float32_stays_float32():
    x, h, kernel, recurrent, bias, c = (a.astype("float32") for a in _data(3, 4, seed=8))
    tensors = [Tensor(a) for a in (x, h, c, kernel, recurrent, bias)]
    with GradientTape() as tape:
        tape.watch(tensors)
        sequence, final_h, final_c = R.lstm(*tensors, mask=MASK)
    grads = tape.gradient([sequence, final_c], tensors)
    assert sequence.dtype == "float32" and all(g.dtype == "float32" for g in grads)


def test_bad_shapes_and_names():
    x, h, kernel, recurrent, bias, c = _data(3, 4)
    with pytest.raises(ValueError, match="kernel of shape"):
        R.lstm(x, h, c, kernel[:, :8], recurrent, bias)
    with pytest.raises(ValueError, match="mask of shape"):
        R.lstm(x, h, c, kernel, recurrent, bias, mask=MASK[:, :3])
    with pytest.raises(ValueError, match="Did you mean 'sigmoid'"):
        R.lstm(x, h, c, kernel, recurrent, bias, recurrent_activation="sigmoidd")
    with pytest.raises(ValueError, match=r"bias of shape \(2, 9\)"):
        R.gru(x, h, kernel[:, :9], recurrent[:, :9], bias[:9])
