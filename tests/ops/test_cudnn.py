"""Convolution and pooling through cuDNN's bindings (ops/cudnn.py) against the im2col / tap-by-tap path.

The stand-in device emulates CuPy's cudnn calls in plain NumPy (neuroflow/testing/cudnn_standin.py),
so these tests check neuroflow's plumbing (argument order, padding, strides, dilation, groups,
layouts, output shapes, gradients) on the CPU. The real bindings have not run on a GPU here.
"""
import itertools
import types

import numpy
import pytest

import neuroflow
from neuroflow import backend, layers, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import cudnn, device_kernels
from neuroflow.testing import check_gradients, cudnn_standin
from neuroflow.testing.device_standin import use_standin


@pytest.fixture(autouse=True)
def on_numpy():
    previous = backend.backend()
    backend.set_backend("numpy")
    cudnn_standin.calls.clear()
    yield
    backend.set_backend(previous)


def _run(function, arrays, probe_seed=1):
    """Host outputs and the gradients of sum(output * probe) wrt every array."""
    tensors = [Tensor(backend.xp.asarray(a)) for a in arrays]
    with GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        out = function(*tensors)
        probe = numpy.random.default_rng(probe_seed).normal(size=out.shape).astype(out.dtype)
        total = ops.sum(ops.multiply(out, Tensor(backend.xp.asarray(probe))))
    grads = tape.gradient(total, tensors, unconnected_gradients="zero")
    return [backend.to_numpy(out.value)] + [backend.to_numpy(g.value) for g in grads]


def assert_cudnn_path_equals_im2col(function, arrays, expected_call, layout=None):
    reference = _run(function, arrays)
    with use_standin(cudnn=True):
        through_cudnn = _run(function, arrays)
    names = {name for name, _ in cudnn_standin.calls}
    assert expected_call in names, f"{expected_call} never ran; ran {sorted(names)}"
    if layout is not None:
        assert {used for _, used in cudnn_standin.calls} == {layout}
    tolerance = 1e-12 if arrays[0].dtype == numpy.float64 else 2e-5
    for index, (want, got) in enumerate(zip(reference, through_cudnn)):
        assert got.shape == want.shape and got.dtype == want.dtype, index
        numpy.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance, err_msg=f"output / gradient {index}")


NHWC, NCHW = cudnn_standin.constants.CUDNN_TENSOR_NHWC, cudnn_standin.constants.CUDNN_TENSOR_NCHW
CONV_CASES = [(padding, strides, dilation, groups)
              for padding, strides, dilation, groups in itertools.product(
                  ["valid", "same"], [(1, 1), (2, 1), (2, 2)], [(1, 1), (2, 1)], [1, 2])
              if strides == (1, 1) or dilation == (1, 1)]  # Keras refuses strides > 1 with dilation > 1


@pytest.mark.parametrize("padding, strides, dilation, groups", CONV_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_through_cudnn_equals_im2col(padding, strides, dilation, groups, dtype):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(2, 7, 8, 4)).astype(dtype)
    kernel = rng.normal(size=(3, 2, 4 // groups, 6)).astype(dtype)
    bias = rng.normal(size=(6,)).astype(dtype)
    # float32 uses cuDNN's NHWC descriptors; float64 goes through NCHW.
    assert_cudnn_path_equals_im2col(lambda a, k, b: ops.conv(a, k, strides, padding, dilation_rate=dilation, groups=groups, bias=b,
                                      activation="relu"),
             [x, kernel, bias], "convolution_backward_filter", NHWC if dtype == "float32" else NCHW)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_layouts_and_odd_same_padding(data_format):
    rng = numpy.random.default_rng(1)
    shape = (2, 6, 5, 3) if data_format == "channels_last" else (2, 3, 6, 5)
    x = rng.normal(size=shape).astype("float32")
    kernel = rng.normal(size=(4, 4, 3, 5)).astype("float32")  # even kernel: 'same' pads one more after
    assert_cudnn_path_equals_im2col(lambda a, k: ops.conv(a, k, (2, 3), "same", data_format), [x, kernel], "convolution_backward_data")


@pytest.mark.parametrize("padding, strides, dilation", [("causal", 1, 2), ("same", 2, 1), ("valid", 3, 1),
                                                        ("causal", 2, 1)])
def test_conv1d_through_cudnn(padding, strides, dilation):
    rng = numpy.random.default_rng(2)
    x = rng.normal(size=(3, 11, 4)).astype("float32")
    kernel = rng.normal(size=(3, 4, 5)).astype("float32")
    assert_cudnn_path_equals_im2col(lambda a, k: ops.conv(a, k, strides, padding, dilation_rate=dilation), [x, kernel], "convolution_forward")


POOL_CASES = list(itertools.product(["max_pool", "average_pool"], ["valid", "same"], [(2, 2), (3, 3), (3, 2)],
                                    [(1, 1), (2, 2), (2, 1)]))


@pytest.mark.parametrize("kind, padding, pool_size, strides", POOL_CASES)
def test_pool2d_through_cudnn_equals_taps(kind, padding, pool_size, strides):
    x = numpy.random.default_rng(3).normal(size=(2, 7, 6, 3)).astype("float32")
    pool = getattr(ops, kind)
    assert_cudnn_path_equals_im2col(lambda a: pool(a, pool_size, strides, padding), [x], "pooling_backward")


@pytest.mark.parametrize("kind", ["max_pool", "average_pool"])
@pytest.mark.parametrize("data_format, shape", [("channels_first", (2, 3, 7, 6)), ("channels_last", (2, 9, 3)),
                                                ("channels_first", (2, 3, 9))])
def test_pooling_layouts_and_1d(kind, data_format, shape):
    x = numpy.random.default_rng(4).normal(size=shape).astype("float32")
    pool = getattr(ops, kind)
    assert_cudnn_path_equals_im2col(lambda a: pool(a, 3, 2, "same", data_format), [x], "pooling_forward")


def test_float64_gradients_through_cudnn():
    rng = numpy.random.default_rng(5)
    x, kernel, bias = rng.normal(size=(2, 5, 6, 4)), rng.normal(size=(3, 2, 2, 4)), rng.normal(size=(4,))
    with use_standin(cudnn=True):
        check_gradients(lambda a, k, b: ops.conv(a, k, (2, 1), "same", dilation_rate=1, groups=2, bias=b,
                                                 activation="tanh"), x, kernel, bias)
        check_gradients(lambda a, k: ops.conv(a, k, 1, "causal", dilation_rate=2), x[:, 0], rng.normal(size=(3, 4, 3)))
        check_gradients(lambda a: ops.average_pool(a, (3, 2), (2, 1), "same"), x)
        check_gradients(lambda a: ops.max_pool(a, 2, 1, "same", "channels_first"), x)
    assert {"convolution_backward_data", "convolution_backward_filter", "pooling_backward"} <= {
        name for name, _ in cudnn_standin.calls}


def test_conv_and_pooling_layers_train_alike_through_cudnn():
    x = numpy.random.default_rng(6).normal(size=(16, 8, 8, 2)).astype("float32")
    y = numpy.random.default_rng(7).integers(0, 3, size=16)
    weights = []
    for device in (False, True):
        neuroflow.set_random_seed(0)
        with use_standin(cudnn=True) if device else numpy.errstate():
            model = neuroflow.Sequential([layers.Input((8, 8, 2)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                                          layers.MaxPooling2D(), layers.Conv2D(3, 2, strides=2), layers.AveragePooling2D(),
                                          layers.Flatten(), layers.Dense(3, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            model.fit(x, y, epochs=2, batch_size=8, verbose=0)
            weights.append([w.numpy() for w in model.weights])
    assert {"convolution_forward", "pooling_forward"} <= {name for name, _ in cudnn_standin.calls}
    for host, device in zip(*weights):
        numpy.testing.assert_allclose(device, host, rtol=1e-4, atol=1e-5)


def test_without_cudnn_the_device_runs_im2col():
    rng = numpy.random.default_rng(8)
    x, kernel = rng.normal(size=(1, 5, 5, 2)).astype("float32"), rng.normal(size=(3, 3, 2, 2)).astype("float32")
    with use_standin():
        assert cudnn.bindings() is None
        ops.conv(Tensor(backend.xp.asarray(x)), Tensor(backend.xp.asarray(kernel)))
    with use_standin(cudnn=True), device_kernels.unfused():
        assert cudnn.bindings() is None
        ops.max_pool(Tensor(backend.xp.asarray(x)), 2)
    with use_standin(cudnn=True):
        assert cudnn.supports(backend.xp.asarray(x.astype("int32"))) is None  # cuDNN has no integer convolution here
        assert cudnn.supports(backend.xp.asarray(x)) is not None
    assert not cudnn_standin.calls


def test_the_emulation_refuses_what_cupy_refuses():
    with use_standin(cudnn=True) as xp:
        x, w = xp.zeros((1, 2, 5, 5), dtype="float32"), xp.zeros((3, 2, 3, 3), dtype="float32")
        y = xp.zeros((1, 3, 3, 3), dtype="float32")
        options = dict(auto_tune=False, tensor_core="auto")
        xp.cudnn.convolution_forward(x, w, None, y, (0, 0), (1, 1), (1, 1), 1, **options)
        with pytest.raises(cudnn_standin.CuDNNError, match="expects"):  # 'same'-sized output for a valid pad
            xp.cudnn.convolution_forward(x, w, None, xp.zeros((1, 3, 5, 5), dtype="float32"), (0, 0), (1, 1), (1, 1), 1,
                                         **options)
        with pytest.raises(TypeError, match="tuple"):
            xp.cudnn.convolution_forward(x, w, None, y, [0, 0], (1, 1), (1, 1), 1, **options)
        with pytest.raises(ValueError, match="c-contiguous"):
            xp.cudnn.convolution_forward(x, w, None, xp.zeros((1, 3, 3, 3), dtype="float32").transpose(0, 1, 3, 2),
                                         (0, 0), (1, 1), (1, 1), 1, **options)
        with pytest.raises(TypeError, match="not supported"):
            xp.cudnn.convolution_forward(x, w.astype("float64"), None, y, (0, 0), (1, 1), (1, 1), 1, **options)
        with pytest.raises(TypeError, match="cupy.ndarray"):
            xp.cudnn.pooling_forward(numpy.zeros((1, 2, 4, 4), "float32"), y, (2, 2), (2, 2), (0, 0), 0)


def test_cupy_without_cudnn_or_with_cupy_14_falls_back(monkeypatch):
    modules = {"cupy.cuda.cudnn": types.SimpleNamespace(available=True), "cupy.cudnn": types.SimpleNamespace()}

    def fake_import(name):
        if name not in modules:
            raise ImportError(f"No module named {name!r}")
        return modules[name]
    monkeypatch.setattr(cudnn.importlib, "import_module", fake_import)
    found = cudnn._import_cupy_cudnn()
    assert found.calls is modules["cupy.cudnn"] and found.constants is modules["cupy.cuda.cudnn"]
    modules["cupy.cuda.cudnn"].available = False  # CuPy 13 installed without the cuDNN library
    assert cudnn._import_cupy_cudnn() is None
    del modules["cupy.cuda.cudnn"]  # CuPy 14 removed the modules
    assert cudnn._import_cupy_cudnn() is None
