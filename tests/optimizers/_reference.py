"""Shared helpers for the optimizer tests: run an optimizer for a few steps on float64 weights."""
import numpy as np

from neuroflow.engine import Variable

W0 = np.array([1.0, 2.0, -3.0, 0.5])
GRADS = [np.array([0.1, -0.2, 0.3, 0.0]), np.array([0.5, 0.4, -1.0, 2.0])]


def run_steps(optimizer, grads=GRADS, w0=W0):
    """Applies `grads` one step each to a float64 Variable starting at `w0`; returns its value."""
    variable = Variable(np.array(w0, dtype="float64"), dtype="float64")
    for grad in grads:
        optimizer.apply_gradients([(grad, variable)])
    return variable.numpy()
