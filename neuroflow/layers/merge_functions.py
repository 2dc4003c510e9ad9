"""Keras' lowercase merge functions beside add / concatenate / dot (merge.py): each builds its merge
layer and calls it on `inputs`, so `subtract([a, b])` is `Subtract()([a, b])`."""
from neuroflow.layers.merge import Average, Maximum, Minimum, Multiply, Subtract


def subtract(inputs, **kwargs):
    """inputs[0] - inputs[1]; `kwargs` go to the Subtract layer (name=...)."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """The elementwise product of a list of tensors."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """The elementwise mean of a list of tensors."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """The elementwise maximum of a list of tensors."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """The elementwise minimum of a list of tensors."""
    return Minimum(**kwargs)(inputs)
