"""neuroflow: a deep-learning library that speaks Keras and computes everything itself."""
from neuroflow import backend
from neuroflow.engine import GradientTape, Tensor, Variable, no_grad
from neuroflow import ops
from neuroflow.random import set_random_seed

__version__ = "0.1.0"
