"""The IoU family, R2Score, the correlations and the constrained-rate metrics against Keras' recorded values."""
import numpy
import pytest

from neuroflow import metrics
from tests.metrics._references import ARRAYS, FACTS, base_name

A = ARRAYS
CASES = {
    "IoU": (lambda: metrics.IoU(num_classes=4, target_class_ids=[0, 2]), ["iou_true", "iou_pred"]),
    "IoU_ignore_weighted": (lambda: metrics.IoU(num_classes=4, target_class_ids=[1], ignore_class=3),
                            ["iou_true", "iou_pred", "iou_weight"]),
    "MeanIoU": (lambda: metrics.MeanIoU(num_classes=4), ["iou_true", "iou_pred"]),
    "MeanIoU_float_weighted": (lambda: metrics.MeanIoU(num_classes=4, dtype="float32"),
                               ["iou_true", "iou_pred", "iou_fweight"]),
    "MeanIoU_dense": (lambda: metrics.MeanIoU(num_classes=3, sparse_y_true=False, sparse_y_pred=False),
                      ["onehot_true", "onehot_pred"]),
    "BinaryIoU": (lambda: metrics.BinaryIoU(), ["bin_true", "bin_pred"]),
    "BinaryIoU_weighted": (lambda: metrics.BinaryIoU(target_class_ids=[1], threshold=0.3, dtype="float32"),
                           ["bin_true", "bin_pred", "bin_weight"]),
    "OneHotIoU": (lambda: metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2]), ["onehot_true", "onehot_pred"]),
    "OneHotMeanIoU": (lambda: metrics.OneHotMeanIoU(num_classes=3), ["onehot_true", "onehot_pred"]),
    "R2Score": (lambda: metrics.R2Score(), ["reg_true", "reg_pred"]),
    "R2Score_variance_weighted": (lambda: metrics.R2Score(class_aggregation="variance_weighted_average"),
                                  ["reg_true", "reg_pred", "reg_weight"]),
    "R2Score_raw_adjusted": (lambda: metrics.R2Score(class_aggregation=None, num_regressors=2), ["reg_true", "reg_pred"]),
    "PearsonCorrelation": (lambda: metrics.PearsonCorrelation(), ["reg_true", "reg_pred", "reg_weight"]),
    "PearsonCorrelation_axis0": (lambda: metrics.PearsonCorrelation(axis=0), ["reg_true", "reg_pred"]),
    "ConcordanceCorrelation": (lambda: metrics.ConcordanceCorrelation(), ["reg_true", "reg_pred", "reg_weight"]),
    "PrecisionAtRecall": (lambda: metrics.PrecisionAtRecall(0.5), ["bin_true", "bin_pred"]),
    "RecallAtPrecision": (lambda: metrics.RecallAtPrecision(0.6, num_thresholds=50), ["bin_true", "bin_pred", "bin_weight"]),
    "SensitivityAtSpecificity": (lambda: metrics.SensitivityAtSpecificity(0.5), ["bin_true", "bin_pred"]),
    "SpecificityAtSensitivity_one_threshold": (lambda: metrics.SpecificityAtSensitivity(0.7, num_thresholds=1),
                                               ["bin_true", "bin_pred"]),
    "SpecificityAtSensitivity_class": (lambda: metrics.SpecificityAtSensitivity(0.4, class_id=2),
                                       ["onehot_true", "onehot_pred"]),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("key", sorted(CASES))
def test_streamed_results_match_keras(key):
    make, inputs = CASES[key]
    metric = make()
    results = []
    for i in range(2):
        metric.update_state(*[A[name][i] for name in inputs])
        results.append(numpy.asarray(metric.result().numpy(), dtype="float64"))
    numpy.testing.assert_allclose(numpy.stack(results), A[f"metric_{key}"], rtol=1e-5, atol=1e-6)
    assert metric.name == base_name(FACTS["names"][key])
    config = metric.get_config()
    for name, value in FACTS["configs"][key].items():
        if name == "name":
            continue
        assert config[name] == value, name
    # reset, then one batch again: the first result
    metric.reset_state()
    metric.update_state(*[A[name][0] for name in inputs])
    numpy.testing.assert_allclose(metric.result().numpy(), A[f"metric_{key}"][0], rtol=1e-5, atol=1e-6)
    # the config rebuilds an equal metric
    clone = type(metric).from_config(config)
    assert clone.get_config() == config


def test_correlation_functions_match_keras():
    numpy.testing.assert_allclose(metrics.pearson_correlation(A["reg_true"][0], A["reg_pred"][0]).numpy(),
                                  A["fn_pearson_correlation"], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(metrics.concordance_correlation(A["reg_true"][0], A["reg_pred"][0]).numpy(),
                                  A["fn_concordance_correlation"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", ["r2_score", "pearson_correlation", "concordance_correlation", "PearsonCorrelation",
                                 "R2Score", "binary_io_u", "BinaryIoU"])
def test_string_identifiers_as_keras(key):
    assert type(metrics.get(key)).__name__ == FACTS["string_ids"][key]


@pytest.mark.parametrize("name", ["binary_focal_crossentropy", "categorical_focal_crossentropy", "huber"])
def test_loss_functions_listed_as_metrics(name):
    assert getattr(metrics, name).__name__ == FACTS["string_ids"][name]
