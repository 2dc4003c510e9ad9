"""Weight constraints (`keras.constraints`): applied to a variable after each optimizer update.

A constraint maps the updated weight (a backend array or a Variable) to the constrained array;
the optimizer writes it back in place. Norms are taken along `axis` (0 for a Dense kernel
`(input_dim, units)` means one norm per unit's incoming weight vector).
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import registry
from neuroflow.utils.serialization import deserialize_object, get_object, serialize_object


def _array(w):
    return w.value if isinstance(w, Tensor) else backend.xp.asarray(w)


def _norms(w, axis):
    xp = backend.xp
    if isinstance(axis, list):  # configs read back from JSON hold lists
        axis = tuple(axis)
    return xp.sqrt(xp.sum(xp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: subclasses implement `__call__(w)` returning the constrained array."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("constraints", cls)

    def __call__(self, w):
        return _array(w)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Caps the L2 norm of the weight vectors along `axis` at `max_value`:

        w = w * clip(norm, 0, max_value) / (epsilon + norm)

    Args:
        max_value: the largest allowed norm (default 2).
        axis: the axis (or axes) the norm is taken over (default 0).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = backend.xp.clip(norms, 0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero: `w * (w >= 0)`."""

    def __call__(self, w):
        w = _array(w)
        return w * (w >= 0).astype(w.dtype)


class UnitNorm(Constraint):
    """Scales the weight vectors along `axis` to unit L2 norm: `w / (epsilon + norm)`.

    Args:
        axis: the axis (or axes) the norm is taken over (default 0).
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the L2 norm of the weight vectors along `axis` within [min_value, max_value]:

        desired = rate * clip(norm, min_value, max_value) + (1 - rate) * norm
        w = w * desired / (epsilon + norm)

    Args:
        min_value: the smallest norm (default 0.0).
        max_value: the largest norm (default 1.0).
        rate: how far to move towards the allowed range each time, in (0, 1] (default 1.0).
        axis: the axis (or axes) the norm is taken over (default 0).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * backend.xp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


# The subclasses registered themselves (Constraint.__init_subclass__); add the base and Keras' spellings.
registry.register_builtins("constraints", {"Constraint": Constraint, "max_norm": MaxNorm, "non_neg": NonNeg,
                                           "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm})
ALL_OBJECTS = registry.builtins("constraints")

# Keras' lower-case aliases.
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def serialize(constraint):
    """The constraint as `{'module', 'class_name', 'config', 'registered_name'}`."""
    return serialize_object(constraint, "neuroflow.constraints")


def deserialize(config, custom_objects=None):
    """Builds a constraint from the output of `serialize`."""
    return deserialize_object("constraint", config, ALL_OBJECTS, custom_objects)


def get(identifier):
    """A constraint from a name ('max_norm', 'NonNeg' ...), a config dict, an instance or a
    callable. None gives None.

    Raises:
        ValueError: for an unknown name (with the closest known one) or an uninterpretable value.
    """
    return get_object("constraint", identifier, ALL_OBJECTS, deserialize,
                      "a name such as 'max_norm', a config dict, a Constraint or a callable")
