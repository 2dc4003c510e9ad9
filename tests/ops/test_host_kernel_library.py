"""The loops compiled ahead of time (ops/host_kernel_library.py): built here once, they give the NumPy path's
bits at every size, load without numba, and a damaged build is passed over for the jit or NumPy."""
import os
import subprocess
import sys

import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.ops import host_kernel_library, host_kernels

pytest.importorskip("numba", reason="the library is built by numba's ahead-of-time compiler (the 'fast' extra)")

from tests.ops.test_host_kernels import OPTIMIZERS, _train  # noqa: E402 - the same runs, through the library

LOOPS = {"adam": "adam", "adamw": "adam", "rmsprop": "rmsprop", "sgd": "sgd", "sgd_momentum": "sgd_momentum",
         "sgd_nesterov": "sgd_momentum"}


@pytest.fixture(scope="module")
def built_home(tmp_path_factory):
    """A NEUROFLOW_HOME holding a fresh build (about 10 s of compiling, once for the module)."""
    home = str(tmp_path_factory.mktemp("neuroflow_home"))
    try:
        path = host_kernel_library.build(home)
    except Exception as error:  # no C compiler, or a numba without pycc: nothing here to test
        pytest.skip(f"numba.pycc could not build the library on this machine: {error}")
    assert path.startswith(host_kernel_library.directory(home))
    return home


@pytest.fixture
def library(built_home, on_numpy):
    module = host_kernel_library.load(built_home)
    assert module is not None, "a fresh build does not load"
    previous_library = host_kernel_library.use(module)
    previous_enabled = host_kernels.set_enabled(True)
    yield module
    host_kernels.set_enabled(previous_enabled)
    host_kernel_library.use(previous_library)


@pytest.mark.parametrize("shape", [(7,), (300, 250)], ids=["tiny", "large"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_built_loops_give_the_numpy_bits_at_any_size(name, dtype, shape, library, monkeypatch):
    handed = []
    get = host_kernels.get
    monkeypatch.setattr(host_kernels, "get", lambda kernel, arrays: handed.append(get(kernel, arrays)) or handed[-1])
    looped, looped_slots = _train(OPTIMIZERS[name], True, dtype, shape)
    built = getattr(library, host_kernel_library.function_name(LOOPS[name], dtype))
    assert handed and all(kernel is built for kernel in handed), "the built loop did not run"
    plain, plain_slots = _train(OPTIMIZERS[name], False, dtype, shape)
    numpy.testing.assert_array_equal(looped, plain)
    for a, b in zip(looped_slots, plain_slots, strict=True):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_built_dense_loops_give_the_numpy_bits_on_small_batches(dtype, library):
    from neuroflow.ops.matmul import dense_op

    rng = numpy.random.default_rng(2)
    x = rng.normal(size=(32, 64)).astype(dtype)
    x[0] = 0
    x[1, 0], x[2, 1] = numpy.nan, numpy.inf
    kernel, bias = rng.normal(size=(64, 64)).astype(dtype), rng.normal(size=64).astype(dtype)
    bias[:4] = [0, -0.0, 0, 0]
    upstream = rng.normal(size=(32, 64)).astype(dtype)
    upstream[3, :3] = [numpy.inf, numpy.nan, -0.0]
    results = []
    for use_loops in (True, False):
        host_kernels.set_enabled(use_loops)
        assert (host_kernels.get_for_rows("bias_relu", x @ kernel, (bias,)) is not None) == use_loops
        with numpy.errstate(invalid="ignore"):
            out, residuals = dense_op._forward(x, kernel, bias, activation="relu", options=None)
            results.append((out.copy(), dense_op._vjp(residuals, upstream, (True, True, True))))
    (looped_out, looped_grads), (plain_out, plain_grads) = results
    assert numpy.array_equal(looped_out, plain_out, equal_nan=True)
    assert numpy.array_equal(numpy.signbit(looped_out), numpy.signbit(plain_out))
    for looped, plain in zip(looped_grads, plain_grads, strict=True):
        assert looped.dtype == plain.dtype and looped.shape == plain.shape
        assert numpy.array_equal(looped, plain, equal_nan=True)
        assert numpy.array_equal(numpy.signbit(looped), numpy.signbit(plain))


def test_the_library_takes_only_what_its_signatures_index(library):
    rows = numpy.zeros((4, 6), numpy.float32)
    bias = numpy.zeros(6, numpy.float32)
    assert host_kernels.get_for_rows("bias_relu", rows, (bias,)) is library.bias_relu_float32
    assert host_kernels.get_for_rows("bias_relu", rows, (bias[None],)) is None                # a 2-D bias
    assert host_kernels.get_for_rows("bias_relu", rows, (bias[:-1],)) is None                 # another width
    assert host_kernels.get_for_rows("bias_relu", rows.astype(numpy.float16), (bias.astype(numpy.float16),)) is None
    assert host_kernels.get("sgd", (rows, rows.astype(numpy.float64))) is None                 # mixed dtypes
    assert host_kernels.get("sgd", (rows, rows.T.copy().T)) is None                            # not C-ordered


def test_a_digits_sized_fit_with_the_library_equals_one_without(library):
    rng = numpy.random.default_rng(3)
    x, y = rng.normal(size=(200, 64)).astype("float32"), rng.integers(0, 10, 200)
    histories, weights = [], []
    for use_loops in (True, False):
        host_kernels.set_enabled(use_loops)
        neuroflow.set_random_seed(0)
        model = neuroflow.Sequential([layers.Input((64,)), layers.Dense(64, activation="relu"),
                                      layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        histories.append(model.fit(x, y, epochs=3, batch_size=32, verbose=0).history)
        weights.append([w.numpy() for w in model.weights])
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        numpy.testing.assert_array_equal(a, b)


def test_a_process_runs_the_built_loops_without_importing_numba(built_home):
    code = ("import sys, numpy, neuroflow\n"
            "from neuroflow.ops import host_kernels, host_kernel_library\n"
            "model = neuroflow.Sequential([neuroflow.layers.Input((8,)), neuroflow.layers.Dense(4, activation='relu'),"
            " neuroflow.layers.Dense(1)])\n"
            "model.compile(optimizer='adam', loss='mse')\n"
            "model.fit(numpy.ones((16, 8), 'float32'), numpy.ones((16, 1), 'float32'), epochs=1, verbose=0)\n"
            "print(host_kernel_library.load() is not None, 'numba' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "NEUROFLOW_HOME": built_home, "NEUROFLOW_NUMBA": "1"})
    assert result.stdout.split() == ["True", "False"]


def test_a_damaged_build_is_passed_over(tmp_path):
    folder = host_kernel_library.directory(str(tmp_path))
    os.makedirs(folder)
    import importlib.machinery
    with open(os.path.join(folder, host_kernel_library.MODULE_NAME + importlib.machinery.EXTENSION_SUFFIXES[0]), "wb") as file:
        file.write(b"not a shared object")
    assert host_kernel_library.load(str(tmp_path)) is None
    code = ("from neuroflow.ops import host_kernel_library as l; print(l.load() is None); print(l.load_error())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "NEUROFLOW_HOME": str(tmp_path)})
    loaded_nothing, reason = result.stdout.strip().split("\n", 1)
    assert loaded_nothing == "True" and "does not load" in reason


def test_each_interpreter_and_cpu_has_its_own_folder(tmp_path):
    folder = host_kernel_library.directory(str(tmp_path))
    assert folder.startswith(os.path.join(str(tmp_path), "kernels"))
    assert sys.implementation.cache_tag in os.path.basename(folder)
    assert host_kernel_library.load(str(tmp_path / "empty")) is None  # nothing built there


def _cross_entropy_step(use_loops, labels, logits, probabilities):
    from neuroflow.ops.loss_kernels import sparse_softmax_cross_entropy_op as op

    host_kernels.set_enabled(use_loops)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        loss, residuals = op._forward(labels, logits, probabilities, axis=-1, mean=True)
        return numpy.array(loss), op._vjp(residuals, numpy.ones((), logits.dtype), (False, True, False))[1]


@pytest.mark.parametrize("case", ["plain", "int32_labels", "unsure_row", "nan_row"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_built_cross_entropy_loops_give_the_numpy_bits(case, dtype, library, monkeypatch):
    ran = []
    get_for_labels = host_kernels.get_for_labels
    monkeypatch.setattr(host_kernels, "get_for_labels", lambda name, matrix, labels: ran.append(name) or get_for_labels(
        name, matrix, labels))
    rng = numpy.random.default_rng(4)
    logits = rng.normal(size=(32, 10)).astype(dtype)
    labels = rng.integers(0, 10, 32)
    if case == "int32_labels":
        labels = labels.astype(numpy.int32)
    if case == "unsure_row":  # p[label] far below the precision threshold: that row takes the log-softmax
        logits[5] = 0
        logits[5, labels[5]] = -200
    probabilities = numpy.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    if case == "nan_row":
        probabilities[7] = numpy.nan
    looped = _cross_entropy_step(True, labels, logits, probabilities)
    assert "pick_labels" in ran and "softmax_ce_grad" in ran
    plain = _cross_entropy_step(False, labels, logits, probabilities)
    for a, b in zip(looped, plain, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert numpy.array_equal(a, b, equal_nan=True)


def test_bad_labels_are_named_by_the_built_loop_too(library):
    from neuroflow.ops.loss_kernels import sparse_softmax_cross_entropy_op as op

    probabilities = numpy.full((4, 3), 1 / 3, numpy.float32)
    for bad in ([0, 1, 3, 2], [0, -1, 1, 2]):
        with pytest.raises(ValueError, match=r"labels in \[0, 3\).*outside that range: \[" + str(bad[2] if bad[2] == 3 else -1)):
            op._forward(numpy.array(bad), numpy.log(probabilities), probabilities, axis=-1, mean=True)
