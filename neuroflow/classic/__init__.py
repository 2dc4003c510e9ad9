"""The classic models the lectures start from, before backpropagation: Rosenblatt's perceptron."""
from neuroflow.classic.perceptron import Perceptron

__all__ = ["Perceptron"]
