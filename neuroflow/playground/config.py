"""What a playground run is made of: the choices a user makes, checked where they enter.

A `PlaygroundConfig` is what the page sends, what the URL holds and what "Export as Python"
writes out. `PlaygroundConfig.updated(changes)` checks every changed field and names the field,
what it accepts and what it was given, so a bad message gets a readable error reply.
"""
import dataclasses
import math

from neuroflow.playground.datasets import DATASETS
from neuroflow.playground.features import FEATURES
from neuroflow.utils.errors import unknown_name_error

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "l1", "l2")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
#: initializer name -> its label on the page
INITIALIZERS = {"glorot": "Glorot uniform", "he": "He normal", "normal": "N(0, 1)", "small_normal": "N(0, 0.01)"}
PROBLEMS = ("classification", "regression")
#: the dataset a user uploaded as CSV
UPLOADED = "csv"

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8

# Fields whose change keeps the trained network: they are read afresh at every step.
LIVE_FIELDS = frozenset({"learning_rate", "batch_size"})
# Fields whose change keeps the data but rebuilds the network.
NETWORK_FIELDS = frozenset({"features", "hidden_layers", "dropout", "activation", "regularization",
                            "regularization_rate", "optimizer", "initializer"})


@dataclasses.dataclass(frozen=True)
class PlaygroundConfig:
    """One playground setup; the defaults are TensorFlow Playground's."""

    dataset: str = "circle"
    problem: str = "classification"
    train_percent: int = 50
    noise: int = 0
    batch_size: int = 10
    seed: int = 1
    features: tuple = ("x1", "x2")
    hidden_layers: tuple = (4, 2)
    dropout: tuple = (0.0, 0.0)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    optimizer: str = "sgd"
    initializer: str = "glorot"

    def to_dict(self):
        """The config as JSON-ready values (tuples become lists)."""
        return {name: list(value) if isinstance(value, tuple) else value
                for name, value in dataclasses.asdict(self).items()}

    def updated(self, changes):
        """A copy with `changes` (a dict of field -> value) applied and checked.

        Raises:
            ValueError: naming the field, what it accepts and what was given.
        """
        if not isinstance(changes, dict):
            raise ValueError(f"config must be an object of field: value, got {type(changes).__name__}")
        known = {field.name for field in dataclasses.fields(self)}
        values = dataclasses.asdict(self)
        for name, value in changes.items():
            if name not in known:
                raise unknown_name_error("config field", name, known)
            values[name] = _CHECKS[name](name, value)
        if "hidden_layers" in changes and "dropout" not in changes:
            # Keep each remaining layer's dropout, new layers start without.
            old = list(values["dropout"])
            values["dropout"] = tuple((old + [0.0] * MAX_HIDDEN_LAYERS)[:len(values["hidden_layers"])])
        if len(values["dropout"]) != len(values["hidden_layers"]):
            raise ValueError(f"dropout needs one rate per hidden layer ({len(values['hidden_layers'])}), "
                             f"got {len(values['dropout'])}")
        if "dataset" in changes and "problem" not in changes and values["dataset"] != UPLOADED:
            values["problem"] = DATASETS[values["dataset"]][1]
        if values["dataset"] != UPLOADED and DATASETS[values["dataset"]][1] != values["problem"]:
            raise ValueError(f"dataset {values['dataset']!r} is a {DATASETS[values['dataset']][1]} dataset, "
                             f"but problem is {values['problem']!r}; choose a {values['problem']} dataset")
        return PlaygroundConfig(**values)


def _choice(choices):
    def check(name, value):
        if value not in choices:
            raise unknown_name_error(name, value, choices)
        return value
    return check


def _integer(low, high):
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not low <= value <= high:
            raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        return int(value)
    return check


def _number(low, high, low_open=False):
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value > high or value < low or (low_open and value == low):
            bound = f"above {low}" if low_open else f"from {low}"
            raise ValueError(f"{name} must be a number {bound} to {high}, got {value!r}")
        return float(value)
    return check


def _sequence(name, value):
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} must be a list, got {value!r}")
    return value


def _features(name, value):
    value = _sequence(name, value)
    for feature in value:
        _choice(FEATURES)(name, feature)
    if not value:
        raise ValueError(f"{name} must name at least one input feature of {', '.join(FEATURES)}, got none")
    # One order (the page's) whatever order they were sent in, so equal sets give equal networks.
    return tuple(feature for feature in FEATURES if feature in value)


def _hidden_layers(name, value):
    value = _sequence(name, value)
    if len(value) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{name} holds at most {MAX_HIDDEN_LAYERS} layers, got {len(value)}")
    return tuple(_integer(1, MAX_NEURONS)(f"{name}[{index}]", units) for index, units in enumerate(value))


def _dropout(name, value):
    value = _sequence(name, value)
    return tuple(_number(0.0, 0.9)(f"{name}[{index}]", rate) for index, rate in enumerate(value))


_CHECKS = {
    "dataset": _choice((*DATASETS, UPLOADED)),
    "problem": _choice(PROBLEMS),
    "train_percent": _integer(10, 90),
    "noise": _integer(0, 50),
    "batch_size": _integer(1, 30),
    "seed": _integer(0, 2**31 - 1),
    "features": _features,
    "hidden_layers": _hidden_layers,
    "dropout": _dropout,
    "activation": _choice(ACTIVATIONS),
    "learning_rate": _number(0.0, 10.0, low_open=True),
    "regularization": _choice(REGULARIZATIONS),
    "regularization_rate": _number(0.0, 10.0),
    "optimizer": _choice(OPTIMIZERS),
    "initializer": _choice(tuple(INITIALIZERS)),
}
