"""Numbers an optimizer hands out that also answer like the variables Keras returns.

`optimizer.learning_rate` and `optimizer.iterations` are a float and an int here; Keras-style code
calls `.numpy()` or `.assign(value)` on them, as on Keras' variables.
"""
from neuroflow import backend


class _LearningRateValue(float):
    """The learning rate as read from `optimizer.learning_rate`: a float that Keras-style code
    may also treat like the variable Keras returns (`.numpy()`, `.assign(value)`)."""

    def __new__(cls, value, optimizer):
        instance = super().__new__(cls, value)
        instance._optimizer = optimizer
        return instance

    def numpy(self):
        return backend.to_numpy(backend.xp.asarray(float(self), dtype=backend.floatx()))

    def assign(self, value):
        self._optimizer.learning_rate = value
        return self._optimizer.learning_rate


class _StepCount(int):
    """The step count as read from `optimizer.iterations`: an int that also answers `.numpy()`,
    for Keras code that treats it as the variable Keras returns."""

    def numpy(self):
        return backend.to_numpy(backend.xp.asarray(int(self), dtype="int64"))
