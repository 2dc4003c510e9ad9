"""The fused LSTM / GRU step kernels (ops/recurrent/step_kernels.py) on the stand-in device equal the NumPy path.

The stand-in runs the kernels' C bodies as NumPy statements, so outputs and every gradient must be
equal bit for bit to the NumPy backend's; a float64 finite-difference check runs through the fused path.
"""
import numpy
import pytest

from neuroflow import backend, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import device_kernels
from neuroflow.ops import recurrent as R
from neuroflow.testing import check_gradients, device_standin
from neuroflow.testing.device_standin import use_standin

MASK = numpy.array([[1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 1, 1], [1, 0, 0, 0, 0, 1]], dtype=bool)


@pytest.fixture
def kernel_calls(monkeypatch):
    """The names of the stand-in ElementwiseKernels called (each call is one launch on a GPU)."""
    calls = []
    run = device_standin._ElementwiseKernel.__call__

    def counted(self, *args):
        calls.append(self.name.removeprefix("neuroflow_"))
        return run(self, *args)
    monkeypatch.setattr(device_standin._ElementwiseKernel, "__call__", counted)
    return calls


def _data(gates, units=3, batch=3, time=6, features=4, dtype="float32", seed=0):
    rng = numpy.random.default_rng(seed)
    return [(rng.normal(size=shape) * scale).astype(dtype) for shape, scale in [
        ((batch, time, features), 1.0), ((batch, units), 0.5), ((batch, units), 0.5),
        ((features, gates * units), 0.5), ((units, gates * units), 0.5), ((gates * units,), 0.5)]]


def _outputs_and_gradients(function, arrays, probe_seed=1):
    """function(*Tensors) -> outputs; returns the host outputs and the gradients of sum(outputs * probes)."""
    tensors = [Tensor(backend.xp.asarray(a)) for a in arrays]
    with GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        outputs = function(*tensors)
        rng = numpy.random.default_rng(probe_seed)
        total = None
        for output in outputs:
            probe = backend.xp.asarray(rng.normal(size=output.shape).astype(output.dtype))
            term = ops.sum(ops.multiply(output, Tensor(probe)))
            total = term if total is None else total + term
    grads = tape.gradient(total, tensors, unconnected_gradients="zero")
    return [backend.to_numpy(o.value) for o in outputs] + [backend.to_numpy(g.value) for g in grads]


def assert_fused_equals_numpy(function, arrays, kernel_calls, expected_kernels):
    host = _outputs_and_gradients(function, arrays)
    with use_standin():
        kernel_calls.clear()
        device = _outputs_and_gradients(function, arrays)
    for name in expected_kernels:
        assert name in kernel_calls, f"the fused kernel {name} never ran; ran: {sorted(set(kernel_calls))}"
    for index, (a, b) in enumerate(zip(host, device)):
        numpy.testing.assert_array_equal(b, a, err_msg=f"output / gradient {index}")
    return host


VARIANTS = [(mask, go_backwards, sequences) for mask in (None, MASK) for go_backwards in (False, True)
            for sequences in (True, False)]


@pytest.mark.parametrize("mask, go_backwards, return_sequences", VARIANTS)
def test_fused_lstm_equals_numpy(mask, go_backwards, return_sequences, kernel_calls, on_numpy):
    x, h, c, kernel, recurrent, bias = _data(4)

    def lstm(*a):
        sequence, final_h, final_c = R.lstm(*a, mask=mask, go_backwards=go_backwards)
        return (sequence if return_sequences else final_h), final_c

    suffix = "" if mask is None else "_masked"
    assert_fused_equals_numpy(lstm, [x, h, c, kernel, recurrent, bias], kernel_calls, [f"lstm_step{suffix}", f"lstm_step_vjp{suffix}"])


def test_fused_lstm_with_recurrent_dropout_and_mask(kernel_calls, on_numpy):
    x, h, c, kernel, recurrent, bias = _data(4, seed=2)
    recurrent_mask = numpy.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0], [2.0, 2.0, 0.0]], dtype="float32")
    for mask in (None, MASK):
        assert_fused_equals_numpy(lambda *a, mask=mask: R.lstm(*a, mask=mask, recurrent_mask=recurrent_mask)[:1],
                         [x, h, c, kernel, recurrent, bias], kernel_calls, ["lstm_step_vjp" + ("" if mask is None else "_masked")])


def test_one_launch_per_lstm_step(kernel_calls, on_numpy):
    x, h, c, kernel, recurrent, bias = _data(4)
    with use_standin():
        tensors = [Tensor(backend.xp.asarray(a)) for a in (x, h, c, kernel, recurrent, bias)]
        kernel_calls.clear()
        with GradientTape() as tape:
            tape.watch(tensors[0])
            total = ops.sum(R.lstm(*tensors)[0])
        assert kernel_calls.count("lstm_step") == x.shape[1]
        tape.gradient(total, tensors[0])
        assert kernel_calls.count("lstm_step_vjp") == x.shape[1]


@pytest.mark.parametrize("mask, go_backwards, return_sequences", VARIANTS)
def test_fused_gru_equals_numpy(mask, go_backwards, return_sequences, kernel_calls, on_numpy):
    x, h, _, kernel, recurrent, bias = _data(3)
    bias = numpy.stack([bias, bias[::-1] * 0.5])

    def gru(*a):
        sequence, final_h = R.gru(*a, mask=mask, go_backwards=go_backwards)
        return (sequence if return_sequences else final_h),

    # No mask: Keras' default GRU runs the feature-major loop; masked steps run the general loop.
    names = ["gru_step", "gru_step_vjp"] if mask is None else ["gru_step_general_masked", "gru_step_general_vjp_masked"]
    assert_fused_equals_numpy(gru, [x, h, kernel, recurrent, bias], kernel_calls, names)


def test_fused_gru_with_recurrent_dropout(kernel_calls, on_numpy):
    x, h, _, kernel, recurrent, bias = _data(3, seed=3)
    bias = numpy.stack([bias, bias * 0.5])
    recurrent_mask = numpy.random.default_rng(4).choice([0.0, 2.0], size=(3, 9)).astype("float32")
    assert_fused_equals_numpy(lambda *a: R.gru(*a, recurrent_mask=recurrent_mask)[:1], [x, h, kernel, recurrent, bias],
                     kernel_calls, ["gru_step_general", "gru_step_general_vjp"])


def test_gru_reset_before_and_other_activations_stay_unfused(kernel_calls, on_numpy):
    x, h, _, kernel, recurrent, bias = _data(3, seed=5)
    assert_fused_equals_numpy(lambda *a: R.gru(*a, reset_after=False)[:1], [x, h, kernel, recurrent, bias], kernel_calls, [])
    assert not [name for name in kernel_calls if name.startswith("gru")]
    x, h, c, kernel, recurrent, bias = _data(4, seed=6)
    assert_fused_equals_numpy(lambda *a: R.lstm(*a, recurrent_activation="hard_sigmoid")[:1], [x, h, c, kernel, recurrent, bias],
                     kernel_calls, [])
    assert not [name for name in kernel_calls if name.startswith("lstm")]


def test_unfused_switch_turns_the_kernels_off(kernel_calls, on_numpy):
    x, h, c, kernel, recurrent, bias = _data(4)
    fused = assert_fused_equals_numpy(lambda *a: R.lstm(*a)[:1], [x, h, c, kernel, recurrent, bias], kernel_calls, ["lstm_step"])
    with use_standin(), device_kernels.unfused():
        kernel_calls.clear()
        plain = _outputs_and_gradients(lambda *a: R.lstm(*a)[:1], [x, h, c, kernel, recurrent, bias])
    assert not kernel_calls
    for a, b in zip(fused, plain):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mask", [None, MASK])
def test_float64_gradients_through_the_fused_steps(mask, kernel_calls, on_numpy):
    x, h, c, kernel, recurrent, bias = _data(4, dtype="float64", seed=7)
    with use_standin():
        check_gradients(lambda *a: R.lstm(*a, mask=mask), x, h, c, kernel, recurrent, bias)
        gru_bias = numpy.stack([bias[:9], bias[3:]])
        check_gradients(lambda *a: R.gru(*a, mask=mask, go_backwards=True), x, h, kernel[:, :9], recurrent[:, :9],
                        gru_bias)
    assert {"lstm_step_vjp" if mask is None else "lstm_step_vjp_masked",
            "gru_step_vjp" if mask is None else "gru_step_general_vjp_masked"} <= set(kernel_calls)
