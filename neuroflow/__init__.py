"""neuroflow: a deep-learning library that speaks Keras and computes everything itself.

    from neuroflow import models, layers
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
"""
from neuroflow import backend
from neuroflow.engine import GradientTape, Tensor, Variable, no_grad
from neuroflow import ops
from neuroflow import (activations, callbacks, constraints, datasets, initializers, layers, losses, metrics, models,
                       optimizers, random, regularizers, saving, utils, wrappers)
from neuroflow.layers import Input, InputSpec, Layer
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.models import Model, Sequential
from neuroflow.random import set_random_seed
from neuroflow.losses import Loss
from neuroflow.metrics import Metric
from neuroflow.optimizers import Optimizer
from neuroflow.initializers import Initializer
from neuroflow.regularizers import Regularizer
from neuroflow.constraints import Constraint

__version__ = "0.1.0"
