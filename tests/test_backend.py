"""keras.backend names on neuroflow.backend: standardize_dtype, is_int_dtype, get_uid (values as Keras gives them)."""
import numpy as np
import pytest

import neuroflow as nf
from neuroflow import backend


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


def test_device_accepts_the_cpu_and_refuses_what_numpy_cannot_use():
    with nf.device("cpu"), nf.device("CPU:0"):
        pass
    with pytest.raises(ValueError, match="computes with numpy"):
        with nf.device("gpu:0"):
            pass
    with pytest.raises(ValueError, match="device_name"):
        with nf.device("tpu"):
            pass
