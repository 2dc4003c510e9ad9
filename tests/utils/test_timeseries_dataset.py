"""timeseries_dataset_from_array: the windows and targets of Keras' documented examples (Keras' own
implementation needs TensorFlow or grain, which the Keras venv lacks, so the reference is the
semantics: window i starts at start_index + i * sequence_stride, target targets[start])."""
import numpy
import pytest

import neuroflow as nf
from neuroflow.utils import PyDataset, timeseries_dataset_from_array


def reference(data, targets, length, stride, rate, start, end):
    windows, labels = [], []
    position = start
    while position + (length - 1) * rate < end and (targets is None or position - start < len(targets)):
        windows.append(data[position:position + length * rate:rate])
        if targets is not None:
            labels.append(targets[position])
        position += stride
    return numpy.asarray(windows), numpy.asarray(labels)


def collect(dataset):
    xs, ys = [], []
    for batch in dataset:
        x, y = batch if isinstance(batch, tuple) else (batch, None)
        xs.append(x)
        if y is not None:
            ys.append(y)
    return numpy.concatenate(xs), (numpy.concatenate(ys) if ys else None)


def test_keras_docstring_example_targets_ten_steps_ahead():
    data = numpy.arange(100)
    dataset = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    assert isinstance(dataset, PyDataset) and len(dataset) == 1
    x, y = dataset[0]
    assert x.shape == (81, 10)
    numpy.testing.assert_array_equal(x[0], numpy.arange(10))
    assert y[0] == 10 and y[-1] == 90


def test_stride_rate_and_bounds_match_the_reference():
    data = numpy.arange(60, dtype="float32").reshape(30, 2)
    targets = numpy.arange(30) * 10
    dataset = timeseries_dataset_from_array(data, targets, sequence_length=4, sequence_stride=3, sampling_rate=2,
                                            batch_size=2, start_index=2, end_index=27)
    x, y = collect(dataset)
    want_x, want_y = reference(data, targets, 4, 3, 2, 2, 27)
    numpy.testing.assert_array_equal(x, want_x)
    numpy.testing.assert_array_equal(y, want_y)
    assert [batch[0].shape[0] for batch in dataset] == [2] * (len(want_x) // 2) + ([1] if len(want_x) % 2 else [])
    assert dataset[-1][0].shape[1:] == (4, 2)


def test_no_targets_unbatched_and_shuffled():
    data = numpy.arange(20)
    windows = timeseries_dataset_from_array(data, None, sequence_length=5, batch_size=None)
    assert len(windows) == 16
    numpy.testing.assert_array_equal(windows[3], [3, 4, 5, 6, 7])
    shuffled = timeseries_dataset_from_array(data, data, sequence_length=5, shuffle=True, seed=3, batch_size=4)
    x, y = collect(shuffled)
    assert sorted(x[:, 0].tolist()) == list(range(16))
    numpy.testing.assert_array_equal(x[:, 0], y)  # targets follow their windows
    again, _ = collect(timeseries_dataset_from_array(data, data, sequence_length=5, shuffle=True, seed=3, batch_size=4))
    numpy.testing.assert_array_equal(x, again)


def test_fit_and_predict_accept_it():
    rng = numpy.random.default_rng(0)
    series = rng.normal(size=(64, 3)).astype("float32")
    dataset = timeseries_dataset_from_array(series[:-1], series[1:, 0], sequence_length=8, batch_size=16)
    model = nf.Sequential([nf.Input((8, 3)), nf.layers.Flatten(), nf.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    inputs = timeseries_dataset_from_array(series, None, sequence_length=8, batch_size=16)
    assert model.predict(inputs, verbose=0).shape == (57, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"start_index": -1}, "start_index"),
    ({"start_index": 50}, "start_index"),
    ({"start_index": 5, "end_index": 3}, "end_index"),
    ({"end_index": 50}, "end_index"),
    ({"sampling_rate": 0}, "sampling_rate"),
    ({"sequence_stride": 20}, "sequence_stride"),
])
def test_errors_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(numpy.arange(20), None, sequence_length=3, **kwargs)
    with pytest.raises(IndexError):
        timeseries_dataset_from_array(numpy.arange(20), None, sequence_length=3)[5]


def test_format_argument():
    assert len(timeseries_dataset_from_array(numpy.arange(10), None, 3, format="grain")) == 1
    with pytest.raises(ValueError, match="format"):
        timeseries_dataset_from_array(numpy.arange(10), None, 3, format="torch")
