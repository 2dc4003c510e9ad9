"""Dice, Tversky, CategoricalGeneralizedCrossEntropy and Circle against Keras' recorded values."""
import numpy
import pytest

from neuroflow import losses
from tests.metrics._references import ARRAYS, FACTS

yt, yp, sw = ARRAYS["seg_true"], ARRAYS["seg_pred"], ARRAYS["seg_weight"]
labels, probs = ARRAYS["cls_labels"], ARRAYS["cls_probs"]
circle_labels, embeddings = ARRAYS["circle_labels"], ARRAYS["embeddings"]

CASES = {
    "loss_dice_all": lambda: losses.dice(yt, yp),
    "loss_dice_axes": lambda: losses.dice(yt, yp, axis=(1, 2, 3)),
    "loss_Dice_axes_weighted": lambda: losses.Dice(axis=(1, 2, 3))(yt, yp, sample_weight=sw),
    "loss_Dice_sum": lambda: losses.Dice(reduction="sum", axis=(1, 2))(yt, yp),
    "loss_tversky_axes": lambda: losses.tversky(yt, yp, alpha=0.3, beta=0.7, axis=(1, 2, 3)),
    "loss_Tversky_default": lambda: losses.Tversky()(yt, yp),
    "loss_Tversky_axes_weighted": lambda: losses.Tversky(alpha=0.8, beta=0.2, axis=(1, 2, 3))(yt, yp, sample_weight=sw),
    "loss_cgce": lambda: losses.categorical_generalized_cross_entropy(labels, probs, q=0.3),
    "loss_CGCE": lambda: losses.CategoricalGeneralizedCrossEntropy()(labels, probs),
    "loss_CGCE_weighted": lambda: losses.CategoricalGeneralizedCrossEntropy(q=0.7)(
        labels, probs, sample_weight=numpy.arange(6, dtype="float32")),
    "loss_circle": lambda: losses.circle(circle_labels, embeddings),
    "loss_circle_options": lambda: losses.circle(circle_labels, embeddings, gamma=10, margin=0.25, remove_diagonal=False),
    "loss_Circle": lambda: losses.Circle()(circle_labels, embeddings),
    "loss_Circle_small": lambda: losses.Circle(gamma=4.0, margin=0.1)(circle_labels, embeddings),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_value_matches_keras(key):
    numpy.testing.assert_allclose(CASES[key]().numpy(), ARRAYS[key], rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name", ["Dice", "Tversky", "CategoricalGeneralizedCrossEntropy", "Circle"])
def test_config_has_keras_entries(name):
    config = getattr(losses, name)().get_config()
    for key, value in FACTS["configs"][name].items():
        assert config[key] == value, key
