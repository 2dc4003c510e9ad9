"""Representative models trained on a device equal the NumPy backend: the CPU-vs-GPU parity tests.

On every machine the device is the stand-in (neuroflow/testing/device_standin.py): it computes
with NumPy but refuses what CuPy refuses (implicit host conversion, NumPy arrays handed to device
functions, ufunc.at), so a kernel that would break on a GPU fails here, and one that runs here
gives bit-identical numbers. Where CuPy finds a GPU the same tests run on it as well, with
losses and weights equal to float32 tolerance (cuBLAS and cuDNN sum in other orders).
"""
import contextlib

import numpy
import pytest

import neuroflow
from neuroflow import backend, layers
from neuroflow.testing import device_standin


def _gpu_available():
    try:
        with _on_backend("cupy"):
            return True
    except (ImportError, RuntimeError):
        return False


@contextlib.contextmanager
def _on_backend(name):
    previous = backend.backend()
    if name == "standin":
        backend.use_array_module("standin", device_standin.module)
    else:
        backend.set_backend(name)
    try:
        yield
    finally:
        backend.set_backend(previous)


DEVICES = ["standin"] + (["cupy"] if _gpu_available() else [])


@pytest.fixture(params=DEVICES)
def device(request):
    """The device backend's name; the test's host run is forced onto NumPy whatever NEUROFLOW_BACKEND says."""
    with _on_backend("numpy"):
        yield request.param


def use_standin():
    return _on_backend("standin")


def _is_device_array(array):
    return not isinstance(array, numpy.ndarray)

OPTIMIZERS = ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion", "lamb",
              "adafactor"]


def _data(seed=0, n=32, features=8, classes=3):
    rng = numpy.random.default_rng(seed)
    return rng.normal(size=(n, features)).astype("float32"), rng.integers(0, classes, n)


def _on_both(build_and_fit, device="standin"):
    """(numpy result, device result) of the same seeded run; the device's weights must live on the device."""
    with _on_backend("numpy"):
        backend.clear_session()
        neuroflow.set_random_seed(7)
        host = build_and_fit()
    with _on_backend(device):
        backend.clear_session()  # the same layer names, so files compare byte for byte
        neuroflow.set_random_seed(7)
        device = build_and_fit()
    return host, device


def _fit(model, x, y, **compile_arguments):
    model.compile(**compile_arguments)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=True)
    on_device = all(_is_device_array(weight.value) for weight in model.weights) == backend.on_device()
    assert on_device, "weights must live on the active backend's device"
    return history.history, [weight.numpy() for weight in model.weights], model


def _close(actual, expected):
    numpy.testing.assert_allclose(actual, expected, rtol=2e-4, atol=2e-5)


def _assert_same(host, device, name="standin"):
    """Bit for bit on the stand-in; to float32 tolerance on a GPU."""
    assert len(host[1]) == len(device[1])
    if name == "standin":
        assert host[0] == device[0]
        for host_weight, device_weight in zip(host[1], device[1]):
            numpy.testing.assert_array_equal(host_weight, device_weight)
        return
    assert host[0].keys() == device[0].keys()
    for key in host[0]:
        numpy.testing.assert_allclose(device[0][key], host[0][key], rtol=2e-4, atol=2e-5, err_msg=key)
    for host_weight, device_weight in zip(host[1], device[1]):
        numpy.testing.assert_allclose(device_weight, host_weight, rtol=2e-4, atol=2e-5)


def test_dense_mlp_fit_predict_evaluate_equal_numpy(device):
    x, y = _data()

    def run():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(16, activation="relu"), layers.Dropout(0.2),
                                      layers.Dense(3, activation="softmax")])
        result = _fit(model, x, y, optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        prediction = model.predict(x, verbose=0)
        assert type(prediction) is numpy.ndarray  # predict returns NumPy, as Keras does
        return result + (prediction, model.evaluate(x, y, verbose=0))

    host, on_device = _on_both(run, device)
    _assert_same(host, on_device, device)
    numpy.testing.assert_allclose(on_device[3], host[3], rtol=0 if device == "standin" else 2e-4, atol=0 if device == "standin" else 2e-5)
    numpy.testing.assert_allclose(on_device[4], host[4], rtol=0 if device == "standin" else 2e-4)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_optimizer_equal_numpy(optimizer, device):
    x, y = _data(1)

    def run():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(5, activation="tanh"), layers.Dense(3)])
        return _fit(model, x, y, optimizer=optimizer, loss="sparse_categorical_crossentropy")

    _assert_same(*_on_both(run, device), device)


def test_conv2d_pooling_batchnorm_equal_numpy(device):
    rng = numpy.random.default_rng(2)
    x, y = rng.normal(size=(16, 8, 8, 2)).astype("float32"), rng.integers(0, 4, 16)

    def run():
        model = neuroflow.Sequential([layers.Input((8, 8, 2)), layers.Conv2D(4, 3, activation="relu", padding="same"),
                                      layers.BatchNormalization(), layers.MaxPooling2D(), layers.Conv2D(3, 2),
                                      layers.GlobalAveragePooling2D(), layers.Dense(4, activation="softmax")])
        return _fit(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    _assert_same(*_on_both(run, device), device)


def test_embedding_lstm_gru_equal_numpy(device):
    rng = numpy.random.default_rng(3)
    x, y = rng.integers(0, 20, size=(16, 6)), rng.integers(0, 2, 16).astype("float32")

    def run():
        model = neuroflow.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                                      layers.LSTM(5, return_sequences=True), layers.GRU(3),
                                      layers.Dense(1, activation="sigmoid")])
        return _fit(model, x, y, optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", "auc"])

    _assert_same(*_on_both(run, device), device)


@pytest.mark.parametrize("loss, metrics", [
    ("mse", ["mae", "mape", "root_mean_squared_error", "r2_score"]),
    ("huber", ["cosine_similarity", "msle"]),
    ("categorical_crossentropy", ["categorical_accuracy", "top_k_categorical_accuracy", "precision", "recall"]),
    ("kl_divergence", ["mse"]),
])
def test_losses_and_metrics_equal_numpy(loss, metrics, device):
    rng = numpy.random.default_rng(4)
    x = rng.normal(size=(24, 6)).astype("float32")
    y = numpy.eye(3, dtype="float32")[rng.integers(0, 3, 24)]

    def run():
        activation = "softmax" if loss in ("categorical_crossentropy", "kl_divergence") else None
        model = neuroflow.Sequential([layers.Input((6,)), layers.Dense(3, activation=activation)])
        return _fit(model, x, y, optimizer="sgd", loss=loss, metrics=metrics)

    _assert_same(*_on_both(run, device), device)


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_saved_on_device_loads_on_the_host_and_back(tmp_path, suffix, device):
    x, y = _data(5)
    path = str(tmp_path / f"model{suffix}")

    def build():
        return neuroflow.Sequential([layers.Input((8,)), layers.Dense(4, activation="relu"), layers.Dense(3)])

    with _on_backend(device):
        model = build()
        _fit(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy")
        expected = model.predict(x, verbose=0)
        (model.save_weights if suffix == ".weights.h5" else model.save)(path)
    same = numpy.testing.assert_array_equal if device == "standin" else _close
    # The file a device-trained model wrote loads on the host (no device) and predicts the same.
    if suffix == ".weights.h5":
        loaded = build()
        loaded.load_weights(path)
    else:
        loaded = neuroflow.models.load_model(path)
    same(loaded.predict(x, verbose=0), expected)
    assert all(type(weight.value) is numpy.ndarray for weight in loaded.weights)
    # ... and a host-written file loads onto the device.
    host_path = str(tmp_path / f"host{suffix}")
    (loaded.save_weights if suffix == ".weights.h5" else loaded.save)(host_path)
    with _on_backend(device):
        if suffix == ".weights.h5":
            on_device = build()
            on_device.load_weights(host_path)
        else:
            on_device = neuroflow.models.load_model(host_path)
        assert all(_is_device_array(weight.value) for weight in on_device.weights)
        same(on_device.predict(x, verbose=0), expected)


def test_saved_files_are_the_same_bytes_on_device_and_host(tmp_path):
    """Bit-identical training (the stand-in) gives byte-identical files: the format does not depend on the device."""
    x, y = _data(6)

    def run():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(3)], name="same")
        _fit(model, x, y, optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    host, device = _on_both(run)
    host.save_weights(str(tmp_path / "host.weights.h5"))
    with use_standin():
        device.save_weights(str(tmp_path / "device.weights.h5"))
    assert (tmp_path / "host.weights.h5").read_bytes() == (tmp_path / "device.weights.h5").read_bytes()


def _dense_classifier():
    return neuroflow.Sequential([layers.Input((8,)), layers.Dense(8, activation="relu"), layers.Dense(3)]), \
        numpy.random.default_rng(7).normal(size=(64, 8)).astype("float32")


def _convnet():
    return neuroflow.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(),
                                 layers.Flatten(), layers.Dropout(0.5), layers.Dense(3, activation="softmax")]), \
        numpy.random.default_rng(7).random((64, 8, 8, 1), dtype="float32")


def _recurrent():
    return neuroflow.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(20, 4), layers.GRU(4, return_sequences=True),
                                 layers.LSTM(5), layers.BatchNormalization(),
                                 layers.Dense(3)]), numpy.random.default_rng(7).integers(0, 20, size=(64, 6))


@pytest.mark.parametrize("make", [_dense_classifier, _convnet, _recurrent])
def test_a_training_step_copies_to_the_host_only_for_its_logs(make):
    y = numpy.random.default_rng(8).integers(0, 3, 64)
    with use_standin():
        model, x = make()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # traces the step
        device_standin.transfers.reset()
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        steps = len(x) // 8
        # One copy of the logs per step, nothing per op.
        assert device_standin.transfers.count == steps, device_standin.transfers.count


# Optimizers whose step reads a norm or a scalar state: on a device they keep it there (no copy per variable).
NORM_READING = {
    "nadam": lambda: neuroflow.optimizers.Nadam(0.01),
    "adafactor": lambda: neuroflow.optimizers.Adafactor(0.05, clip_threshold=0.1),
    "lamb": lambda: neuroflow.optimizers.Lamb(0.01),
    "clipnorm": lambda: neuroflow.optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=0.05),
    "global_clipnorm": lambda: neuroflow.optimizers.Adam(0.01, global_clipnorm=0.1),
    "global_clipnorm unclipped": lambda: neuroflow.optimizers.Adam(0.01, global_clipnorm=1e4),
}


@pytest.mark.parametrize("name", list(NORM_READING))
def test_optimizers_reading_norms_copy_nothing_back_per_step_and_equal_numpy(name, device):
    x, y = _data(9)
    x = x * 3  # gradients large enough to be clipped

    def run():
        # tanh: no dead units, whose all-zero gradients make Adafactor's factored moment underflow to 0 / 0.
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(6, activation="tanh"), layers.Dense(3)])
        return _fit(model, x, y, optimizer=NORM_READING[name](), loss="sparse_categorical_crossentropy")

    host, on_device = _on_both(run, device)
    _assert_same(host, on_device, device)
    if device == "standin":
        with use_standin():
            model = on_device[2]
            device_standin.transfers.reset()
            model.fit(x, y, epochs=1, batch_size=8, verbose=0)
            assert device_standin.transfers.count == len(x) // 8  # the logs' copy per step, nothing per variable
