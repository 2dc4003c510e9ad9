"""The new metrics in compile (by object and by Keras' string names), their errors and edge cases."""
import warnings

import numpy
import pytest

import neuroflow as nf
from neuroflow import metrics

rng = numpy.random.default_rng(5)


def test_compile_by_object_and_name():
    x = rng.random((32, 4)).astype("float32")
    y = numpy.stack([x.sum(axis=1), x[:, 0] - x[:, 1]], axis=1).astype("float32")
    model = nf.Sequential([nf.Input((4,)), nf.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.R2Score(), "pearson_correlation",
                                                         "concordance_correlation", "r2_score"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert {"r2_score", "pearson_correlation", "concordance_correlation"} <= set(history.history)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert numpy.isfinite(logs["r2_score"])


def test_compile_with_iou_and_constrained_rates():
    x = rng.random((32, 3)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=[metrics.BinaryIoU(), metrics.PrecisionAtRecall(0.5), metrics.RecallAtPrecision(0.5),
                           metrics.SensitivityAtSpecificity(0.5), metrics.SpecificityAtSensitivity(0.5)])
    logs = model.fit(x, y, epochs=1, batch_size=16, verbose=0).history
    for name in ("binary_io_u", "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
                 "specificity_at_sensitivity"):
        assert 0.0 <= logs[name][0] <= 1.0


def test_mean_iou_in_compile_on_class_scores():
    x = rng.random((24, 3)).astype("float32")
    y = rng.integers(0, 3, size=(24,))
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=[metrics.MeanIoU(num_classes=3, sparse_y_pred=False)])
    logs = model.fit(x, y, epochs=1, batch_size=8, verbose=0).history
    assert 0.0 <= logs["mean_io_u"][0] <= 1.0


def test_keras_docstring_examples():
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert float(m.result()) == pytest.approx(1 / 3)
    m = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    assert float(m.result()) == pytest.approx(1 / 3)
    m = metrics.OneHotMeanIoU(num_classes=3, dtype="float32")
    m.update_state(numpy.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]),
                   numpy.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]),
                   sample_weight=[0.1, 0.2, 0.3, 0.4])
    assert float(m.result()) == pytest.approx(0.1 / 0.7 / 3, rel=1e-5)
    r2 = metrics.R2Score()
    r2.update_state(numpy.array([[1.0], [4.0], [3.0]]), numpy.array([[2.0], [4.0], [4.0]]))
    assert float(r2.result()) == pytest.approx(0.57142854, rel=1e-6)


def test_integer_state_truncates_float_weights_with_a_warning():
    m = metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="truncated"):
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    assert float(m.result()) == 0.0


def test_out_of_range_and_ignored_labels_are_not_counted():
    m = metrics.MeanIoU(num_classes=2, ignore_class=-1)
    m.update_state([0, 1, -1, 5], [0, 1, 1, 0])
    assert m.total_cm.numpy().tolist() == [[1, 0], [0, 1]]
    assert float(m.result()) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda: metrics.IoU(num_classes=2, target_class_ids=[2]), "out of range"),
    (lambda: metrics.IoU(num_classes=0, target_class_ids=[0]), "num_classes"),
    (lambda: metrics.R2Score(class_aggregation="median"), "class_aggregation"),
    (lambda: metrics.R2Score(num_regressors=-1), "num_regressors"),
    (lambda: metrics.PrecisionAtRecall(1.5), "recall"),
    (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=0), "num_thresholds"),
])
def test_errors_name_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_r2_needs_2d_inputs_and_warns_for_too_many_regressors():
    with pytest.raises(ValueError, match="2D"):
        metrics.R2Score().update_state(numpy.ones(3), numpy.ones(3))
    m = metrics.R2Score(num_regressors=5)
    m.update_state(numpy.array([[1.0], [2.0], [4.0]]), numpy.array([[1.5], [2.0], [3.0]]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adjusted = float(m.result())
    assert any("predictors" in str(w.message) for w in caught)
    assert adjusted == pytest.approx(float(metrics.R2Score()(numpy.array([[1.0], [2.0], [4.0]]),
                                                             numpy.array([[1.5], [2.0], [3.0]]))))


@pytest.mark.parametrize("cls, args", [
    (metrics.IoU, (3, [0, 1])), (metrics.MeanIoU, (3,)), (metrics.BinaryIoU, ()), (metrics.OneHotIoU, (3, [2])),
    (metrics.OneHotMeanIoU, (3,)), (metrics.R2Score, ()), (metrics.PearsonCorrelation, ()),
    (metrics.ConcordanceCorrelation, ()), (metrics.PrecisionAtRecall, (0.3,)), (metrics.RecallAtPrecision, (0.3,)),
    (metrics.SensitivityAtSpecificity, (0.3,)), (metrics.SpecificityAtSensitivity, (0.3,)),
])
def test_serialize_round_trip(cls, args):
    metric = cls(*args)
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is cls
    assert again.get_config() == metric.get_config()
