"""Losses under Keras 3's names: functions returning per-sample values, and `Loss` classes that reduce.

    from neuroflow import losses
    losses.mean_squared_error(y_true, y_pred)          # shape (batch,): mean over the last axis
    losses.CategoricalCrossentropy()(y_true, y_pred)   # a scalar Tensor, the batch mean
    losses.get("sparse_categorical_crossentropy")      # names, classes, instances, dicts, callables

Every loss is built from `neuroflow.ops`, so it is differentiable with respect to `y_pred`. The
cross-entropies use the fused kernels when `from_logits=True`, and also when `y_pred` came out of a
softmax / sigmoid that remembered its logits (neuroflow.activations), as Keras' TensorFlow backend
does: the value is the same, and it stays finite for saturated probabilities.

Shapes are checked before any arithmetic: pairs that would broadcast silently (labels (32,) against
predictions (32, 10)) raise a ValueError naming the loss, the shapes and the likely fix. Ranks that
differ by a trailing axis of size 1 are reconciled as Keras' `squeeze_or_expand_to_same_rank` does.
"""
from neuroflow.losses.circle import Circle, circle
from neuroflow.losses.ctc import CTC, ctc
from neuroflow.losses.generalized_crossentropy import CategoricalGeneralizedCrossEntropy, categorical_generalized_cross_entropy
from neuroflow.losses.hinge import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from neuroflow.losses.loss import REDUCTIONS, Loss, LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank
from neuroflow.losses.overlap import Dice, Tversky, dice, tversky
from neuroflow.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from neuroflow.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from neuroflow.utils import registry
from neuroflow.utils.errors import unknown_name_error
from neuroflow.utils.serialization import serialize_instance_or_function

# ---- identifiers -----------------------------------------------------------------------------

_CLASSES = [MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
            BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy, Loss, LossFunctionWrapper]
_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
              categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
              categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy]

# metrics10 (issue 10)
_CLASSES += [Dice, Tversky, CategoricalGeneralizedCrossEntropy, Circle, CTC]
_FUNCTIONS += [dice, tversky, categorical_generalized_cross_entropy, circle, ctc]

# Keras 3's short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy

# The Loss classes registered themselves (Loss.__init_subclass__); add the base, the functions and
# Keras' short names.
registry.register_builtins("losses", {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS})
registry.register_builtins("losses", {
    "mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
    "kld": kld, "KLD": kld, "bce": bce, "BCE": bce, "logcosh": log_cosh,
    "kullback_leibler_divergence": kl_divergence,
})
ALL_OBJECTS = registry.builtins("losses")


def serialize(loss):
    """The config of a loss: a name for a built-in function, {'class_name', 'config'} for a Loss."""
    return serialize_instance_or_function(loss, Loss, "loss")


def deserialize(name, custom_objects=None):
    """The loss (function or Loss instance) for a name or config dict (inverse of `serialize`).

    `name` is Keras' parameter name; it takes a config dict as well.
    """
    config = name
    objects = dict(ALL_OBJECTS)
    objects.update(custom_objects or {})
    if isinstance(config, str):
        if config not in objects:
            raise unknown_name_error("loss identifier", config, ALL_OBJECTS)
        return objects[config]
    if isinstance(config, dict):
        class_name = config.get("class_name")
        inner = config.get("config")
        if class_name not in objects:
            if isinstance(inner, str):
                return deserialize(inner, custom_objects)
            raise unknown_name_error("loss identifier", class_name, ALL_OBJECTS)
        target = objects[class_name]
        if isinstance(target, type):
            return target.from_config(inner or {})
        return target
    raise ValueError(f"Could not interpret loss config {config!r}: expected a name or a dict")


def get(identifier):
    """A loss from an identifier, as `keras.losses.get` does.

    Args:
        identifier: None, a name ('mse', 'categorical_crossentropy', 'Huber'), a config dict,
            a Loss class (instantiated with defaults), a Loss instance or any callable.

    Returns:
        A function or a Loss instance (None for None).

    Raises:
        ValueError: for unknown names (naming the closest) or identifiers that are not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier {identifier!r}: expected a name, a Loss or a callable")
