"""The accuracies' counting path (metrics/metric.py counts_matches): an unweighted batch adds its
number of matches, which must leave the metric's state exactly where summing the 1.0 / 0.0 values
(the function's own result, the general Mean path) leaves it."""
import importlib

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.metrics.metric import Mean

accuracy_module = importlib.import_module("neuroflow.metrics.accuracy")  # the package re-exports a function of that name


def _batches(kind, rng, count=7, batch=33):
    """(y_true, y_pred) batches for each accuracy, with a share of misses."""
    for _ in range(count):
        if kind == "sparse":
            scores = rng.random((batch, 5)).astype(np.float32)
            yield rng.integers(0, 5, batch), scores
        elif kind == "sparse_column":
            scores = rng.random((batch, 5)).astype(np.float32)
            yield rng.integers(0, 5, (batch, 1)), scores
        elif kind == "categorical":
            labels = np.eye(4, dtype=np.float32)[rng.integers(0, 4, batch)]
            yield labels, rng.random((batch, 4)).astype(np.float32)
        elif kind == "binary":
            yield rng.integers(0, 2, (batch, 1)).astype(np.float32), rng.random((batch, 1)).astype(np.float32)
        elif kind == "exact":
            yield rng.integers(0, 3, batch).astype(np.float32), rng.integers(0, 3, batch).astype(np.float32)


CASES = [("sparse", nf.metrics.SparseCategoricalAccuracy, accuracy_module.sparse_categorical_accuracy),
         ("sparse_column", nf.metrics.SparseCategoricalAccuracy, accuracy_module.sparse_categorical_accuracy),
         ("categorical", nf.metrics.CategoricalAccuracy, accuracy_module.categorical_accuracy),
         ("binary", nf.metrics.BinaryAccuracy, accuracy_module.binary_accuracy),
         ("exact", nf.metrics.Accuracy, accuracy_module.accuracy)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind, metric_class, function", CASES, ids=[case[0] for case in CASES])
def test_counted_state_is_the_summed_state(kind, metric_class, function, dtype):
    counted = metric_class(dtype=dtype)
    summed = Mean(dtype=dtype)  # the general path, fed the function's 1.0 / 0.0 values
    for y_true, y_pred in _batches(kind, np.random.default_rng(0)):
        counted.update_state(y_true, y_pred)
        summed.update_state(function(y_true, y_pred))
    assert counted.total.value.dtype == np.dtype(dtype)
    assert counted.total.value.tobytes() == summed.total.value.tobytes()
    assert counted.count.value.tobytes() == summed.count.value.tobytes()
    assert 0 < float(counted.result()) < 1  # some hits, some misses: a count that could be off


def test_a_count_is_really_what_the_state_receives():
    metric = nf.metrics.SparseCategoricalAccuracy()
    metric.update_state([1, 2, 0], [[0.1, 0.8, 0.1], [0.9, 0.05, 0.05], [0.7, 0.2, 0.1]])
    assert float(metric.total.value) == 2.0 and float(metric.count.value) == 3.0
    metric.update_state([2], [[0.1, 0.1, 0.8]])
    assert float(metric.result()) == pytest.approx(0.75)


def test_weighted_and_half_precision_batches_keep_the_general_path():
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 5, 40), rng.random((40, 5)).astype(np.float32)
    weights = rng.random(40).astype(np.float32)
    weighted = nf.metrics.SparseCategoricalAccuracy()
    weighted.update_state(y_true, y_pred, sample_weight=weights)
    matches = accuracy_module.sparse_categorical_accuracy(y_true, y_pred).value
    assert float(weighted.total.value) == pytest.approx(float((matches * weights).sum()), rel=1e-6)
    assert float(weighted.count.value) == pytest.approx(float(weights.sum()), rel=1e-6)

    half = nf.metrics.SparseCategoricalAccuracy(dtype="float16")
    reference = Mean(dtype="float16")
    half.update_state(y_true, y_pred)
    reference.update_state(accuracy_module.sparse_categorical_accuracy(y_true, y_pred))
    assert half.total.value.dtype == np.float16
    assert half.total.value.tobytes() == reference.total.value.tobytes()


def test_bad_labels_still_name_the_metric():
    metric = nf.metrics.SparseCategoricalAccuracy()
    with pytest.raises(ValueError, match="sparse_categorical_accuracy expects integer labels"):
        metric.update_state(np.zeros((4, 2)), np.zeros((4, 3), np.float32))
