"""The lectures' tools for seeing inside a network, on the engine that trains it.

    from neuroflow import explain
    print(explain.backprop(*explain.lecture_network(), learning_rate=0.5))   # the worked 2-2-2 example

- `backprop(model, x, y, learning_rate=...)`: one sample's forward and backward pass through a
  Dense network, every figure named and rendered as text, Markdown or LaTeX.
- `check_gradients(model, x, y)`: backprop against finite differences for every weight tensor.
- `activation_statistics(model, x)`: each layer's activations, for the initialization histograms.

The last two are `keras.utils`-style helpers and are also `neuroflow.utils.check_gradients` and
`neuroflow.utils.activation_statistics`: they need models and tapes, so they live on this floor,
above models, and neuroflow/__init__.py hands them down into the utils namespace.
"""
from neuroflow.explain.activation_statistics import ActivationStatistics, LayerActivations, activation_statistics
from neuroflow.explain.backprop import LOSS_ALIASES, LOSSES, backprop, lecture_network
from neuroflow.explain.backprop_trace import BackpropTrace, LayerTrace, LossTrace, NeuronTrace, WeightTrace
from neuroflow.explain.gradient_check import GradientCheckReport, TensorCheck, check_gradients

__all__ = ["LOSSES", "LOSS_ALIASES", "ActivationStatistics", "BackpropTrace", "GradientCheckReport", "LayerActivations",
           "LayerTrace", "LossTrace", "NeuronTrace", "TensorCheck", "WeightTrace", "activation_statistics", "backprop",
           "check_gradients", "lecture_network"]
