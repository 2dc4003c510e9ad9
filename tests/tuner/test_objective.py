"""Objectives: given, or inferred from a metric's name the way KerasTuner infers them."""
import pytest

from neuroflow.tuner import Objective
from neuroflow.tuner.objective import DefaultObjective, MultiObjective, create_objective, infer_metric_direction


@pytest.mark.parametrize("name, direction", [
    ("val_accuracy", "max"), ("accuracy", "max"), ("acc", "max"), ("val_acc", "max"), ("val_auc", "max"),
    ("binary_accuracy", "max"), ("val_sparse_categorical_accuracy", "max"), ("precision", "max"), ("recall", "max"),
    ("loss", "min"), ("val_loss", "min"), ("val_mae", "min"), ("mse", "min"), ("val_mean_absolute_error", "min"),
    ("categorical_crossentropy", "min"), ("weighted_accuracy", "max"), ("val_r2_score", "max"),
])
def test_direction_is_inferred_from_the_metric_name(name, direction):
    assert infer_metric_direction(name) == direction
    assert create_objective(name) == Objective(name, direction)


def test_unknown_names_ask_for_an_objective():
    assert infer_metric_direction("val_my_score") is None
    with pytest.raises(ValueError, match='Objective\\("val_my_score", direction="min"\\)'):
        create_objective("val_my_score")


def test_objective_given_none_or_a_list():
    assert isinstance(create_objective(None), DefaultObjective)
    objective = Objective("val_accuracy", direction="max")
    assert create_objective(objective) is objective and objective.better_than(0.9, 0.8)
    multi = create_objective(["val_loss", Objective("val_accuracy", "max")])
    assert isinstance(multi, MultiObjective) and multi.get_value({"val_loss": 0.5, "val_accuracy": 0.75}) == -0.25
    with pytest.raises(ValueError, match="direction must be 'min' or 'max'"):
        Objective("val_loss", "minimize")
