import os
import pathlib

import numpy
import pytest

import neuroflow
from neuroflow import backend

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_path(name):
    """A file of ../shared/data (or NEUROFLOW_DATA_DIR), or None when absent."""
    for directory in (os.environ.get("NEUROFLOW_DATA_DIR"), SHARED_DATA):
        if directory and (pathlib.Path(directory) / name).exists():
            return pathlib.Path(directory) / name
    return None


def pytest_configure(config):
    """NEUROFLOW_TEST_DEVICE=standin runs the tests on the CuPy-like stand-in device (neuroflow/testing/device_standin.py).

    On a GPU machine, NEUROFLOW_BACKEND=cupy runs them on CuPy itself (neuroflow/backend.py reads it at import).
    """
    if os.environ.get("NEUROFLOW_TEST_DEVICE") == "standin":
        from neuroflow.testing import device_standin  # only for this opt-in run

        backend.use_array_module("standin", device_standin.module)


@pytest.fixture(autouse=True)
def _isolate_state():
    """Each test starts from the default dtype and a fixed seed."""
    neuroflow.set_random_seed(1234)
    yield
    backend.set_floatx("float32")


@pytest.fixture
def float64():
    backend.set_floatx("float64")
    yield
    backend.set_floatx("float32")


@pytest.fixture
def rng():
    return numpy.random.default_rng(0)


@pytest.fixture
def on_numpy():
    """The NumPy backend for the test, whatever NEUROFLOW_BACKEND or NEUROFLOW_TEST_DEVICE chose for the run."""
    previous = backend.backend()
    backend.set_backend("numpy")
    yield
    backend.set_backend(previous)
