"""Optimizers (`keras.optimizers`): SGD, RMSprop, Adam and friends, plus `schedules`.

    optimizer = neuroflow.optimizers.get("adam")          # by name, with Keras' defaults
    optimizer = neuroflow.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0)
"""
from neuroflow.optimizers import schedules
from neuroflow.optimizers.adadelta import Adadelta
from neuroflow.optimizers.adafactor import Adafactor
from neuroflow.optimizers.adagrad import Adagrad
from neuroflow.optimizers.adam import Adam
from neuroflow.optimizers.adamax import Adamax
from neuroflow.optimizers.adamw import AdamW
from neuroflow.optimizers.ftrl import Ftrl
from neuroflow.optimizers.lamb import Lamb
from neuroflow.optimizers.lion import Lion
from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer
from neuroflow.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from neuroflow.optimizers.muon import Muon
from neuroflow.optimizers.nadam import Nadam
from neuroflow.optimizers.optimizer import Optimizer
from neuroflow.optimizers.rmsprop import RMSprop
from neuroflow.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from neuroflow.optimizers.sgd import SGD
from neuroflow.utils import registry
from neuroflow.utils.registry import lookup
from neuroflow.utils.serialization import deserialize_object, serialize_object

# Every optimizer class registered itself (Optimizer.__init_subclass__).
ALL_OBJECTS = registry.builtins("optimizers")


def serialize(optimizer):
    """The optimizer as `{'module', 'class_name', 'config', 'registered_name'}` (Keras 3's layout)."""
    return serialize_object(optimizer, "neuroflow.optimizers")


def deserialize(config, custom_objects=None):
    """Builds an optimizer from the output of `serialize` (a fresh one: no slots, step 0).

    Raises:
        ValueError: for an unknown `class_name`, naming the closest known optimizer.
    """
    return deserialize_object("optimizer", config, ALL_OBJECTS, custom_objects,
                              build=lambda cls, inner: cls.from_config(inner, custom_objects=custom_objects)
                              if issubclass(cls, Optimizer) else cls.from_config(inner))


def get(identifier):
    """An optimizer from a name ('adam', 'RMSprop', 'sgd' ...), a config dict or an instance.

    Raises:
        ValueError: for an unknown name (with the closest known one) or an uninterpretable value.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, ALL_OBJECTS)()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected an optimizer name "
                     "(e.g. 'adam'), a config dict or an Optimizer instance.")


__all__ = ["SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Adadelta", "Ftrl", "Optimizer",
           "get", "serialize", "deserialize", "schedules"]
# metrics10 (issue 10)
__all__ += ["Lion", "Lamb", "Adafactor", "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap", "LossScaleOptimizer",
            "Muon"]
# api10 (issue 10): Keras 3's `optimizers.legacy`, whose classes only say they are gone.
from neuroflow.optimizers import legacy  # noqa: E402

__all__ += ["legacy"]
