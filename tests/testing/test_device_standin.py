"""The stand-in device refuses what CuPy refuses, so CPU tests catch hidden host transfers."""
import numpy
import pytest

from neuroflow import backend
from neuroflow.testing import device_standin
from neuroflow.testing.device_standin import DeviceArray, use_standin

xp = device_standin.module


def test_implicit_conversion_to_numpy_raises_as_cupys_does():
    array = xp.asarray(numpy.arange(3.0))
    assert isinstance(array, DeviceArray)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        numpy.asarray(array)
    with pytest.raises(TypeError, match="Implicit conversion"):
        numpy.array(array)


def test_explicit_copies_work_and_are_counted():
    array = xp.asarray(numpy.arange(3.0))
    device_standin.transfers.reset()
    numpy.testing.assert_array_equal(array.get(), [0.0, 1.0, 2.0])
    numpy.testing.assert_array_equal(xp.asnumpy(array), [0.0, 1.0, 2.0])
    assert float(array.sum()) == 3.0 and array[1].item() == 1.0
    assert device_standin.transfers.count == 4


def test_copies_to_the_device_are_counted_with_their_bytes():
    device_standin.reset_counters()
    array = xp.asarray(numpy.arange(4.0))  # 32 bytes over
    xp.array([1, 2, 3])  # a list: 3 int64s, 24 bytes
    xp.asarray(array)  # already there: no copy
    xp.zeros(5) + 2.0  # made there; a Python scalar is a kernel argument, not a copy
    array[numpy.array([0, 1])]  # CuPy moves a NumPy index array over
    array[...] = numpy.zeros(4)  # and a NumPy value
    assert device_standin.host_to_device.count == 4
    assert device_standin.host_to_device.bytes == 32 + 24 + 16 + 32
    assert device_standin.device_to_host.count == 0
    array.get()
    assert device_standin.device_to_host.count == 1 and device_standin.device_to_host.bytes == 32
    assert device_standin.transfers is device_standin.device_to_host


def test_the_free_memory_figure_is_what_the_tests_set():
    assert xp.cuda.runtime.memGetInfo() == (16 * 2**30, 32 * 2**30)
    with device_standin.free_memory(1000):
        assert xp.cuda.runtime.memGetInfo()[0] == 1000
        with use_standin():
            assert backend.device_free_memory() == 1000  # the stand-in has no memory pool to add
    assert xp.cuda.runtime.memGetInfo()[0] == 16 * 2**30


def test_the_cudnn_emulation_comes_and_goes_beside_the_memory_figure():
    with use_standin(cudnn=True):
        assert xp.cuda.cudnn is not None and backend.device_free_memory() == 16 * 2**30
    assert not hasattr(xp.cuda, "cudnn") and xp.cuda.runtime.memGetInfo()[0] == 16 * 2**30


def test_host_arrays_given_to_device_functions_are_refused():
    array = xp.asarray(numpy.ones(3))
    with pytest.raises(TypeError, match="NumPy array given to the device"):
        xp.exp(numpy.ones(3))
    with pytest.raises(TypeError, match="NumPy array given to the device"):
        array + numpy.ones(3)  # noqa: B018 - the operator is the test
    with pytest.raises(TypeError, match="NumPy array given to the device"):
        xp.where(numpy.ones(3) > 0, array, 0)
    # Python scalars and NumPy scalars are fine, as on CuPy; so is assigning a host value into a device array.
    assert isinstance(array * 2.0 + numpy.float32(1), DeviceArray)
    array[...] = numpy.zeros(3)
    assert float(array.sum()) == 0.0


def test_numpy_functions_dispatch_to_the_device_and_full_reductions_stay_there():
    array = xp.asarray(numpy.arange(4.0))
    assert isinstance(numpy.exp(array), DeviceArray)  # __array_ufunc__, as CuPy's
    assert isinstance(numpy.sum(array), DeviceArray)  # __array_function__
    total = xp.sum(array)
    assert isinstance(total, DeviceArray) and total.shape == ()


def test_ufunc_at_is_missing_and_backend_scatter_replaces_it():
    with pytest.raises(AttributeError, match="scatter_add"):
        xp.add.at  # noqa: B018 - the attribute access is the test
    with use_standin():
        out = xp.zeros(3)
        backend.scatter_add(out, xp.asarray(numpy.array([0, 2, 0])), xp.asarray(numpy.array([1.0, 2.0, 3.0])))
        numpy.testing.assert_array_equal(backend.to_numpy(out), [4.0, 0.0, 2.0])
        low = xp.full(2, 9.0)
        backend.scatter_reduce("min", low, xp.asarray(numpy.array([1, 1])), xp.asarray(numpy.array([5.0, 3.0])))
        numpy.testing.assert_array_equal(backend.to_numpy(low), [9.0, 3.0])


def test_ufunc_methods_are_cupys():
    array = xp.asarray(numpy.arange(6.0).reshape(2, 3))
    numpy.testing.assert_array_equal(xp.add.reduce(array, axis=1).get(), [3.0, 12.0])
    assert xp.multiply.outer(array[0], array[0]).shape == (3, 3)
    with pytest.raises(AttributeError, match="has no .reduce"):
        xp.maximum.reduce(array, axis=1)
    with pytest.raises(TypeError, match="has no .reduce"):
        numpy.maximum.reduce(array, axis=1)


def test_views_and_in_place_writes_share_memory():
    array = xp.zeros((2, 3))
    view = array[0]
    view += 1.0
    row = array.reshape(-1)
    row[5] = 7.0
    numpy.testing.assert_array_equal(array.get(), [[1, 1, 1], [0, 0, 7]])
    assert xp.asarray(array) is array and array.astype("float64", copy=False) is array


def test_use_standin_switches_and_restores_the_backend():
    previous = backend.backend()
    with use_standin():
        assert backend.backend() == "standin" and backend.on_device()
        assert backend.list_devices() == ["gpu:0"] and backend.list_devices("cpu") == ["cpu:0"]
    assert backend.backend() == previous
