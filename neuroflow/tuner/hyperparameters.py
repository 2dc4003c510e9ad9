"""`HyperParameters`: the search space and the current values in one object (KerasTuner's `keras_tuner.HyperParameters`).

A hypermodel's `build(hp)` both declares the space and reads the trial's values: `hp.Int("units", 32, 512,
step=32)` registers the range the first time and returns the value the tuner chose (the default when none
was chosen). Hyperparameters declared under `conditional_scope(parent, values)` (or with `parent_name` /
`parent_values`) are active only while the parent has one of those values; while inactive they return None.

    hp = HyperParameters()
    kind = hp.Choice("model_type", ["mlp", "cnn"])
    with hp.conditional_scope("model_type", ["mlp"]):
        units = hp.Int("units", 32, 128, step=32)     # None unless model_type == "mlp"
"""
import collections
import contextlib

from neuroflow.tuner import hyperparameter as hp_types
from neuroflow.tuner.conditions import Parent


class HyperParameters:
    """The container of a search space (`space`) and of the current trial's values (`values`).

    Attributes:
        values: dict of name -> value of the active hyperparameters.
        space: the declared `HyperParameter`s in declaration order (parents before their children).
    """

    def __init__(self):
        self._name_scopes = []
        self._conditions = []
        # name -> the hyperparameters of that name (one per distinct set of conditions).
        self._hps = collections.defaultdict(list)
        self._space = []
        self.values = {}
        # The condition stacks of the conditional scopes entered while building, active or not: the tuner
        # activates each inactive one once before the search, so that the whole space is known.
        self.active_scopes = []
        self.inactive_scopes = []

    # ---- scopes ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefixes the names declared inside with `name/`."""
        self._name_scopes.append(name)
        try:
            yield
        finally:
            self._name_scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name, parent_values):
        """Hyperparameters declared inside are active only when `parent_name` has one of `parent_values`.

        The code inside runs whether or not the condition holds; inactive hyperparameters return None.

        Raises:
            ValueError: when no hyperparameter `parent_name` has been declared.
        """
        parent_name = self._full_name(parent_name)
        if parent_name not in self._hps:
            known = ", ".join(self._hps) or "none yet"
            raise ValueError(f"conditional_scope: the parent hyperparameter '{parent_name}' is not defined; declare it "
                             f"before the scope (defined: {known})")
        self._conditions.append(Parent(parent_name, parent_values))
        scopes = self.active_scopes if self._conditions_hold(self._conditions) else self.inactive_scopes
        scopes.append(list(self._conditions))
        try:
            yield
        finally:
            self._conditions.pop()

    @contextlib.contextmanager
    def _maybe_conditional_scope(self, parent_name, parent_values):
        if parent_name:
            with self.conditional_scope(parent_name, parent_values):
                yield
        else:
            yield

    def _full_name(self, name):
        return "/".join([*self._name_scopes, str(name)])

    # ---- activity ------------------------------------------------------------------------------

    def _conditions_hold(self, conditions, values=None):
        values = self.values if values is None else values
        return all(condition.is_active(values) for condition in conditions)

    def is_active(self, hyperparameter):
        """Whether a hyperparameter (object or name) is active for the current values."""
        if isinstance(hyperparameter, hp_types.HyperParameter):
            return self._conditions_hold(hyperparameter.conditions)
        return any(self._conditions_hold(hp.conditions) for hp in self._hps[str(hyperparameter)])

    def _exists(self, name, conditions):
        return any(hp.conditions == conditions for hp in self._hps.get(name, []))

    # ---- declaration -------------------------------------------------------------------------------

    def _retrieve(self, hyperparameter):
        """Registers `hyperparameter` on first sight; returns its current value, or None when inactive."""
        if not self._exists(hyperparameter.name, hyperparameter.conditions):
            self._register(hyperparameter)
        if not self._conditions_hold(hyperparameter.conditions):
            return None
        return self.values.setdefault(hyperparameter.name, hyperparameter.default)

    def _register(self, hyperparameter, overwrite=False):
        for condition in hyperparameter.conditions:
            if condition.name == hyperparameter.name:
                raise ValueError(f"A conditional hyperparameter cannot have the name of its parent: "
                                 f"'{hyperparameter.name}'")
        hyperparameter = hp_types.deserialize(hp_types.serialize(hyperparameter))
        self._hps[hyperparameter.name].append(hyperparameter)
        self._space.append(hyperparameter)
        if self._conditions_hold(hyperparameter.conditions) and (overwrite or hyperparameter.name not in self.values):
            self.values[hyperparameter.name] = hyperparameter.default

    def _declare(self, cls, name, parent_name, parent_values, **arguments):
        with self._maybe_conditional_scope(parent_name, parent_values):
            return self._retrieve(cls(name=self._full_name(name), conditions=list(self._conditions), **arguments))

    def Int(self, name, min_value, max_value, step=None, sampling="linear", default=None, parent_name=None,
            parent_values=None):
        """An integer in [min_value, max_value] (both included); see `hyperparameter.Int`. Returns its value."""
        return self._declare(hp_types.Int, name, parent_name, parent_values, min_value=min_value, max_value=max_value,
                             step=step, sampling=sampling, default=default)

    def Float(self, name, min_value, max_value, step=None, sampling="linear", default=None, parent_name=None,
              parent_values=None):
        """A real number in [min_value, max_value]; see `hyperparameter.Float`. Returns its value."""
        return self._declare(hp_types.Float, name, parent_name, parent_values, min_value=min_value,
                             max_value=max_value, step=step, sampling=sampling, default=default)

    def Choice(self, name, values, ordered=None, default=None, parent_name=None, parent_values=None):
        """One of `values`; see `hyperparameter.Choice`. Returns its value."""
        return self._declare(hp_types.Choice, name, parent_name, parent_values, values=values, ordered=ordered,
                             default=default)

    def Boolean(self, name, default=False, parent_name=None, parent_values=None):
        """True or False. Returns its value."""
        return self._declare(hp_types.Boolean, name, parent_name, parent_values, default=default)

    def Fixed(self, name, value, parent_name=None, parent_values=None):
        """A value that is not tuned. Returns it."""
        return self._declare(hp_types.Fixed, name, parent_name, parent_values, value=value)

    # ---- reading ---------------------------------------------------------------------------------

    def get(self, name):
        """The current value of `name`.

        Raises:
            ValueError: when the hyperparameter exists but is inactive.
            KeyError: when no hyperparameter has that name.
        """
        name = self._full_name(name)
        if name in self.values:
            return self.values[name]
        if name in self._hps:
            raise ValueError(f"Hyperparameter '{name}' is currently inactive (its parent condition does not hold)")
        raise KeyError(f"Hyperparameter '{name}' does not exist; known: {', '.join(self._hps) or 'none'}")

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        try:
            self.get(name)
        except (KeyError, ValueError):
            return False
        return True

    @property
    def space(self):
        return list(self._space)

    def ensure_active_values(self):
        """Keeps the values of active hyperparameters only, giving newly active ones their default.

        Walks the space in declaration order (parents first), so a child is judged by the values its
        parents end up with; values of names outside the space (such as Hyperband's 'tuner/epochs') stay.
        """
        values = {name: value for name, value in self.values.items() if name not in self._hps}
        for hyperparameter in self._space:
            if hyperparameter.name not in values and self._conditions_hold(hyperparameter.conditions, values):
                values[hyperparameter.name] = self.values.get(hyperparameter.name, hyperparameter.default)
        self.values = values

    # ---- copying and saving ----------------------------------------------------------------------

    def merge(self, hyperparameters, overwrite=True):
        """Adds the hyperparameters of another `HyperParameters` (or a list of them) to this space."""
        space = hyperparameters.space if isinstance(hyperparameters, HyperParameters) else list(hyperparameters)
        for hyperparameter in space:
            if self._exists(hyperparameter.name, hyperparameter.conditions):
                if not overwrite:
                    continue
                self._remove(hyperparameter)
            self._register(hyperparameter, overwrite)

    def _remove(self, hyperparameter):
        same = [hp for hp in self._hps[hyperparameter.name] if hp.conditions == hyperparameter.conditions]
        for hp in same:
            self._hps[hyperparameter.name].remove(hp)
            self._space.remove(hp)

    def get_config(self):
        return {"space": [hp_types.serialize(hp) for hp in self._space], "values": dict(self.values)}

    @classmethod
    def from_config(cls, config):
        hyperparameters = cls()
        for entry in config["space"]:
            hyperparameter = hp_types.deserialize(entry)
            hyperparameters._hps[hyperparameter.name].append(hyperparameter)
            hyperparameters._space.append(hyperparameter)
        hyperparameters.values = dict(config["values"])
        return hyperparameters

    def copy(self):
        return HyperParameters.from_config(self.get_config())

    def __repr__(self):
        return f"HyperParameters(values={self.values})"
