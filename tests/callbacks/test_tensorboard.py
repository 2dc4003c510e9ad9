"""TensorBoard writes event files that its own reader loads (when the `tensorboard` package is installed)."""
import pathlib
import struct

import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.callbacks import TensorBoard
from neuroflow.utils.tensorboard_events import read_records


def _fields(data):
    """Minimal protobuf decoding: {field number: [raw values]} (varints as ints, others as bytes)."""
    fields, i = {}, 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            length, i = _varint(data, i)
            value, i = data[i:i + length], i + length
        fields.setdefault(number, []).append(value)
    return fields


def _varint(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def _events(folder):
    """[(step, tag, kind, value)] of every summary value in the folder's event files."""
    out = []
    for path in sorted(pathlib.Path(folder).glob("events.out.tfevents.*")):
        records = read_records(path)
        assert _fields(records[0])[3] == [b"brain.Event:2"]
        for record in records[1:]:
            event = _fields(record)
            for value in _fields(event[5][0])[1]:
                value = _fields(value)
                tag = value[1][0].decode()
                if 2 in value:
                    out.append((event.get(2, [0])[0], tag, "scalar", struct.unpack("<f", value[2][0])[0]))
                else:
                    histogram = _fields(value[5][0])
                    out.append((event.get(2, [0])[0], tag, "histogram", struct.unpack("<d", histogram[3][0])[0]))
    return out


@pytest.fixture
def trained(tmp_path):
    neuroflow.set_random_seed(0)
    rng = numpy.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")
    model = neuroflow.models.Sequential([neuroflow.Input((3,)), layers.Dense(4, name="hidden"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    callback = TensorBoard(log_dir=tmp_path / "logs", histogram_freq=2, update_freq=3)
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, callbacks=[callback], verbose=0)
    return tmp_path / "logs", history, model


def test_scalars_and_histograms_as_keras_names_them(trained):
    logs, history, model = trained
    train, validation = _events(logs / "train"), _events(logs / "validation")
    epoch = {(step, tag): value for step, tag, kind, value in train if tag.startswith("epoch_")}
    assert sorted({tag for _, tag in epoch}) == ["epoch_learning_rate", "epoch_loss", "epoch_mae"]
    for step in range(3):
        assert epoch[(step, "epoch_loss")] == pytest.approx(history.history["loss"][step], rel=1e-6)
        assert epoch[(step, "epoch_learning_rate")] == pytest.approx(0.01)
    val = {(step, tag): value for step, tag, _, value in validation if tag.startswith("epoch_")}
    assert val[(2, "epoch_loss")] == pytest.approx(history.history["val_loss"][2], rel=1e-6)
    # 30 training rows in batches of 8: 4 batches an epoch, 12 in all; every 3rd writes batch scalars.
    assert sorted({step for step, tag, _, _ in train if tag == "batch_loss"}) == [3, 6, 9, 12]
    assert sorted(step for step, tag, _, _ in validation if tag == "evaluation_loss_vs_iterations") == [4, 8, 12]
    histograms = {(step, tag): count for step, tag, kind, count in train if kind == "histogram"}
    weight_tags = sorted({tag for _, tag in histograms})
    assert len(weight_tags) == 4 and all(tag.endswith("/histogram") for tag in weight_tags)
    assert sorted({step for step, _ in histograms}) == [0, 2]
    kernel = next(tag for tag in weight_tags if "hidden" in tag and "kernel" in tag)
    assert histograms[(2, kernel)] == 12.0  # a 3x4 kernel


def test_tensorboard_reader_loads_the_files(trained):
    accumulator_module = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    logs, history, _ = trained
    train = accumulator_module.EventAccumulator(str(logs / "train"), size_guidance={"scalars": 0, "histograms": 0})
    train.Reload()
    tags = train.Tags()
    assert {"epoch_loss", "epoch_mae", "epoch_learning_rate", "batch_loss"} <= set(tags["scalars"])
    losses = train.Scalars("epoch_loss")
    assert [event.step for event in losses] == [0, 1, 2]
    numpy.testing.assert_allclose([event.value for event in losses], history.history["loss"], rtol=1e-6)
    histogram = train.Histograms(next(tag for tag in tags["histograms"] if "kernel" in tag))
    assert [event.step for event in histogram] == [0, 2]
    assert histogram[0].histogram_value.num == 12.0 and sum(histogram[0].histogram_value.bucket) == 12.0
    validation = accumulator_module.EventAccumulator(str(logs / "validation"))
    validation.Reload()
    numpy.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")], history.history["val_loss"],
                                  rtol=1e-6)


def test_epoch_only_by_default_and_bad_arguments(tmp_path):
    model = neuroflow.models.Sequential([neuroflow.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(numpy.ones((8, 2)), numpy.ones((8, 1)), batch_size=4, epochs=2, verbose=0,
              callbacks=[TensorBoard(log_dir=str(tmp_path))])
    events = _events(tmp_path / "train")
    assert sorted({tag for _, tag, _, _ in events}) == ["epoch_learning_rate", "epoch_loss"]
    assert not (tmp_path / "validation").exists()
    with pytest.raises(ValueError, match="profile_batch=2"):
        TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match="update_freq.*update_freq='step'"):
        TensorBoard(update_freq="step")

