"""One hyperparameter and its range: Int, Float, Choice, Boolean, Fixed (KerasTuner's `keras_tuner.HyperParameter`s).

Every tunable hyperparameter maps a number `prob` in [0, 1) onto its values (`prob_to_value`) and back
(`value_to_prob`): random search draws `prob` uniformly, Bayesian optimization models the objective in the
`prob` coordinates, grid search walks `values`. The mappings are KerasTuner's:

    linear:       value = min + prob * (max - min)
    log:          value = min * (max / min) ** prob
    reverse_log:  value = max + min - min * (max / min) ** (1 - prob)

With a `step` the range becomes the finite set min, min + step, ... (linear) or min, min * step, ...
(log), and `prob` picks one of them through equal buckets.
"""
import math

from neuroflow.tuner.conditions import Parent

SAMPLINGS = ("linear", "log", "reverse_log")


def prob_to_index(prob, count):
    """The bucket of `prob` when [0, 1) is cut into `count` equal buckets."""
    return min(int(math.floor(prob * count)), count - 1)


def index_to_prob(index, count):
    """The centre of bucket `index` of `count` equal buckets of [0, 1)."""
    return (index + 0.5) / count


class HyperParameter:
    """The base of every hyperparameter: a name, a default and the conditions under which it is active.

    Args:
        name: the name, unique in the search space.
        default: the value used when the tuner does not choose one.
        conditions: `Parent` conditions (set by `HyperParameters.conditional_scope`).
    """

    def __init__(self, name, default=None, conditions=None):
        self.name = name
        self._default = default
        self.conditions = [Parent.from_config(c) if isinstance(c, dict) else c for c in (conditions or [])]

    @property
    def default(self):
        return self._default

    def random_sample(self, generator):
        """A value drawn with the NumPy `generator` (uniform in the `prob` coordinate)."""
        return self.prob_to_value(float(generator.random()))

    def get_config(self):
        return {"name": self.name, "default": self._default,
                "conditions": [condition.get_config() for condition in self.conditions]}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Numerical(HyperParameter):
    """An Int or Float range [min_value, max_value] (both included), optionally in steps."""

    def __init__(self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs):
        super().__init__(name=name, default=default, **kwargs)
        self.min_value, self.max_value, self.step = min_value, max_value, step
        self.sampling = "linear" if sampling is None else str(sampling).lower()
        kind = type(self).__name__
        if self.min_value > self.max_value:
            raise ValueError(f"HyperParameters.{kind}('{name}'): min_value {min_value} is greater than max_value "
                             f"{max_value}")
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"HyperParameters.{kind}('{name}'): sampling must be one of {', '.join(SAMPLINGS)}; "
                             f"received sampling={sampling!r}")
        if self.sampling != "linear" and self.min_value <= 0:
            raise ValueError(f"HyperParameters.{kind}('{name}'): sampling='{self.sampling}' needs min_value > 0; "
                             f"received min_value={min_value}")
        if self.sampling != "linear" and self.step is not None and self.step <= 1:
            raise ValueError(f"HyperParameters.{kind}('{name}'): with sampling='{self.sampling}' the step is a "
                             f"factor and must be > 1; received step={step}")
        if self.sampling == "linear" and self.step is not None and self.step <= 0:
            raise ValueError(f"HyperParameters.{kind}('{name}'): step must be positive; received step={step}")
        if default is not None and not self.min_value <= default <= self.max_value:
            raise ValueError(f"HyperParameters.{kind}('{name}'): default {default} is outside "
                             f"[{min_value}, {max_value}]")

    @property
    def default(self):
        return self.min_value if self._default is None else self._default

    def _continuous_value(self, prob, max_value):
        """The value at `prob` of the continuous range [min_value, max_value] (the formulas above)."""
        low = self.min_value
        if max_value == low:
            return low
        if self.sampling == "linear":
            return low + prob * (max_value - low)
        if self.sampling == "log":
            return low * math.pow(max_value / low, prob)
        return max_value + low - low * math.pow(max_value / low, 1 - prob)

    def _continuous_prob(self, value, max_value):
        low = self.min_value
        if max_value == low:
            return 0.5
        if self.sampling == "linear":
            return (value - low) / (max_value - low)
        if self.sampling == "log":
            return math.log(value / low) / math.log(max_value / low)
        return 1.0 - math.log((max_value + low - value) / low) / math.log(max_value / low)

    def _step_count(self):
        """How many values the stepped range holds (max_value included when the steps land on it)."""
        # The 1e-8 keeps max_value when the quotient lands a rounding error below an integer
        # ((1.0 - 0.0) / 0.2 is 4.999...: KerasTuner's documented [0, 0.2, ..., 1.0] needs it).
        if self.sampling == "linear":
            return int((self.max_value - self.min_value) / self.step + 1e-8) + 1
        return int(math.log(self.max_value / self.min_value, self.step) + 1e-8) + 1

    def _stepped_value(self, index):
        if self.sampling == "linear":
            return self.min_value + index * self.step
        if self.sampling == "log":
            return self.min_value * math.pow(self.step, index)
        return self.max_value + self.min_value - self.min_value * math.pow(self.step, index)

    def _stepped_index(self, value):
        if self.sampling == "linear":
            return round((value - self.min_value) / self.step)
        if self.sampling == "log":
            return round(math.log(value / self.min_value, self.step))
        return round(math.log((self.max_value + self.min_value - value) / self.min_value, self.step))

    @property
    def values(self):
        """Every value of a stepped range; without a step, 10 evenly spread ones (what grid search walks)."""
        if self.step is None:
            return tuple(sorted({self.prob_to_value(index_to_prob(i, 10)) for i in range(10)}))
        return tuple(self._cast(self._stepped_value(i)) for i in range(self._step_count()))

    def prob_to_value(self, prob):
        if self.step is None:
            return self._cast(self._continuous_value(prob, self.max_value))
        return self._cast(self._stepped_value(prob_to_index(prob, self._step_count())))

    def value_to_prob(self, value):
        if self.step is None:
            return self._continuous_prob(value, self.max_value)
        return index_to_prob(self._stepped_index(value), self._step_count())

    def get_config(self):
        config = super().get_config()
        config.update(min_value=self.min_value, max_value=self.max_value, step=self.step, sampling=self.sampling)
        return config

    def __repr__(self):
        return (f"{type(self).__name__}(name: '{self.name}', min_value: {self.min_value}, max_value: {self.max_value}, "
                f"step: {self.step}, sampling: {self.sampling}, default: {self.default})")


def _check_int(value, argument, name):
    if value is None or isinstance(value, bool) or int(value) != value:
        raise ValueError(f"HyperParameters.Int('{name}'): {argument} must be an integer; received {value!r}")
    return int(value)


class Int(Numerical):
    """An integer in [min_value, max_value], max_value included (unlike Python's `range`).

    `hp.Int("units", 32, 512, step=32)` takes 32, 64, ..., 512; `hp.Int("batch", 2, 32, step=2, sampling="log")`
    takes 2, 4, 8, 16, 32. Without a step a linear Int takes every integer of the range.

    Args:
        name: the name.
        min_value: the smallest value (included).
        max_value: the largest value (included).
        step: the distance between values (a factor for 'log' and 'reverse_log'); None: 1 for 'linear',
            any integer for the logarithmic samplings.
        sampling: 'linear', 'log' or 'reverse_log'.
        default: the value before tuning; None: min_value.
    """

    def __init__(self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs):
        if step is not None:
            step = _check_int(step, "step", name)
        elif sampling in (None, "linear"):
            step = 1
        super().__init__(name, _check_int(min_value, "min_value", name), _check_int(max_value, "max_value", name),
                         step=step, sampling=sampling, default=default, **kwargs)

    def _cast(self, value):
        return int(round(value)) if self.step is not None else int(value)

    def prob_to_value(self, prob):
        if self.step is None:
            # Sampled on [min, max + 1) and truncated, so that max_value is as likely as its neighbours.
            return int(min(self._continuous_value(prob, self.max_value + 1), self.max_value))
        return super().prob_to_value(prob)

    def value_to_prob(self, value):
        if self.step is None:
            # The centre of the value's unit interval [value, value + 1).
            return self._continuous_prob(value + 0.5, self.max_value + 1)
        return super().value_to_prob(value)

    def get_config(self):
        config = super().get_config()
        config["default"] = self._default
        return config


class Float(Numerical):
    """A real number in [min_value, max_value].

    `hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")` draws the learning rate log-uniformly;
    `hp.Float("dropout", 0.0, 0.5, step=0.1)` takes 0.0, 0.1, ..., 0.5.

    Args:
        name: the name.
        min_value: the lower bound.
        max_value: the upper bound.
        step: the distance between values (a factor for 'log' and 'reverse_log'); None: continuous.
        sampling: 'linear', 'log' or 'reverse_log'.
        default: the value before tuning; None: min_value.
    """

    def __init__(self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs):
        super().__init__(name, float(min_value), float(max_value), step=None if step is None else float(step),
                         sampling=sampling, default=None if default is None else float(default), **kwargs)

    def _cast(self, value):
        return float(value)


class Choice(HyperParameter):
    """One of a list of values, all of one type (int, float, str or bool).

    Args:
        name: the name.
        values: the possible values.
        ordered: whether the values have an order (True by default for numbers; must be False otherwise).
        default: the value before tuning; None: the first value.
    """

    def __init__(self, name, values, ordered=None, default=None, **kwargs):
        super().__init__(name=name, default=default, **kwargs)
        values = list(values or [])
        if not values:
            raise ValueError(f"HyperParameters.Choice('{name}'): `values` must be a non-empty list")
        types = {type(value) for value in values}
        if len(types) > 1:
            raise TypeError(f"HyperParameters.Choice('{name}'): all values must have one type; received {values} "
                            f"with types {sorted(t.__name__ for t in types)}")
        if not isinstance(values[0], (str, int, float, bool)):
            raise TypeError(f"HyperParameters.Choice('{name}'): values must be int, float, str or bool; received "
                            f"{type(values[0]).__name__}")
        if default is not None and default not in values:
            raise ValueError(f"HyperParameters.Choice('{name}'): the default must be one of the values; received "
                             f"values={values}, default={default!r}")
        numeric = isinstance(values[0], (int, float)) and not isinstance(values[0], bool)
        if ordered and not numeric:
            raise ValueError(f"HyperParameters.Choice('{name}'): ordered=True needs numeric values")
        self.values = values
        self.ordered = numeric if ordered is None else bool(ordered)

    @property
    def default(self):
        return self.values[0] if self._default is None else self._default

    def prob_to_value(self, prob):
        return self.values[prob_to_index(prob, len(self.values))]

    def value_to_prob(self, value):
        return index_to_prob(self.values.index(value), len(self.values))

    def get_config(self):
        config = super().get_config()
        config.update(values=list(self.values), ordered=self.ordered)
        return config

    def __repr__(self):
        return f"Choice(name: '{self.name}', values: {self.values}, ordered: {self.ordered}, default: {self.default})"


class Boolean(HyperParameter):
    """True or False (default False)."""

    def __init__(self, name, default=False, **kwargs):
        if not isinstance(default, bool):
            raise ValueError(f"HyperParameters.Boolean('{name}'): default must be True or False; received {default!r}")
        super().__init__(name=name, default=default, **kwargs)

    @property
    def values(self):
        return (True, False)

    def prob_to_value(self, prob):
        return bool(prob >= 0.5)

    def value_to_prob(self, value):
        return 0.75 if value else 0.25

    def __repr__(self):
        return f"Boolean(name: '{self.name}', default: {self.default})"


class Fixed(HyperParameter):
    """A value that is not tuned (recorded in the trial like the others)."""

    def __init__(self, name, value, **kwargs):
        if not isinstance(value, (bool, int, float, str)) and value is not None:
            raise TypeError(f"HyperParameters.Fixed('{name}'): the value must be int, float, str, bool or None; "
                            f"received {type(value).__name__}")
        super().__init__(name=name, default=value, **kwargs)
        self.value = value

    @property
    def values(self):
        return (self.value,)

    def prob_to_value(self, prob):
        return self.value

    def value_to_prob(self, value):
        return 0.5

    def get_config(self):
        return {"name": self.name, "value": self.value,
                "conditions": [condition.get_config() for condition in self.conditions]}

    def __repr__(self):
        return f"Fixed(name: '{self.name}', value: {self.value})"


TYPES = {cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed)}


def serialize(hyperparameter):
    return {"class_name": type(hyperparameter).__name__, "config": hyperparameter.get_config()}


def deserialize(config):
    return TYPES[config["class_name"]].from_config(config["config"])
