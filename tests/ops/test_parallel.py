"""The batch-splitting thread helper, and conv / pool ops giving the same result split or not."""
import contextlib

import numpy as np
import pytest

from neuroflow import backend
from neuroflow.ops import parallel, pooling
from neuroflow.ops.convolution import standard as convolution

# Threads split NumPy's work over the CPU cores; a device backend runs each kernel whole (parallel.run_chunks).
pytestmark = pytest.mark.skipif(backend.on_device(), reason="thread splitting is the NumPy backend's")


@pytest.fixture
def threads(monkeypatch):
    """Forces splitting even for tiny arrays; restores the environment's thread count afterwards."""
    monkeypatch.setattr(parallel, "MIN_ELEMENTS", 0)

    def use(count):
        parallel.set_num_threads(count)

    yield use
    parallel.set_num_threads(None)


@pytest.mark.parametrize("n, parts, expected", [
    (7, 2, [(0, 4), (4, 7)]),
    (6, 3, [(0, 2), (2, 4), (4, 6)]),
    (1, 2, [(0, 1)]),
    (2, 5, [(0, 1), (1, 2)]),
])
def test_chunk_bounds_cover_the_range_in_near_equal_slices(n, parts, expected):
    assert parallel.chunk_bounds(n, parts) == expected


@pytest.mark.parametrize("n", [1, 2, 7, 128])
def test_run_chunks_visits_every_row_once(threads, n):
    threads(3)
    out = np.zeros(n)

    def add_one(start, stop):
        out[start:stop] += 1

    parallel.run_chunks(n, add_one, size=n)
    np.testing.assert_array_equal(out, np.ones(n))


def test_run_chunks_raises_a_worker_error_after_all_slices_finish(threads):
    threads(2)
    seen = []

    def fail_late(start, stop):
        seen.append(start)
        if start > 0:
            raise RuntimeError("slice failed")

    with pytest.raises(RuntimeError, match="slice failed"):
        parallel.run_chunks(4, fail_late, size=4)
    assert sorted(seen) == [0, 2]


def test_thread_count_follows_the_environment(monkeypatch):
    monkeypatch.setattr(parallel.backend, "blas_threads_yield", lambda: True)
    monkeypatch.setenv("NEUROFLOW_NUM_THREADS", "3")
    parallel.set_num_threads(None)
    assert parallel.num_threads() == 3
    monkeypatch.delenv("NEUROFLOW_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    parallel.set_num_threads(None)
    assert parallel.num_threads() == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setattr(parallel.backend, "blas_threads_yield", lambda: False)  # spinning BLAS threads
    parallel.set_num_threads(None)
    assert parallel.num_threads() == 1
    monkeypatch.setenv("NEUROFLOW_NUM_THREADS", "many")
    parallel.set_num_threads(None)
    with pytest.raises(ValueError, match="NEUROFLOW_NUM_THREADS"):
        parallel.num_threads()
    monkeypatch.delenv("NEUROFLOW_NUM_THREADS")
    parallel.set_num_threads(None)


def _conv_and_pool(x, kernel, bias, pool_padding):
    """Forward and all gradients of relu(conv + bias) then 2x2 max pooling, as plain arrays."""
    params = dict(strides=(1, 1), padding="valid", dilation_rate=(1, 1), groups=1, activation="relu")
    out, conv_res = convolution.conv2d_op._forward(x, kernel, bias, **params)
    pooled, pool_res = pooling.max_pool2d_op._forward(out, pool_size=(2, 2), strides=(2, 2), padding=pool_padding)
    g = np.linspace(-1, 1, pooled.size, dtype=x.dtype).reshape(pooled.shape)
    (g_out,) = pooling.max_pool2d_op._vjp(pool_res, g, (True,))
    grads = convolution.conv2d_op._vjp(conv_res, g_out, (True, True, True))
    return (pooled,) + tuple(grads)


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("pool_padding", ["valid", "same"])
def test_conv_relu_pool_give_identical_results_split_over_threads(threads, batch, pool_padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 9, 8, 3)).astype("float32")
    kernel = rng.standard_normal((3, 3, 3, 4)).astype("float32")
    bias = rng.standard_normal(4).astype("float32")
    threads(1)
    single = _conv_and_pool(x, kernel, bias, pool_padding)
    threads(3)
    split = _conv_and_pool(x, kernel, bias, pool_padding)
    pooled, grad_x, grad_kernel, grad_bias = split
    for a, b in zip(single, split):
        if b is grad_kernel:
            # A sum over samples, added up per thread's share: equal up to float32 rounding, and the
            # same again for the same thread count.
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
            np.testing.assert_array_equal(b, _conv_and_pool(x, kernel, bias, pool_padding)[2])
        else:
            np.testing.assert_array_equal(a, b)
    # The bias gradient (ones @ g) equals the column sum up to float32 rounding.
    out, res = convolution.conv2d_op._forward(x, kernel, bias, strides=(1, 1), padding="valid",
                                              dilation_rate=(1, 1), groups=1, activation="linear")
    g = rng.standard_normal(out.shape).astype("float32")
    grad_bias = convolution.conv2d_op._vjp(res, g, (False, False, True))[2]
    np.testing.assert_allclose(grad_bias, g.astype("float64").sum(axis=(0, 1, 2)), rtol=1e-5, atol=1e-5)


def test_col2im_split_matches_the_unsplit_sum(threads):
    rng = np.random.default_rng(1)
    columns = rng.standard_normal((3, 4, 5, 3, 3, 2))
    geometry = ((1, 1), (1, 1), (4, 5))
    threads(1)
    single = convolution.col2im(columns, (3, 6, 7, 2), geometry)
    threads(2)
    split = convolution.col2im(columns, (3, 6, 7, 2), geometry)
    expected = np.zeros((3, 6, 7, 2))
    for i in range(3):
        for j in range(3):
            expected[:, i:i + 4, j:j + 5] += columns[:, :, :, i, j]
    np.testing.assert_array_equal(single, split)
    np.testing.assert_allclose(split, expected)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_splits_work_with_its_own_pool(threads):
    import os

    threads(2)
    parallel.run_chunks(4, lambda start, stop: None, size=4)  # the parent's pool exists now
    pid = os.fork()
    if pid == 0:  # child: must not hang on the parent's thread-less executor
        out = np.zeros(4)

        def fill(start, stop):
            out[start:stop] = 1

        parallel.run_chunks(4, fill, size=4)
        os._exit(0 if out.sum() == 4 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_managed_threads_put_openblas_on_one_thread_and_restore_it(monkeypatch):
    control = parallel._openblas_control()
    if control is None:
        pytest.skip("NumPy here is not linked to an OpenBLAS whose thread count can be set")
    monkeypatch.setenv("NEUROFLOW_NUM_THREADS", "2")
    _, get_blas = control
    blas_before, setting_before = get_blas(), parallel._threads
    with parallel.managed_threads():
        assert get_blas() == 1
        assert parallel.num_threads() == 2
    assert get_blas() == blas_before
    assert parallel._threads == setting_before


def test_fit_manages_threads_only_for_plain_convolutional_networks():
    from neuroflow import layers, models
    from neuroflow.training.trainer import _threads_for

    def managed(model):
        return not isinstance(_threads_for(model), contextlib.nullcontext)

    convnet = models.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3), layers.MaxPooling2D(),
                                 layers.Flatten(), layers.Dense(2)])
    assert managed(convnet)
    assert not managed(models.Sequential([layers.Input((8,)), layers.Dense(4)]))
    assert not managed(models.Sequential([layers.Input((8, 8, 2)), layers.Conv2D(4, 3), layers.DepthwiseConv2D(3)]))
    assert not managed(models.Sequential([layers.Input((8, 8, 2)), layers.Conv2D(4, 3, groups=2)]))
    # Recurrent networks too, also inside Bidirectional, unless a large Dense kernel needs OpenBLAS's threads.
    assert managed(models.Sequential([layers.Input((5,)), layers.Embedding(10, 3), layers.LSTM(4), layers.Dense(1)]))
    assert managed(models.Sequential([layers.Input((5, 3)), layers.Bidirectional(layers.GRU(4))]))
    assert managed(models.Sequential([layers.Input((5, 3)), layers.RNN(layers.LSTMCell(4))]))
    assert not managed(models.Sequential([layers.Input((5, 3)), layers.LSTM(4), layers.Dense(1024), layers.Dense(1024)]))


def test_layers_declare_how_they_want_blas_threads():
    from neuroflow import layers

    def declared(layer, input_shape):
        layer.build(input_shape)
        return layer.blas_threads()

    assert declared(layers.Conv2D(4, 3), (None, 8, 8, 2)) == "split"
    assert declared(layers.Conv1D(4, 3), (None, 8, 2)) == "split"
    assert declared(layers.Conv2D(4, 3, groups=2), (None, 8, 8, 2)) == "default"
    assert declared(layers.DepthwiseConv2D(3), (None, 8, 8, 2)) == "default"
    assert declared(layers.SeparableConv2D(4, 3), (None, 8, 8, 2)) == "default"
    assert declared(layers.Conv2DTranspose(4, 3), (None, 8, 8, 2)) == "default"
    assert declared(layers.Dense(4), (None, 8)) is None
    assert declared(layers.Dense(1024), (None, 1024)) == "default"  # 1 << 20 weights
    assert declared(layers.Dense(1023), (None, 1024)) is None
    assert layers.MaxPooling2D().blas_threads() is None
    for recurrent in (layers.SimpleRNN(4), layers.LSTM(4), layers.GRU(4)):
        assert declared(recurrent, (None, 5, 3)) == "split"
