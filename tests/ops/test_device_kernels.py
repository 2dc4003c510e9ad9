"""The fused GPU kernels' bodies (ops/device_kernels.py), run on the stand-in's NumPy emulation, equal the NumPy path."""
import contextlib

import numpy
import pytest

import neuroflow
from neuroflow import backend, layers, optimizers
from neuroflow.ops import device_kernels
from neuroflow.ops.activation import KERNELS
from neuroflow.testing import device_standin
from neuroflow.testing.device_standin import use_standin


def test_no_fused_kernel_on_numpy(on_numpy):
    assert all(device_kernels.get(name) is None for name in ("relu_vjp", "adam", "rmsprop"))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_vjps_equal_the_numpy_derivative(name, rng, on_numpy):
    g = rng.normal(size=(4, 5)).astype("float32")
    y = KERNELS[name].forward(rng.normal(size=(4, 5)).astype("float32"))
    expected = KERNELS[name].derivative(g, None, y)
    with use_standin():
        kernel = device_kernels.get(f"{name}_vjp")
        assert kernel is not None
        fused = KERNELS[name].derivative(backend.xp.asarray(g), None, backend.xp.asarray(y))
        numpy.testing.assert_array_equal(backend.to_numpy(fused), expected)


@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.01), lambda: optimizers.RMSprop(0.01)])
def test_fused_updates_run_and_equal_numpy(make, monkeypatch, on_numpy):
    calls = []
    run = device_standin._ElementwiseKernel.__call__
    monkeypatch.setattr(device_standin._ElementwiseKernel, "__call__", lambda self, *a: calls.append(1) or run(self, *a))
    x = numpy.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = numpy.random.default_rng(1).normal(size=(16, 2)).astype("float32")
    weights = []
    for device in (False, True):
        neuroflow.set_random_seed(3)
        with use_standin() if device else contextlib.nullcontext():
            model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(2)])
            model.compile(optimizer=make(), loss="mse")
            model.fit(x, y, epochs=2, batch_size=8, verbose=0)
            weights.append([w.numpy() for w in model.weights])
    assert calls, "the fused update never ran on the device"
    for host, device in zip(*weights):
        numpy.testing.assert_array_equal(host, device)

