"""Weight regularizers (`keras.regularizers`): a penalty added to the loss.

A regularizer is called inside the GradientTape on a weight and returns a scalar neuroflow
Tensor built from `neuroflow.ops`, so its gradient flows into the weight like the loss's:

    regularizer = neuroflow.regularizers.L2(0.01)
    with neuroflow.GradientTape() as tape:
        loss = data_loss + regularizer(kernel)      # 0.01 * sum(kernel**2)
"""
import math
import numbers

from neuroflow import backend, ops
from neuroflow.utils import registry
from neuroflow.utils.serialization import deserialize_object, get_object, serialize_object


def _validate_factor(value, name):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool) or math.isinf(value) or math.isnan(value)
            or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: subclasses implement `__call__(x)` (a scalar Tensor) and `get_config()`.

    Any callable `weight -> scalar Tensor` also works as a regularizer.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("regularizers", cls)

    def __call__(self, x):
        return ops.convert_to_tensor(0.0)

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1(Regularizer):
    """L1 penalty: `l1 * sum(|x|)`.

    Args:
        l1: the factor (default 0.01).

    Example:
        L1(0.1)(ops.ones((2, 2)))  # 0.4
    """

    def __init__(self, l1=0.01):
        self.l1 = _validate_factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty: `l2 * sum(x**2)` (no factor 1/2, as in Keras).

    Args:
        l2: the factor (default 0.01).

    Example:
        L2(2.0)(ops.ones((5, 5)))  # 50.0
    """

    def __init__(self, l2=0.01):
        self.l2 = _validate_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """L1 plus L2 penalty: `l1 * sum(|x|) + l2 * sum(x**2)`.

    The class defaults to no penalty (l1 = l2 = 0, as in Keras); the name 'l1_l2' gives
    l1 = l2 = 0.01.

    Args:
        l1: the L1 factor (default 0.0).
        l2: the L2 factor (default 0.0).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = ops.multiply(self.l1, ops.sum(ops.abs(x)))
        if self.l2:
            term = ops.multiply(self.l2, ops.sum(ops.square(x)))
            penalty = term if penalty is None else ops.add(penalty, term)
        if penalty is None:
            return ops.convert_to_tensor(0.0, dtype=ops.dtype(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards orthogonality.

    With u_i the L2-normalized rows (`mode="rows"`) or columns (`mode="columns"`), n of them:

        penalty = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n * (n - 1) / 2)

    Args:
        factor: the factor (default 0.01).
        mode: "rows" (default) or "columns".

    Raises:
        ValueError: for an unknown mode, or (when called) an input that is not 2D.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate_factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. '
                             f"Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={x.shape}")
        axis = 1 if self.mode == "rows" else 0
        # The clamp keeps an all-zero row from dividing by zero.
        norms = ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12))
        units = ops.divide(x, norms)
        if self.mode == "rows":
            product = ops.matmul(units, ops.transpose(units))
            size = x.shape[0]
        else:
            product = ops.matmul(ops.transpose(units), units)
            size = x.shape[1]
        off_diagonal = 1.0 - backend.xp.eye(size, dtype=product.dtype)
        pairs = size * (size - 1.0) / 2.0
        return ops.multiply(self.factor * 0.5 / pairs, ops.sum(ops.abs(ops.multiply(product, off_diagonal))))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def _l1_l2_by_name():
    return L1L2(l1=0.01, l2=0.01)


# The subclasses registered themselves (Regularizer.__init_subclass__); the base is a name too.
registry.register_builtins("regularizers", {"Regularizer": Regularizer})
ALL_OBJECTS = registry.builtins("regularizers")
_NAMES = {"l1": L1, "l2": L2, "l1_l2": _l1_l2_by_name, "orthogonal_regularizer": OrthogonalRegularizer}

# Keras' lower-case aliases.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    """The regularizer as `{'module', 'class_name', 'config', 'registered_name'}`."""
    return serialize_object(regularizer, "neuroflow.regularizers")


def deserialize(config, custom_objects=None):
    """Builds a regularizer from the output of `serialize`."""
    return deserialize_object("regularizer", config, ALL_OBJECTS, custom_objects)


def get(identifier):
    """A regularizer from a name ('l1', 'l2', 'l1_l2', 'L2' ...), a config dict, an instance or a
    callable. None gives None.

    Raises:
        ValueError: for an unknown name (with the closest known one) or an uninterpretable value.
    """
    return get_object("regularizer", identifier, {**ALL_OBJECTS, **_NAMES}, deserialize,
                      "a name such as 'l2', a config dict, a Regularizer or a callable")
