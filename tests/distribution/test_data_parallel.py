"""neuroflow.distribution in one process: Keras 3's API shape, argument checks, and fit unchanged by it."""
import os
import subprocess
import sys

import numpy
import pytest

import neuroflow
from neuroflow import distribution, layers, models
from neuroflow.distribution.replica import SOLO


@pytest.fixture(autouse=True)
def _no_distribution_left():
    yield
    distribution.set_distribution(None)


def test_a_plain_process_is_one_cpu_device():
    assert distribution.list_devices() == ["cpu:0"]
    assert distribution.list_devices("cpu") == ["cpu:0"]
    assert distribution.list_devices("gpu") == []
    assert distribution.get_device_count() == 1
    with pytest.raises(ValueError, match="device_type must be one of"):
        distribution.list_devices("npu")


def test_data_parallel_mirrors_keras_attributes():
    strategy = distribution.DataParallel()
    assert (strategy.num_processes, strategy.process_id, strategy.data_shard_id) == (1, 0, 0)
    assert strategy.num_model_replicas == 1
    assert strategy.batch_dim_name == "batch"
    assert strategy.auto_shard_dataset is True
    assert strategy.device_mesh.shape == (1,) and strategy.device_mesh.axis_names == ["batch"]
    assert strategy.device_mesh.devices.tolist() == ["cpu:0"]
    mesh = distribution.DeviceMesh((1,), ["data"], ["cpu:0"])
    assert distribution.DataParallel(device_mesh=mesh).batch_dim_name == "data"


def test_bad_arguments_are_refused_naming_them():
    with pytest.raises(ValueError, match="device_mesh or devices, not both"):
        distribution.DataParallel(device_mesh=distribution.DeviceMesh((1,), ["batch"]), devices=["cpu:0"])
    with pytest.raises(ValueError, match=r"mesh must hold the job's devices \['cpu:0'\]; got \['cpu:0', 'cpu:1'\]"):
        distribution.DataParallel(devices=["cpu:0", "cpu:1"])
    with pytest.raises(ValueError, match="device_mesh must be a DeviceMesh, got list"):
        distribution.DataParallel(device_mesh=["cpu:0"])
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, got 0"):
        distribution.DataParallel(timeout=0)
    with pytest.raises(ValueError, match=r"shape \(2,\) holds 2 devices, but 1 devices were given"):
        distribution.DeviceMesh((2,), ["batch"], ["cpu:0"])
    with pytest.raises(ValueError, match="same length"):
        distribution.DeviceMesh((1,), ["batch", "model"])
    with pytest.raises(ValueError, match="expects a Distribution instance .* got str"):
        distribution.set_distribution("data_parallel")


def test_set_distribution_and_scope():
    assert distribution.distribution() is None
    strategy = distribution.DataParallel()
    with strategy.scope():
        assert distribution.distribution() is strategy
    assert distribution.distribution() is None
    distribution.set_distribution(strategy)
    assert distribution.distribution() is strategy


def _fit_history():
    neuroflow.set_random_seed(3)
    rng = numpy.random.default_rng(0)
    x, y = rng.normal(size=(70, 5)).astype("float32"), rng.integers(0, 3, size=70)
    model = models.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.2, verbose=0)
    return history.history, model.predict(x, verbose=0), model.get_weights()


def test_one_process_fits_as_without_a_distribution():
    """Started without mpirun, DataParallel is a job of one: fit, predict and the weights are bit-identical."""
    plain = _fit_history()
    distribution.set_distribution(distribution.DataParallel())
    assert distribution.replica_for(models.Sequential()) is SOLO
    parallel = _fit_history()
    assert parallel[0] == plain[0]
    numpy.testing.assert_array_equal(parallel[1], plain[1])
    for got, expected in zip(parallel[2], plain[2]):
        numpy.testing.assert_array_equal(got, expected)


def test_mpi4py_is_not_imported_outside_an_mpi_job():
    code = ("import sys, neuroflow; neuroflow.distribution.DataParallel(); "
            "print('mpi4py' in sys.modules)")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("OMPI_", "PMI_", "PMIX_"))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=environment)
    assert result.stdout.strip() == "False", result.stderr
