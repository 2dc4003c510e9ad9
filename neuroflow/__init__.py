"""neuroflow: a deep-learning library that speaks Keras and computes everything itself.

    from neuroflow import models, layers
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
"""
from neuroflow import (
                       activations,
                       backend,
                       callbacks,
                       config,
                       constraints,
                       distribution,  # keras.distribution over MPI processes (mpi17)
                       dtype_policies,
                       initializers,
                       layers,
                       losses,
                       metrics,
                       mixed_precision,
                       models,
                       ops,
                       optimizers,
                       preprocessing,
                       random,
                       regularizers,
                       saving,
                       tree,
                       utils,
                       visualization,  # keras.visualization (misc11)
                       wrappers,
)
from neuroflow.constraints import Constraint
from neuroflow.dtype_policies import DTypePolicy, FloatDTypePolicy
from neuroflow.engine import GradientTape, Tensor, Variable, no_grad
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.initializers import Initializer
from neuroflow.layers import Input, InputSpec, Layer
from neuroflow.losses import Loss
from neuroflow.metrics import Metric
from neuroflow.models import Model, Sequential
from neuroflow.optimizers import Optimizer
from neuroflow.random import set_random_seed
from neuroflow.regularizers import Regularizer

# isort: split
# The lectures' tools (issue 11): the perceptron, readable backprop, gradient checks and activation statistics.
# check_gradients and activation_statistics need models and tapes, so they live in explain/, above models,
# and are handed down into keras.utils' namespace here (no floor imports upward).
from neuroflow import classic, explain

utils.check_gradients = explain.check_gradients
utils.activation_statistics = explain.activation_statistics
utils.__all__ += ["activation_statistics", "check_gradients"]

__version__ = "0.1.0"

# api10 (issue 10): Keras 3's remaining top-level names: name_scope, device, Function, Operation,
# SymbolicScope. (StatelessScope is not here: neuroflow's variables hold their values in place.)
from neuroflow.backend import device  # noqa: E402
from neuroflow.engine.scopes import SymbolicScope, name_scope  # noqa: E402
from neuroflow.models.function import Function  # noqa: E402
from neuroflow.ops.operation import Operation  # noqa: E402

# Imported on first use (`neuroflow.datasets.mnist`, `from neuroflow import tuner`): programs that use
# neither skip their imports (a tenth of `import neuroflow`'s time, and their memory).
_ON_FIRST_USE = ("datasets",  # the Keras datasets, downloaded and cached
                 "tuner")     # KerasTuner's API (tuner12, issue 12)


def __getattr__(name):
    if name in _ON_FIRST_USE:
        import importlib

        module = importlib.import_module(f"neuroflow.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'neuroflow' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ON_FIRST_USE))
