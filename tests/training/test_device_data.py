"""In-memory data moves to the device once when it fits (training/device_data.py), batch by batch when not.

Counted on the stand-in device (neuroflow/testing/device_standin.py), which counts host -> device
copies and reports a free-memory figure the tests set. Either way the results equal the NumPy
backend's bit for bit: the same sample order, the same random streams.
"""
import logging

import numpy
import pytest

import neuroflow
from neuroflow import backend, layers
from neuroflow.testing import device_standin
from neuroflow.training import device_data
from neuroflow.training.data import ArrayBatches

ROOMY, CRAMPED = 16 * 2**30, 1024  # free bytes the stand-in reports: the data fits / does not fit
N, FEATURES, CLASSES = 48, 6, 3


# Each test's host run is on NumPy, whatever NEUROFLOW_TEST_DEVICE chose for the suite (conftest's on_numpy).
pytestmark = pytest.mark.usefixtures("on_numpy")


def _data(seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.normal(size=(N, FEATURES)).astype("float32"), rng.integers(0, CLASSES, N)


def _classifier():
    model = neuroflow.Sequential([layers.Input((FEATURES,)), layers.Dense(8, activation="relu"), layers.Dropout(0.25),
                                  layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _two_inputs():
    left, right = layers.Input((FEATURES,), name="left"), layers.Input((2,), name="right")
    hidden = layers.Dense(5, activation="tanh")(layers.Concatenate()([left, right]))
    model = neuroflow.Model({"left": left, "right": right}, layers.Dense(CLASSES, activation="softmax")(hidden))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _counted_fit(free_bytes, epochs=2, batch_size=8, **fit_arguments):
    """(host->device copies, device->host copies) of a fit on the stand-in after a tracing fit."""
    x, y = _data()
    with device_standin.use_standin():
        model = _classifier()
        model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
        with device_standin.free_memory(free_bytes):
            device_standin.reset_counters()
            model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, **fit_arguments)
    return device_standin.host_to_device.count, device_standin.device_to_host.count


def test_arrays_that_fit_move_once_whatever_the_number_of_steps():
    # x and y once, then one index array per shuffled epoch; Dropout's mask per step. 48 / 8 = 6 steps, 48 / 4 = 12.
    few_steps, _ = _counted_fit(ROOMY, batch_size=8)
    many_steps, _ = _counted_fit(ROOMY, batch_size=4)
    assert many_steps - few_steps == 2 * (12 - 6)  # 12 more steps: 12 more masks, nothing else
    assert few_steps == 2 + 2 + 2 * 6  # x, y; 2 epochs' orders; 12 masks
    unshuffled, _ = _counted_fit(ROOMY, shuffle=False)
    assert unshuffled == 2 + 2 * 6  # no order to move


def test_arrays_over_the_budget_move_batch_by_batch():
    uploads, downloads = _counted_fit(CRAMPED, batch_size=8)
    assert uploads == 2 * 6 * (2 + 1)  # per step: x, y and the mask
    assert downloads == 2 * 6  # the logs, once per step, either way
    assert _counted_fit(ROOMY)[1] == downloads


def test_a_zero_fraction_keeps_every_batch_moving_on_its_own():
    neuroflow.config.set_device_data_fraction(0)
    try:
        uploads, _ = _counted_fit(ROOMY)
    finally:
        neuroflow.config.set_device_data_fraction(0.5)
    assert uploads == 2 * 6 * 3
    assert neuroflow.config.device_data_fraction() == 0.5


@pytest.mark.parametrize("fraction", [-0.1, 1.5, "half", True])
def test_the_fraction_must_be_a_share(fraction):
    with pytest.raises(ValueError, match=r"set_device_data_fraction expects a number in \[0, 1\]"):
        neuroflow.config.set_device_data_fraction(fraction)


def _run(make, fit_arguments, evaluate=True):
    """History, weights, predictions (and evaluation) of one seeded run on the active backend."""
    backend.clear_session()
    neuroflow.set_random_seed(3)
    model = make()
    history = model.fit(**fit_arguments, epochs=3, batch_size=8, verbose=0)
    x = fit_arguments["x"]
    result = [history.history, [w.numpy() for w in model.weights], model.predict(x, batch_size=16, verbose=0)]
    if evaluate:
        result.append(model.evaluate(x, fit_arguments["y"], batch_size=16, verbose=0))
    return result


def _scenarios():
    x, y = _data(1)
    weights = numpy.random.default_rng(2).random(N).astype("float32")
    x_val, y_val = _data(2)
    extra = numpy.random.default_rng(4).normal(size=(N, 2)).astype("float32")
    return {
        "shuffle": (_classifier, {"x": x, "y": y, "shuffle": True}),
        "batch shuffle": (_classifier, {"x": x, "y": y, "shuffle": "batch"}),
        "validation_split": (_classifier, {"x": x, "y": y, "validation_split": 0.25}),
        "validation_data": (_classifier, {"x": x, "y": y, "validation_data": (x_val[:20], y_val[:20], weights[:20])}),
        "sample_weight": (_classifier, {"x": x, "y": y, "sample_weight": weights}),
        "class_weight": (_classifier, {"x": x, "y": y, "class_weight": {0: 1.0, 1: 2.5, 2: 0.5}}),
        "dict of inputs": (_two_inputs, {"x": {"left": x, "right": extra}, "y": y, "validation_split": 0.25}),
    }


@pytest.mark.parametrize("free_bytes", [ROOMY, CRAMPED], ids=["once", "per step"])
@pytest.mark.parametrize("scenario", list(_scenarios()))
def test_results_equal_numpy_bit_for_bit(scenario, free_bytes):
    make, fit_arguments = _scenarios()[scenario]
    host = _run(make, fit_arguments)
    with device_standin.use_standin(), device_standin.free_memory(free_bytes):
        on_device = _run(make, fit_arguments)
    assert on_device[0] == host[0]
    for host_weight, device_weight in zip(host[1], on_device[1]):
        numpy.testing.assert_array_equal(device_weight, host_weight)
    assert type(on_device[2]) is numpy.ndarray
    numpy.testing.assert_array_equal(on_device[2], host[2])
    assert on_device[3] == host[3]


def test_validation_arrays_move_once_for_every_epoch(caplog):
    x, y = _data()
    with device_standin.use_standin(), caplog.at_level(logging.INFO, logger="neuroflow.training"):
        model = _classifier()
        model.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_split=0.25)
        device_standin.reset_counters()
        model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False, validation_split=0.25)
    # Training x, y and validation x, y once; one Dropout mask per training step (36 / 8: 5 steps); none in validation.
    assert device_standin.host_to_device.count == 4 + 3 * 5
    messages = [record.getMessage() for record in caplog.records if record.name == "neuroflow.training"]
    assert "fit: the training data (1.1 KiB) moved to the device once" in messages
    assert "fit: the validation data (384 bytes) moved to the device once" in messages


def test_the_validation_data_waits_its_turn_when_only_the_training_data_fits(caplog):
    x, y = _data()
    training_bytes = x[:36].nbytes + y[:36].nbytes
    with device_standin.use_standin(), caplog.at_level(logging.INFO, logger="neuroflow.training"), \
            device_standin.free_memory(2 * training_bytes):  # half of it: the training data exactly
        _classifier().fit(x, y, epochs=1, batch_size=8, verbose=0, validation_split=0.25)
    messages = " | ".join(record.getMessage() for record in caplog.records)
    assert "fit: the training data (1.1 KiB) moved to the device once" in messages
    assert "fit: the validation data (384 bytes) moves to the device batch by batch: over the budget of 0 bytes left of 1.1 KiB (set_device_data_fraction(0.5) of 2.2 KiB free)" in messages


def test_evaluate_and_predict_move_their_arrays_once():
    x, y = _data()
    with device_standin.use_standin():
        model = _classifier()
        model.predict(x, batch_size=8, verbose=0)
        device_standin.reset_counters()
        model.predict(x, batch_size=8, verbose=0)
        assert device_standin.host_to_device.count == 1  # x
        device_standin.reset_counters()
        model.evaluate(x, y, batch_size=8, verbose=0)
        assert device_standin.host_to_device.count == 2  # x and y
        with device_standin.free_memory(CRAMPED):
            device_standin.reset_counters()
            model.predict(x, batch_size=8, verbose=0)
            assert device_standin.host_to_device.count == N // 8


def _two_outputs():
    inputs = layers.Input((FEATURES,))
    hidden = layers.Dense(4, activation="relu")(inputs)
    return neuroflow.Model(inputs, {"scores": layers.Dense(CLASSES)(hidden), "value": layers.Dense(1)(hidden)})


@pytest.mark.parametrize("free_bytes, copies_back", [(ROOMY, 2), (CRAMPED, 2 * 6)], ids=["once", "per batch"])
def test_predict_copies_its_outputs_back_once_when_they_fit(free_bytes, copies_back):
    x, _ = _data()
    neuroflow.set_random_seed(5)
    host = _two_outputs().predict(x, batch_size=8, verbose=0)
    with device_standin.use_standin():
        neuroflow.set_random_seed(5)
        model = _two_outputs()
        with device_standin.free_memory(free_bytes):
            device_standin.reset_counters()
            on_device = model.predict(x, batch_size=8, verbose=0)
    # Two outputs: one copy each at the end, or one each per batch of 8 (6 batches).
    assert device_standin.device_to_host.count == copies_back
    assert on_device.keys() == host.keys()
    for key in host:
        assert type(on_device[key]) is numpy.ndarray
        numpy.testing.assert_array_equal(on_device[key], host[key])


def test_generators_move_batch_by_batch():
    x, y = _data()

    def batches():
        while True:
            for start in range(0, N, 8):
                yield x[start:start + 8], y[start:start + 8]
    with device_standin.use_standin():
        model = _classifier()
        model.fit(batches(), steps_per_epoch=6, epochs=1, verbose=0)
        device_standin.reset_counters()
        model.fit(batches(), steps_per_epoch=6, epochs=2, verbose=0)
    assert device_standin.host_to_device.count == 2 * 6 * 3  # x, y and the mask per step


def test_on_numpy_nothing_moves():
    budget = device_data.DeviceBudget("fit")
    assert budget.free is None and backend.device_free_memory() is None
    batches = ArrayBatches(*_data(), batch_size=8)
    assert budget.place(batches) is batches
