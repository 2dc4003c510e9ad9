"""neuroflow.metrics: published and hand-computed values, streaming, weights, reset, names, configs."""
import math

import numpy
import pytest

import neuroflow
from neuroflow import backend, metrics
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.testing import device_standin


def result(metric):
    return numpy.asarray(metric.result().numpy(), dtype=float)


def one_shot(metric_class, y_true, y_pred, sample_weight=None, **kwargs):
    metric = metric_class(**kwargs)
    metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    return result(metric)


# ---- reductions ------------------------------------------------------------------------------

def test_mean_and_sum():
    mean = metrics.Mean()
    mean.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    assert float(mean.result()) == pytest.approx(2.0)
    total = metrics.Sum()
    total.update_state([1.0, 3.0, 5.0, 7.0])
    assert float(total.result()) == pytest.approx(16.0)
    assert float(metrics.Mean().result()) == 0.0  # nothing seen yet: 0, not NaN


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_running_states_add_with_the_in_place_ufuncs_rounding(dtype):
    # Mean's per-step paths (one value per sample; one scalar with a count, as fit's loss tracker)
    # add through the 0-d states' scalars: the totals must be the bits numpy.add(..., out=) gives.
    rng = numpy.random.default_rng(5)
    per_sample, scalars = metrics.Mean(dtype=dtype), metrics.Mean(dtype=dtype)
    expected = {name: numpy.zeros((), dtype) for name in ("total", "count", "scalar_total", "scalar_count")}
    for _ in range(200):
        values = rng.random(32).astype(dtype)
        per_sample.update_state(values)
        numpy.add(expected["total"], numpy.add.reduce(values, axis=0), out=expected["total"])
        numpy.add(expected["count"], 32, out=expected["count"])
        loss = rng.random(dtype=dtype)
        scalars.update_state(numpy.asarray(loss), sample_weight=32)
        numpy.add(expected["scalar_total"], float(loss) * 32, out=expected["scalar_total"])
        numpy.add(expected["scalar_count"], 32, out=expected["scalar_count"])
    assert per_sample.total.value.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(backend.to_numpy(per_sample.total.value), expected["total"])
    numpy.testing.assert_array_equal(backend.to_numpy(per_sample.count.value), expected["count"])
    numpy.testing.assert_array_equal(backend.to_numpy(scalars.total.value), expected["scalar_total"])
    numpy.testing.assert_array_equal(backend.to_numpy(scalars.count.value), expected["scalar_count"])


def test_streaming_over_two_batches_equals_the_weighted_mean_of_all():
    rng = numpy.random.default_rng(3)
    y_true = rng.normal(size=(10, 3))
    y_pred = rng.normal(size=(10, 3))
    weights = rng.uniform(0, 2, size=10)
    streamed = metrics.MeanSquaredError()
    streamed.update_state(y_true[:4], y_pred[:4], sample_weight=weights[:4])
    streamed.update_state(y_true[4:], y_pred[4:], sample_weight=weights[4:])
    per_sample = ((y_true - y_pred) ** 2).mean(axis=1)
    expected = (per_sample * weights).sum() / weights.sum()
    assert float(streamed.result()) == pytest.approx(expected, rel=1e-5)
    streamed.reset_state()
    assert float(streamed.result()) == 0.0
    assert all(float(numpy.abs(v.numpy()).sum()) == 0 for v in streamed.variables)
    assert all(not v.trainable for v in streamed.variables)


def test_call_updates_and_returns_the_result():
    metric = metrics.Mean()
    metric([2.0, 4.0])
    assert float(metric([9.0])) == pytest.approx(5.0)


# ---- accuracy --------------------------------------------------------------------------------

def test_accuracy_family_published_values():
    assert float(one_shot(metrics.Accuracy, [[1], [2], [3], [4]], [[0], [2], [3], [4]])) == pytest.approx(0.75)
    y_true, y_pred = [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]
    assert float(one_shot(metrics.BinaryAccuracy, y_true, y_pred)) == pytest.approx(0.75)
    assert float(one_shot(metrics.BinaryAccuracy, y_true, y_pred, [1, 0, 0, 1])) == pytest.approx(0.5)
    assert float(one_shot(metrics.BinaryAccuracy, y_true, y_pred, threshold=0.99)) == pytest.approx(0.75)
    one_hot, scores = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert float(one_shot(metrics.CategoricalAccuracy, one_hot, scores)) == pytest.approx(0.5)
    assert float(one_shot(metrics.CategoricalAccuracy, one_hot, scores, [0.7, 0.3])) == pytest.approx(0.3)
    assert float(one_shot(metrics.SparseCategoricalAccuracy, [[2], [1]], scores)) == pytest.approx(0.5)
    assert float(one_shot(metrics.SparseCategoricalAccuracy, [2, 1], scores, [0.7, 0.3])) == pytest.approx(0.3)
    assert float(one_shot(metrics.TopKCategoricalAccuracy, one_hot, scores, k=1)) == pytest.approx(0.5)
    assert float(one_shot(metrics.TopKCategoricalAccuracy, one_hot, scores, k=2)) == pytest.approx(1.0)
    assert float(one_shot(metrics.SparseTopKCategoricalAccuracy, [2, 1], scores, k=1)) == pytest.approx(0.5)
    assert float(one_shot(metrics.SparseTopKCategoricalAccuracy, [2, 1], scores)) == pytest.approx(1.0)
    ids = [[1, 2], [1, 0]]
    assert float(one_shot(metrics.SparseTopKCategoricalAccuracy, [2, 0], ids, k=1, from_sorted_ids=True)) == 0.0


def test_accuracy_shape_errors():
    with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
        metrics.CategoricalAccuracy().update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    with pytest.raises(ValueError, match="one-hot"):
        metrics.SparseCategoricalAccuracy().update_state(numpy.eye(3), numpy.eye(3))


# ---- regression ------------------------------------------------------------------------------

def test_regression_published_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    assert float(one_shot(metrics.MeanSquaredError, y_true, y_pred)) == pytest.approx(0.25)
    assert float(one_shot(metrics.MeanAbsoluteError, y_true, y_pred)) == pytest.approx(0.25)
    # |0 - 1| / epsilon * 100, averaged over 4 entries
    assert float(one_shot(metrics.MeanAbsolutePercentageError, y_true, y_pred)) == pytest.approx(2.5e8, rel=1e-5)
    assert float(one_shot(metrics.RootMeanSquaredError, y_true, y_pred)) == pytest.approx(0.5)
    assert float(one_shot(metrics.RootMeanSquaredError, y_true, y_pred, [1, 0])) == pytest.approx(math.sqrt(0.5))
    cosine = one_shot(metrics.CosineSimilarity, [[0, 1], [1, 1]], [[1, 0], [1, 1]])
    assert float(cosine) == pytest.approx(0.5, rel=1e-6)
    logcosh = one_shot(metrics.LogCoshError, [[0.0, 1.0]], [[1.0, 1.0]])
    assert float(logcosh) == pytest.approx(math.log(math.cosh(1.0)) / 2, rel=1e-6)


def test_probabilistic_metrics():
    value = one_shot(metrics.BinaryCrossentropy, [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    assert float(value) == pytest.approx(-(2 * math.log(0.4) + math.log(0.6) + math.log(0.4)) / 4, rel=1e-5)
    value = one_shot(metrics.CategoricalCrossentropy, [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    assert float(value) == pytest.approx((-math.log(0.95) - math.log(0.1)) / 2, rel=1e-5)
    value = one_shot(metrics.SparseCategoricalCrossentropy, [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    assert float(value) == pytest.approx((-math.log(0.95) - math.log(0.1)) / 2, rel=1e-5)


# ---- confusion-matrix metrics ----------------------------------------------------------------

def test_precision_recall_published_values():
    assert float(one_shot(metrics.Precision, [0, 1, 1, 1], [1, 0, 1, 1])) == pytest.approx(2 / 3)
    assert float(one_shot(metrics.Precision, [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0])) == pytest.approx(1.0)
    assert float(one_shot(metrics.Recall, [0, 1, 1, 1], [1, 0, 1, 1])) == pytest.approx(2 / 3)
    assert float(one_shot(metrics.Recall, [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0])) == pytest.approx(1.0)
    # top_k keeps the k best scores, ties to the lower index: the first two here.
    assert float(one_shot(metrics.Precision, [0, 0, 1, 1], [1, 1, 1, 1], top_k=2)) == 0.0
    assert float(one_shot(metrics.Precision, [0, 0, 1, 1], [1, 1, 1, 1], top_k=4)) == pytest.approx(0.5)
    # class_id picks one column
    y_true, y_pred = [[0, 1], [1, 0], [1, 1]], [[0.2, 0.7], [0.9, 0.1], [0.3, 0.8]]
    assert float(one_shot(metrics.Recall, y_true, y_pred, class_id=0)) == pytest.approx(0.5)
    several = one_shot(metrics.Precision, [0, 1, 1], [0.3, 0.6, 0.8], thresholds=[0.2, 0.7])
    numpy.testing.assert_allclose(several, [2 / 3, 1.0], rtol=1e-6)


def test_confusion_counts():
    y_true, y_pred = [0, 1, 1, 0, 1], [0.2, 0.7, 0.4, 0.9, 0.6]
    assert float(one_shot(metrics.TruePositives, y_true, y_pred)) == 2
    assert float(one_shot(metrics.FalsePositives, y_true, y_pred)) == 1
    assert float(one_shot(metrics.TrueNegatives, y_true, y_pred)) == 1
    assert float(one_shot(metrics.FalseNegatives, y_true, y_pred)) == 1


def test_predictions_outside_unit_interval_are_refused():
    with pytest.raises(ValueError, match=r"predictions in \[0, 1\]"):
        metrics.Precision().update_state([0, 1], [-0.5, 2.0])


def _naive_auc(y_true, y_pred, thresholds, curve="ROC"):
    """Counts by explicit comparison at each threshold, then the trapezoid rule."""
    y_true, y_pred = numpy.asarray(y_true, float), numpy.asarray(y_pred, float)
    tpr, fpr = [], []
    for t in thresholds:
        predicted = y_pred > t
        tp = (predicted & (y_true == 1)).sum()
        fp = (predicted & (y_true == 0)).sum()
        tpr.append(tp / (y_true == 1).sum())
        fpr.append(fp / (y_true == 0).sum())
    tpr, fpr = numpy.array(tpr), numpy.array(fpr)
    return float(((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2).sum())


def test_auc_roc_published_and_trapezoid_values():
    # Keras' documented example: thresholds [-eps, 0.5, 1 + eps] -> tpr [1, .5, 0], fpr [1, 0, 0] -> 0.75
    assert float(one_shot(metrics.AUC, [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], num_thresholds=3)) == pytest.approx(0.75)
    rng = numpy.random.default_rng(0)
    y_true = rng.integers(0, 2, size=50)
    y_pred = numpy.clip(rng.normal(0.4 + 0.2 * y_true, 0.2), 0, 1)
    thresholds = [-1e-7] + [(i + 1) / 199 for i in range(198)] + [1 + 1e-7]
    expected = _naive_auc(y_true, y_pred, thresholds)
    assert float(one_shot(metrics.AUC, y_true, y_pred)) == pytest.approx(expected, rel=1e-5)
    # from_logits applies the sigmoid first
    logits = numpy.log(numpy.clip(y_pred, 1e-6, 1 - 1e-6) / (1 - numpy.clip(y_pred, 1e-6, 1 - 1e-6)))
    assert float(one_shot(metrics.AUC, y_true, logits, from_logits=True)) == pytest.approx(
        float(one_shot(metrics.AUC, y_true, numpy.clip(y_pred, 1e-6, 1 - 1e-6))), rel=1e-5)


def test_auc_streams_over_batches():
    y_true, y_pred = [0, 0, 1, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.6, 0.7]
    metric = metrics.AUC()
    metric.update_state(y_true[:3], y_pred[:3])
    metric.update_state(y_true[3:], y_pred[3:])
    assert float(metric.result()) == pytest.approx(float(one_shot(metrics.AUC, y_true, y_pred)))
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_auc_pr_interpolation_by_hand():
    # thresholds [-eps, 0.5, 1 + eps]: tp [2, 1, 0], fp [2, 0, 0]; predicted p = tp + fp = [4, 1, 0].
    # Step 1 (p 1 -> 0): precision 1 while recall goes 0.5 -> 0: area 0.5.
    # Step 0 (p 4 -> 1): tp = 1 + (p - 1) / 3, recall = tp / 2, so the area is
    #   integral_1^4 (1/3 + 2 / (3 p)) / 6 dp = (1 + (2/3) ln 4) / 6.
    expected = 0.5 + (1 + 2 / 3 * math.log(4)) / 6
    got = one_shot(metrics.AUC, [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], num_thresholds=3, curve="PR")
    assert float(got) == pytest.approx(expected, rel=1e-6)
    # minoring / majoring over recall [1, .5, 0] and precision [.5, 1, 0]
    minoring = one_shot(metrics.AUC, [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], num_thresholds=3, curve="PR",
                        summation_method="minoring")
    majoring = one_shot(metrics.AUC, [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], num_thresholds=3, curve="PR",
                        summation_method="majoring")
    assert float(minoring) == pytest.approx(0.5 * 0.5 + 0.5 * 0.0)
    assert float(majoring) == pytest.approx(0.5 * 1.0 + 0.5 * 1.0)


def test_auc_multi_label_averages_labels():
    y_true = numpy.array([[0, 1], [0, 0], [1, 1], [1, 0]])
    y_pred = numpy.array([[0.0, 0.9], [0.5, 0.2], [0.3, 0.6], [0.9, 0.7]])
    per_label = [float(one_shot(metrics.AUC, y_true[:, j], y_pred[:, j])) for j in range(2)]
    got = one_shot(metrics.AUC, y_true, y_pred, multi_label=True)
    assert float(got) == pytest.approx(sum(per_label) / 2, rel=1e-6)
    weighted = one_shot(metrics.AUC, y_true, y_pred, multi_label=True, label_weights=[3.0, 1.0])
    assert float(weighted) == pytest.approx((3 * per_label[0] + per_label[1]) / 4, rel=1e-6)


# ---- F scores --------------------------------------------------------------------------------

F_TRUE = numpy.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
F_PRED = numpy.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])


def test_f1_score_averages():
    # With threshold 0.5 per class: tp [1, 2, 1], fp [0, 1, 1], fn [2, 0, 0] -> F1 [0.5, 0.8, 2/3].
    numpy.testing.assert_allclose(one_shot(metrics.F1Score, F_TRUE, F_PRED, threshold=0.5),
                                  [0.5, 0.8, 2 / 3], rtol=1e-5)
    assert float(one_shot(metrics.F1Score, F_TRUE, F_PRED, threshold=0.5, average="micro")) == pytest.approx(
        2 / 3, rel=1e-5)
    assert float(one_shot(metrics.F1Score, F_TRUE, F_PRED, threshold=0.5, average="macro")) == pytest.approx(
        (0.5 + 0.8 + 2 / 3) / 3, rel=1e-5)
    assert float(one_shot(metrics.F1Score, F_TRUE, F_PRED, threshold=0.5, average="weighted")) == pytest.approx(
        (0.5 * 3 + 0.8 * 2 + 2 / 3) / 6, rel=1e-5)
    # beta = 2: (1 + 4) P R / (4 P + R); class 0 has P = 1, R = 1/3
    fbeta = one_shot(metrics.FBetaScore, F_TRUE, F_PRED, threshold=0.5, beta=2.0)
    assert fbeta[0] == pytest.approx(5 * (1 / 3) / (4 + 1 / 3), rel=1e-5)
    # threshold None: each row predicts its largest score(s), ties included -> rows predict {2}, {1, 2}, {1}:
    # class 0 nothing; class 1 tp 1, fp 1, fn 1 (F1 0.5); class 2 tp 1, fp 1 (F1 2/3).
    argmax = one_shot(metrics.F1Score, F_TRUE, F_PRED)
    numpy.testing.assert_allclose(argmax, [0.0, 0.5, 2 / 3], atol=1e-5)
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="mean")


# ---- off the tape ----------------------------------------------------------------------------

def test_metrics_record_nothing_on_the_tape():
    y_pred = Tensor(numpy.array([[0.2, 0.8], [0.6, 0.4]]))
    with GradientTape() as tape:
        tape.watch(y_pred)
        for metric in (metrics.MeanSquaredError(), metrics.CategoricalCrossentropy(), metrics.AUC()):
            metric.update_state(numpy.array([[0.0, 1.0], [1.0, 0.0]]), y_pred)
    assert tape._records == []


# ---- identifiers, names, configs -------------------------------------------------------------

def test_get_names():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert metrics.get("mse").name == "mean_squared_error"
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("precision"), metrics.Precision)
    assert isinstance(metrics.get("recall"), metrics.Recall)
    assert isinstance(metrics.get("root_mean_squared_error"), metrics.RootMeanSquaredError)
    assert isinstance(metrics.get("top_k_categorical_accuracy"), metrics.TopKCategoricalAccuracy)
    assert isinstance(metrics.get("kl_divergence"), metrics.KLDivergence)
    assert isinstance(metrics.get("f1_score"), metrics.F1Score)
    custom = lambda y_true, y_pred: y_pred  # noqa: E731
    assert metrics.get(custom) is custom
    with pytest.raises(ValueError, match="Did you mean 'precision'"):
        metrics.get("precison")


def test_resolve_accuracy_follows_keras_3():
    cases = [
        ((32, 1), (32, 1), metrics.BinaryAccuracy),
        ((32,), (32, 1), metrics.BinaryAccuracy),
        ((32,), (32, 10), metrics.SparseCategoricalAccuracy),
        ((32, 1), (32, 10), metrics.SparseCategoricalAccuracy),
        ((32, 10), (32, 10), metrics.CategoricalAccuracy),
        ((32, 5, 1), (32, 5, 10), metrics.SparseCategoricalAccuracy),
    ]
    for y_true_shape, y_pred_shape, cls in cases:
        for name in ("accuracy", "acc"):
            metric = metrics.resolve_accuracy(name, None, y_true_shape, y_pred_shape)
            assert type(metric) is cls and metric.name == name
    # the loss decides only when the shapes are unknown
    assert type(metrics.resolve_accuracy("acc", "binary_crossentropy")) is metrics.BinaryAccuracy
    assert type(metrics.resolve_accuracy("acc", "sparse_categorical_crossentropy")) is metrics.SparseCategoricalAccuracy


def test_resolve_keeps_what_the_user_wrote():
    assert metrics.resolve("mse", None, (4, 1), (4, 1)).name == "mse"
    assert type(metrics.resolve("ce", None, (4,), (4, 3))) is metrics.SparseCategoricalCrossentropy

    def my_metric(y_true, y_pred):
        return y_pred

    wrapped = metrics.resolve(my_metric)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "my_metric"
    wrapped.update_state([0.0, 0.0], [1.0, 3.0])
    assert float(wrapped.result()) == pytest.approx(2.0)
    explicit = metrics.AUC(name="roc")
    assert metrics.resolve(explicit) is explicit


CONFIGURED = [
    metrics.Mean(name="m"), metrics.Sum(), metrics.Accuracy(), metrics.BinaryAccuracy(threshold=0.3),
    metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2), metrics.MeanSquaredError(), metrics.MeanAbsoluteError(),
    metrics.MeanAbsolutePercentageError(), metrics.RootMeanSquaredError(), metrics.CosineSimilarity(axis=-1),
    metrics.BinaryCrossentropy(from_logits=True), metrics.CategoricalCrossentropy(label_smoothing=0.1),
    metrics.SparseCategoricalCrossentropy(), metrics.Precision(thresholds=[0.3, 0.6], class_id=1),
    metrics.Recall(top_k=2), metrics.AUC(num_thresholds=50, curve="PR"), metrics.F1Score(average="macro"),
    metrics.FBetaScore(beta=2.0), metrics.TruePositives(thresholds=0.4),
    metrics.MeanMetricWrapper(metrics.binary_accuracy, name="bin", threshold=0.7),
]


@pytest.mark.parametrize("metric", CONFIGURED, ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric) and restored.name == metric.name


def test_confusion_metrics_refuse_predictions_outside_0_1_at_once_and_inside_a_device_step(on_numpy):
    with pytest.raises(ValueError, match=r"precision expects predictions in \[0, 1\].*values in \[0.2, 1.5\]"):
        metrics.Precision().update_state(numpy.array([0.0, 1.0]), numpy.array([0.2, 1.5]))
    # In a fit step on a device the check waits for the step's copy of its logs, and still fails that step.
    with device_standin.use_standin():
        model = neuroflow.Sequential([neuroflow.layers.Input((2,)), neuroflow.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", metrics=["auc"])
        x = numpy.full((4, 2), 3.0, dtype="float32")
        model.layers[0].kernel.assign(numpy.ones((2, 1), dtype="float32"))
        with pytest.raises(ValueError, match=r"expects predictions in \[0, 1\].*apply a sigmoid"):
            model.fit(x, numpy.ones((4, 1), dtype="float32"), batch_size=4, epochs=1, verbose=0)
        assert not backend._pending_checks
