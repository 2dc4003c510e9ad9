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
                       datasets,
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
                       tuner,  # KerasTuner's API (tuner12, issue 12)
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

__version__ = "0.1.0"

# api10 (issue 10): Keras 3's remaining top-level names: name_scope, device, Function, Operation,
# SymbolicScope. (StatelessScope is not here: neuroflow's variables hold their values in place.)
from neuroflow.backend import device  # noqa: E402
from neuroflow.engine.scopes import SymbolicScope, name_scope  # noqa: E402
from neuroflow.models.function import Function  # noqa: E402
from neuroflow.ops.operation import Operation  # noqa: E402
