"""Representative models trained on the stand-in device (neuroflow/testing/device_standin.py) equal the NumPy backend.

The stand-in computes with NumPy but refuses what CuPy refuses (implicit host conversion, NumPy
arrays handed to device functions, ufunc.at), so a kernel that would break on a GPU fails here,
and a kernel that runs here gives bit-identical numbers to the NumPy backend.
"""
import numpy
import pytest

import neuroflow
from neuroflow import backend, layers
from neuroflow.testing import device_standin
from neuroflow.testing.device_standin import DeviceArray, use_standin

OPTIMIZERS = ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion", "lamb",
              "adafactor"]


def _data(seed=0, n=32, features=8, classes=3):
    rng = numpy.random.default_rng(seed)
    return rng.normal(size=(n, features)).astype("float32"), rng.integers(0, classes, n)


def _on_both(build_and_fit):
    """(numpy result, stand-in result) of the same seeded run; the stand-in's weights must live on the device."""
    backend.clear_session()
    neuroflow.set_random_seed(7)
    host = build_and_fit()
    with use_standin():
        backend.clear_session()  # the same layer names, so files compare byte for byte
        neuroflow.set_random_seed(7)
        device = build_and_fit()
    return host, device


def _fit(model, x, y, **compile_arguments):
    model.compile(**compile_arguments)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=True)
    on_device = all(isinstance(weight.value, DeviceArray) for weight in model.weights) == backend.on_device()
    assert on_device, "weights must live on the active backend's device"
    return history.history, [weight.numpy() for weight in model.weights], model


def _assert_same(host, device):
    assert host[0] == device[0]
    assert len(host[1]) == len(device[1])
    for host_weight, device_weight in zip(host[1], device[1]):
        numpy.testing.assert_array_equal(host_weight, device_weight)


def test_dense_mlp_fit_predict_evaluate_equal_numpy():
    x, y = _data()

    def run():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(16, activation="relu"), layers.Dropout(0.2),
                                      layers.Dense(3, activation="softmax")])
        result = _fit(model, x, y, optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        prediction = model.predict(x, verbose=0)
        assert type(prediction) is numpy.ndarray  # predict returns NumPy, as Keras does
        return result + (prediction, model.evaluate(x, y, verbose=0))

    host, device = _on_both(run)
    _assert_same(host, device)
    numpy.testing.assert_array_equal(host[3], device[3])
    assert host[4] == device[4]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_optimizer_equal_numpy(optimizer):
    x, y = _data(1)

    def run():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(5, activation="tanh"), layers.Dense(3)])
        return _fit(model, x, y, optimizer=optimizer, loss="sparse_categorical_crossentropy")

    _assert_same(*_on_both(run))


def test_conv2d_pooling_batchnorm_equal_numpy():
    rng = numpy.random.default_rng(2)
    x, y = rng.normal(size=(16, 8, 8, 2)).astype("float32"), rng.integers(0, 4, 16)

    def run():
        model = neuroflow.Sequential([layers.Input((8, 8, 2)), layers.Conv2D(4, 3, activation="relu", padding="same"),
                                      layers.BatchNormalization(), layers.MaxPooling2D(), layers.Conv2D(3, 2),
                                      layers.GlobalAveragePooling2D(), layers.Dense(4, activation="softmax")])
        return _fit(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    _assert_same(*_on_both(run))


def test_embedding_lstm_gru_equal_numpy():
    rng = numpy.random.default_rng(3)
    x, y = rng.integers(0, 20, size=(16, 6)), rng.integers(0, 2, 16).astype("float32")

    def run():
        model = neuroflow.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                                      layers.LSTM(5, return_sequences=True), layers.GRU(3),
                                      layers.Dense(1, activation="sigmoid")])
        return _fit(model, x, y, optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", "auc"])

    _assert_same(*_on_both(run))


@pytest.mark.parametrize("loss, metrics", [
    ("mse", ["mae", "mape", "root_mean_squared_error", "r2_score"]),
    ("huber", ["cosine_similarity", "msle"]),
    ("categorical_crossentropy", ["categorical_accuracy", "top_k_categorical_accuracy", "precision", "recall"]),
    ("kl_divergence", ["mse"]),
])
def test_losses_and_metrics_equal_numpy(loss, metrics):
    rng = numpy.random.default_rng(4)
    x = rng.normal(size=(24, 6)).astype("float32")
    y = numpy.eye(3, dtype="float32")[rng.integers(0, 3, 24)]

    def run():
        activation = "softmax" if loss in ("categorical_crossentropy", "kl_divergence") else None
        model = neuroflow.Sequential([layers.Input((6,)), layers.Dense(3, activation=activation)])
        return _fit(model, x, y, optimizer="sgd", loss=loss, metrics=metrics)

    _assert_same(*_on_both(run))


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_saved_on_device_loads_on_the_host_and_back(tmp_path, suffix):
    x, y = _data(5)
    path = str(tmp_path / f"model{suffix}")

    def build():
        return neuroflow.Sequential([layers.Input((8,)), layers.Dense(4, activation="relu"), layers.Dense(3)])

    with use_standin():
        model = build()
        _fit(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy")
        expected = model.predict(x, verbose=0)
        (model.save_weights if suffix == ".weights.h5" else model.save)(path)
    # The file a device-trained model wrote loads on the host (no device) and predicts the same.
    if suffix == ".weights.h5":
        loaded = build()
        loaded.load_weights(path)
    else:
        loaded = neuroflow.models.load_model(path)
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert all(type(weight.value) is numpy.ndarray for weight in loaded.weights)
    # ... and a host-written file loads onto the device.
    host_path = str(tmp_path / f"host{suffix}")
    (loaded.save_weights if suffix == ".weights.h5" else loaded.save)(host_path)
    with use_standin():
        if suffix == ".weights.h5":
            on_device = build()
            on_device.load_weights(host_path)
        else:
            on_device = neuroflow.models.load_model(host_path)
        assert all(isinstance(weight.value, DeviceArray) for weight in on_device.weights)
        numpy.testing.assert_array_equal(on_device.predict(x, verbose=0), expected)


def test_saved_files_are_the_same_bytes_on_device_and_host(tmp_path):
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


def test_a_training_step_copies_to_the_host_only_for_its_logs():
    x, y = _data(7, n=64)
    with use_standin():
        model = neuroflow.Sequential([layers.Input((8,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # traces the step
        device_standin.transfers.reset()
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        steps = len(x) // 8
        # One copy of the logs per step, nothing per op.
        assert device_standin.transfers.count <= steps + 1, device_standin.transfers.count
