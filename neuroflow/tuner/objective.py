"""What a search optimizes: `Objective(name, direction)`, and the direction inferred from a metric's name.

`objective="val_accuracy"` means `Objective("val_accuracy", direction="max")`: the direction is inferred as
KerasTuner infers it (`keras_tuner.engine.metrics_tracking.infer_metric_direction`): the `val_` and
`weighted_` prefixes are dropped, 'loss', 'crossentropy' and 'ce' are minimized, 'acc' is maximized; any
other name is looked up among the metrics and then the losses: accuracies, AUC, precision, recall,
true positives/negatives and the sensitivity/specificity metrics are maximized, every other known metric or
loss is minimized. neuroflow also maximizes the scores KerasTuner's list misses (R2Score, F1Score,
FBetaScore, the IoU metrics and PrecisionAtRecall / RecallAtPrecision).
"""
import numpy

from neuroflow import losses, metrics

HOST_NUMPY = "hyperparameter-search bookkeeping on host numbers"  # numpy here works on host data (tests/test_backend_seam.py)

_MAXIMIZED = frozenset((
    # KerasTuner's list.
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "TruePositives", "TrueNegatives", "Precision", "Recall", "AUC",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "accuracy", "categorical_accuracy", "binary_accuracy", "sparse_categorical_accuracy",
    # Scores where larger is better that KerasTuner's list misses.
    "R2Score", "F1Score", "FBetaScore", "IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU",
    "PrecisionAtRecall", "RecallAtPrecision",
))


def infer_metric_direction(name):
    """'min' or 'max' for a metric name as it appears in the logs, or None when it cannot be told."""
    name = str(name)
    if name.startswith("val_"):
        name = name[len("val_"):]
    if name.startswith("weighted_"):
        name = name[len("weighted_"):]
    if name in ("loss", "crossentropy", "ce"):
        return "min"
    if name == "acc":
        return "max"
    for family in (metrics, losses):
        try:
            found = family.get(name)
        except (ValueError, TypeError):
            continue
        kind = getattr(found, "__name__", None) or type(found).__name__
        return "max" if kind in _MAXIMIZED or name in _MAXIMIZED else "min"
    return None


class Objective:
    """The metric a search optimizes and whether larger is better.

    Args:
        name: the metric's name in the training logs ('val_accuracy', 'val_loss', ...).
        direction: 'min' or 'max'.
    """

    def __init__(self, name, direction):
        if direction not in ("min", "max"):
            raise ValueError(f"Objective('{name}'): direction must be 'min' or 'max'; received {direction!r}")
        self.name = name
        self.direction = direction

    def has_value(self, logs):
        return logs is not None and self.name in logs

    def get_value(self, logs):
        return logs[self.name]

    def better_than(self, a, b):
        """Whether objective value `a` is better than `b`."""
        return (a > b) if self.direction == "max" else (a < b)

    def sign(self):
        """+1 when minimizing, -1 when maximizing: `sign * value` is always a value to minimize."""
        return 1.0 if self.direction == "min" else -1.0

    def __eq__(self, other):
        return isinstance(other, Objective) and (other.name, other.direction) == (self.name, self.direction)

    def __hash__(self):
        return hash((self.name, self.direction))

    def __repr__(self):
        return f'Objective(name="{self.name}", direction="{self.direction}")'

    def get_config(self):
        return {"name": self.name, "direction": self.direction}


class DefaultObjective(Objective):
    """The objective when none is given: the single float `run_trial` or `HyperModel.fit` returns, minimized."""

    def __init__(self):
        super().__init__("default_objective", "min")


class MultiObjective(Objective):
    """Several objectives at once: minimizes the sum of the minimized ones minus the sum of the maximized ones."""

    def __init__(self, objectives):
        super().__init__("multi_objective", "min")
        self.objectives = list(objectives)
        self.name_to_direction = {objective.name: objective.direction for objective in self.objectives}

    def has_value(self, logs):
        return logs is not None and all(name in logs for name in self.name_to_direction)

    def get_value(self, logs):
        return float(numpy.sum([logs[name] if direction == "min" else -logs[name]
                                for name, direction in self.name_to_direction.items()]))

    def get_config(self):
        return {"objectives": [objective.get_config() for objective in self.objectives]}


def create_objective(objective):
    """An `Objective` from None, a metric name, an `Objective` or a list of them.

    Raises:
        ValueError: for a name whose direction cannot be inferred, or anything else.
    """
    if objective is None:
        return DefaultObjective()
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, (list, tuple)):
        if len(objective) == 1:
            return create_objective(objective[0])
        return MultiObjective([create_objective(entry) for entry in objective])
    if isinstance(objective, str):
        direction = infer_metric_direction(objective)
        if direction is None:
            raise ValueError(f'Could not infer the optimization direction ("min" or "max") of the metric '
                             f'"{objective}"; pass the objective as neuroflow.tuner.Objective("{objective}", '
                             'direction="min") or direction="max"')
        return Objective(objective, direction)
    raise ValueError(f"`objective` must be a metric name, an Objective or a list of them; received {objective!r}")


def objective_from_config(config):
    if config is None:
        return DefaultObjective()
    if "objectives" in config:
        return MultiObjective([objective_from_config(entry) for entry in config["objectives"]])
    if config["name"] == "default_objective":
        return DefaultObjective()
    return Objective(**config)
