"""keras.backend names on neuroflow.backend: standardize_dtype, is_int_dtype, get_uid (values as Keras gives them)."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

import neuroflow
import neuroflow as nf
from neuroflow import backend
from neuroflow.testing.device_standin import use_standin


@pytest.mark.parametrize("dtype, expected", [
    (None, "float32"), (int, "int32"), (float, "float32"), (bool, "bool"), ("int", "int32"), ("float64", "float64"),
    (np.float16, "float16"), (np.dtype("int8"), "int8"), ("bfloat16", "bfloat16"), ("uint8", "uint8"),
    (np.dtype("int64"), "int64"), (np.float64, "float64"), ("complex64", "complex64"),
])
def test_standardize_dtype_matches_keras(dtype, expected):
    assert backend.standardize_dtype(dtype) == expected


@pytest.mark.parametrize("dtype", ["float", "foo", object])
def test_standardize_dtype_refuses(dtype):
    with pytest.raises(ValueError, match="Invalid dtype"):
        backend.standardize_dtype(dtype)


def test_is_int_dtype():
    assert backend.is_int_dtype("int32") and backend.is_int_dtype("uint8") and backend.is_int_dtype(int)
    assert not backend.is_int_dtype("float32") and not backend.is_int_dtype(bool)


def test_get_uid_counts_per_prefix_and_restarts():
    backend.clear_session()
    assert [backend.get_uid(), backend.get_uid(), backend.get_uid("x"), backend.get_uid("")] == [1, 2, 1, 3]
    backend.clear_session()
    assert backend.get_uid("x") == 1


# ---- the device backends: errors that name what is missing, list_devices, NEUROFLOW_BACKEND ------------------

def test_cupy_backend_without_cupy_names_the_missing_package(monkeypatch):
    previous = backend.backend()
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    with pytest.raises(ImportError, match=r"needs CuPy, which is not installed: pip install 'neuroflow\[gpu\]'"):
        backend.set_backend("cupy")
    assert backend.backend() == previous  # unchanged by the refusal


def test_cupy_backend_without_a_gpu_names_the_missing_device(monkeypatch):

    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    previous = backend.backend()
    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(RuntimeError, match="needs a CUDA GPU, but CuPy found none.*no CUDA-capable device"):
        backend.set_backend("cupy")
    fake.cuda.runtime.getDeviceCount = lambda: 0
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"):
        backend.set_backend("cupy")
    assert backend.backend() == previous


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="set_backend expects 'numpy' or 'cupy', got 'jax'"):
        backend.set_backend("jax")


def test_list_devices_on_numpy(on_numpy):
    assert neuroflow.config.list_devices() == ["cpu:0"] and backend.list_devices("gpu") == []
    assert backend.device_description() == "numpy (cpu:0)"
    with pytest.raises(ValueError, match="device_type"):
        backend.list_devices("tpu")


@pytest.mark.parametrize("name, message", [("numpy", "numpy"), ("bogus", "set_backend expects")])
def test_neuroflow_backend_environment_variable(name, message):
    environment = dict(os.environ, NEUROFLOW_BACKEND=name)
    result = subprocess.run([sys.executable, "-c", "import neuroflow; print(neuroflow.config.backend())"],
                            capture_output=True, text=True, env=environment)
    assert message in result.stdout + result.stderr


def test_summary_names_the_device_off_the_cpu(on_numpy):
    lines = []
    with use_standin():
        model = neuroflow.Sequential([neuroflow.layers.Input((3,)), neuroflow.layers.Dense(2)])
        model.summary(print_fn=lines.append)
    assert lines[0].splitlines()[-1] == " Device: standin (gpu:0 stand-in on the CPU)"
    lines.clear()
    model.summary(print_fn=lines.append)
    assert "Device" not in lines[0]  # on the CPU the table stays Keras' own


def test_a_bad_label_on_the_device_fails_in_its_own_step(on_numpy):
    x = np.zeros((8, 2), "float32")
    y = np.array([0, 1, 2, 0, 1, 2, 5, 0])
    with use_standin():
        model = neuroflow.Sequential([neuroflow.layers.Input((2,)), neuroflow.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        with pytest.raises(ValueError, match=r"labels in \[0, 3\).*1 label\(s\) outside that range: \[5\]"):
            model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        assert not backend._pending_checks
def test_device_accepts_the_cpu_and_refuses_what_numpy_cannot_use(on_numpy):
    with nf.device("cpu"), nf.device("CPU:0"):
        pass
    with pytest.raises(ValueError, match="computes with numpy"):
        with nf.device("gpu:0"):
            pass
    with pytest.raises(ValueError, match="device_name"):
        with nf.device("tpu"):
            pass
