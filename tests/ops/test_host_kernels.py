"""The numba update loops (ops/host_kernels.py) give the NumPy path's bits, and step aside when they cannot run."""
import os
import subprocess
import sys

import numpy
import pytest

import neuroflow
from neuroflow import layers, optimizers
from neuroflow.ops import host_kernel_library, host_kernels

numba = pytest.importorskip("numba", reason="numba is the optional accelerator under test (the 'fast' extra)")

OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "adamw": lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.01),
    "rmsprop": lambda: optimizers.RMSprop(learning_rate=0.01),
    "sgd": lambda: optimizers.SGD(learning_rate=0.05),
    "sgd_momentum": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
}


@pytest.fixture
def loops_enabled(on_numpy, monkeypatch):
    # The loops are the NumPy backend's (on a device, ops/device_kernels.py): pinned even in a stand-in run.
    # These tests are the jit's: a library built on this machine (tests/ops/test_host_kernel_library.py) is set aside.
    monkeypatch.setattr(host_kernels, "WARMUP_ELEMENTS", 0)
    previous = host_kernels.set_enabled(True)
    library = host_kernel_library.use(None)
    yield
    host_kernel_library.use(library)
    host_kernels.set_enabled(previous)


def _train(make_optimizer, enabled, dtype, shape=(300, 250), steps=4):
    """Weights and every slot after `steps` updates of one large variable, with the loops on or off."""
    host_kernels.set_enabled(enabled)
    rng = numpy.random.default_rng(0)
    variable = neuroflow.Variable(rng.normal(size=shape).astype(dtype), dtype=dtype)
    optimizer = make_optimizer()
    for _ in range(steps):
        optimizer.apply([rng.normal(size=shape).astype(dtype)], [variable])
    slots = [numpy.array(slot.value) for per_variable in optimizer._slots.values() for slot in per_variable.values()]
    return numpy.array(variable.value), slots


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_loop_gives_the_numpy_bits(name, dtype, loops_enabled, monkeypatch):
    ran = []
    get = host_kernels.get
    monkeypatch.setattr(host_kernels, "get", lambda kernel, arrays: ran.append(kernel) or get(kernel, arrays))
    looped, looped_slots = _train(OPTIMIZERS[name], True, dtype)
    assert ran and host_kernels._compiled.get(ran[0]) is not None, "the numba loop never ran"
    plain, plain_slots = _train(OPTIMIZERS[name], False, dtype)
    assert looped.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(looped, plain)
    assert len(looped_slots) == len(plain_slots)
    for a, b in zip(looped_slots, plain_slots):
        numpy.testing.assert_array_equal(a, b)


def test_small_arrays_keep_the_numpy_code(loops_enabled):
    small = numpy.zeros(host_kernels.MIN_SIZE - 1, numpy.float32)
    large = numpy.zeros(host_kernels.MIN_SIZE, numpy.float32)
    assert host_kernels.get("sgd", (small, small)) is None
    assert host_kernels.get("sgd", (large, large)) is not None


def test_arrays_the_loops_cannot_index_keep_the_numpy_code(loops_enabled):
    n = host_kernels.MIN_SIZE
    weights = numpy.zeros((2, n), numpy.float32)
    assert host_kernels.get("sgd", (weights, weights)) is not None
    assert host_kernels.get("sgd", (weights, weights.T.copy().T)) is None            # not C-contiguous
    assert host_kernels.get("sgd", (weights, weights.astype(numpy.float64))) is None  # mixed dtypes
    assert host_kernels.get("sgd", (weights.astype(numpy.float16),) * 2) is None     # not float32 / float64
    assert host_kernels.get("sgd", (weights, weights[:1])) is None                    # different sizes


def test_a_scheduled_learning_rate_of_numpy_type_keeps_the_numpy_code(loops_enabled, monkeypatch):
    # A NumPy float64 rate is a strong scalar to NumPy (float64 arithmetic): the float32 loop would differ.
    calls = []
    monkeypatch.setattr(host_kernels, "get", lambda kernel, arrays: calls.append(kernel))
    optimizer = optimizers.SGD(learning_rate=0.1)
    variable = neuroflow.Variable(numpy.ones(host_kernels.MIN_SIZE, numpy.float32))
    optimizer.update_step(numpy.ones(host_kernels.MIN_SIZE, numpy.float32), variable, numpy.float64(0.1))
    assert calls == []
    numpy.testing.assert_array_equal(variable.numpy(), numpy.float32(1) - numpy.float32(0.1))


def test_without_numba_the_numpy_code_runs(loops_enabled, monkeypatch):
    monkeypatch.setitem(host_kernels._numba, "module", None)
    monkeypatch.setitem(host_kernels._numba, "missing", "No module named 'numba'")
    large = numpy.zeros(host_kernels.MIN_SIZE, numpy.float32)
    assert not host_kernels.available()
    assert host_kernels.get("sgd", (large, large)) is None


def test_the_environment_switch_turns_the_loops_off():
    code = ("import numpy; from neuroflow.ops import host_kernels as k; "
            "k.WARMUP_ELEMENTS = 0; a = numpy.zeros(k.MIN_SIZE, numpy.float32); print(k.get('sgd', (a, a)) is None)")
    for value, expected in (("0", "True"), ("1", "False")):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                env={**os.environ, "NEUROFLOW_NUMBA": value})
        assert result.stdout.strip() == expected


def test_a_model_fit_with_the_loops_equals_one_without(loops_enabled):
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(64, 300)).astype("float32")
    y = rng.integers(0, 10, 64)
    weights = []
    for enabled in (True, False):
        host_kernels.set_enabled(enabled)
        neuroflow.set_random_seed(0)
        model = neuroflow.Sequential([layers.Input((300,)), layers.Dense(256, activation="relu"),
                                      layers.Dense(10, activation="softmax")])
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        weights.append([w.numpy() for w in model.weights])
    assert weights[0][0].size >= host_kernels.MIN_SIZE  # the first kernel takes the loop
    for a, b in zip(*weights):
        numpy.testing.assert_array_equal(a, b)


def test_numba_is_imported_only_once_the_large_updates_would_pay_for_it(on_numpy, monkeypatch):
    library = host_kernel_library.use(None)
    monkeypatch.setitem(host_kernels._numba, "module", None)
    monkeypatch.setitem(host_kernels._numba, "elements_before", 0)
    monkeypatch.setattr(host_kernels, "WARMUP_ELEMENTS", 3 * host_kernels.MIN_SIZE)
    previous = host_kernels.set_enabled(True)
    try:
        large = numpy.zeros(host_kernels.MIN_SIZE, numpy.float32)
        small = numpy.zeros(host_kernels.MIN_SIZE - 1, numpy.float32)
        assert host_kernels.get("sgd", (small, small)) is None  # small arrays do not count
        assert host_kernels.get("sgd", (large, large)) is None
        assert host_kernels.get("sgd", (large, large)) is None
        assert host_kernels._numba["module"] is None  # not imported while warming up
        assert host_kernels.get("sgd", (large, large)) is not None  # the third large update reaches the sum
        assert host_kernels._numba["module"] is numba
    finally:
        host_kernels.set_enabled(previous)
        host_kernel_library.use(library)


def _dense_step(enabled, dtype, x, kernel, bias, upstream):
    from neuroflow.ops.matmul import dense_op

    host_kernels.set_enabled(enabled)
    with numpy.errstate(invalid="ignore"):  # the NaN and inf entries below
        out, residuals = dense_op._forward(x, kernel, bias, activation="relu", options=None)
        return out.copy(), dense_op._vjp(residuals, upstream, (True, True, True))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_dense_relu_loops_give_the_numpy_bits(dtype, loops_enabled, monkeypatch):
    ran = []
    get = host_kernels.get
    monkeypatch.setattr(host_kernels, "get", lambda kernel, arrays: ran.append(kernel) or get(kernel, arrays))
    rng = numpy.random.default_rng(2)
    rows, features, units = 130, 40, 512  # 130 x 512 outputs: above MIN_SIZE
    x = rng.normal(size=(rows, features)).astype(dtype)
    x[:3] = 0                                      # rows whose products are exactly zero
    x[3, 0], x[4, 1] = numpy.nan, numpy.inf        # NaN and inf pass through the relu and its derivative
    kernel = rng.normal(size=(features, units)).astype(dtype)
    bias = rng.normal(size=units).astype(dtype)
    bias[:8] = 0
    bias[8] = -0.0
    upstream = rng.normal(size=(rows, units)).astype(dtype)
    upstream[5, :4] = [numpy.inf, -numpy.inf, numpy.nan, -0.0]
    looped_out, looped_grads = _dense_step(True, dtype, x, kernel, bias, upstream)
    assert {"bias_relu", "relu_vjp_bias"} <= set(ran), "the dense loops never ran"
    plain_out, plain_grads = _dense_step(False, dtype, x, kernel, bias, upstream)
    assert looped_out.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(looped_out, plain_out)
    assert numpy.array_equal(numpy.signbit(looped_out), numpy.signbit(plain_out))  # -0 and +0 alike
    for looped, plain in zip(looped_grads, plain_grads):
        assert looped.dtype == plain.dtype and looped.shape == plain.shape
        numpy.testing.assert_array_equal(looped, plain)
        assert numpy.array_equal(numpy.signbit(looped), numpy.signbit(plain))


def test_the_dense_loops_step_aside_for_what_they_cannot_index(loops_enabled):
    rows = numpy.zeros((2, host_kernels.MIN_SIZE // 2), numpy.float32)
    bias = numpy.zeros(rows.shape[1], numpy.float32)
    assert host_kernels.get_for_rows("bias_relu", rows, (bias,)) is not None
    assert host_kernels.get_for_rows("bias_relu", rows, (bias[:-1],)) is None                  # another width
    assert host_kernels.get_for_rows("bias_relu", rows, (bias.astype(numpy.float64),)) is None  # another dtype
    assert host_kernels.get_for_rows("bias_relu", rows.T.copy().T, (bias,)) is None             # not C-contiguous
    assert host_kernels.get_for_rows("bias_relu", rows.reshape(-1), (bias,)) is None            # not 2-D
    assert host_kernels.get_for_rows("bias_relu", rows[:, :8], (bias[:8],)) is None             # small


def test_a_fit_whose_dense_layers_take_the_loops_equals_one_without(loops_enabled, monkeypatch):
    ran = []
    get_for_rows = host_kernels.get_for_rows
    monkeypatch.setattr(host_kernels, "get_for_rows",
                        lambda name, matrix, others: ran.append(name) or get_for_rows(name, matrix, others))
    rng = numpy.random.default_rng(3)
    x = rng.normal(size=(512, 20)).astype("float32")
    y = rng.integers(0, 10, 512)
    histories, weights = [], []
    for enabled in (True, False):
        host_kernels.set_enabled(enabled)
        neuroflow.set_random_seed(0)
        model = neuroflow.Sequential([layers.Input((20,)), layers.Dense(512, activation="relu"),
                                      layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        histories.append(model.fit(x, y, epochs=2, batch_size=128, verbose=0).history)  # 128 x 512 activations
        weights.append([w.numpy() for w in model.weights])
    assert {"bias_relu", "relu_vjp_bias"} <= set(ran)
    assert histories[0] == histories[1]
    for a, b in zip(*weights):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_cross_entropy_loops_give_the_numpy_bits(dtype, loops_enabled, monkeypatch):
    from neuroflow.ops.loss_kernels import sparse_softmax_cross_entropy_op as op

    ran = []
    get_for_labels = host_kernels.get_for_labels
    monkeypatch.setattr(host_kernels, "get_for_labels", lambda name, matrix, labels: ran.append(
        get_for_labels(name, matrix, labels) is not None) or get_for_labels(name, matrix, labels))
    rng = numpy.random.default_rng(5)
    logits = rng.normal(size=(256, 300)).astype(dtype)  # 76800 scores: above MIN_SIZE
    labels = rng.integers(0, 300, 256)
    probabilities = numpy.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    results = []
    for enabled in (True, False):
        host_kernels.set_enabled(enabled)
        loss, residuals = op._forward(labels, logits, probabilities, axis=-1, mean=True)
        results.append((numpy.array(loss), op._vjp(residuals, numpy.ones((), dtype), (False, True, False))[1]))
    assert ran[:2] == [True, True], "the jit's cross-entropy loops never ran"
    for looped, plain in zip(*results, strict=True):
        assert looped.dtype == plain.dtype
        numpy.testing.assert_array_equal(looped, plain)
