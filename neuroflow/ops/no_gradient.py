"""Ops without a gradient: index-valued or boolean results (argsort, searchsorted, any ...), and
comparisons, rounding, bit operations and NaN tests.

Such an op still runs through `apply`, so it works on functional-API placeholders (shape inference) and in
a traced step, yet it never records on a tape: its output does not depend smoothly on its inputs.
"""
from neuroflow.engine.registry import Op, apply


def no_gradient_op(name, function):
    """An Op named `name` whose forward is `function(*arrays, **params)`, with no vjp."""
    op = Op(name)

    def forward(*arrays, **params):
        return function(*arrays, **params), None

    forward.__name__ = name
    op.forward(forward)
    return op


def run(op, inputs, **params):
    """apply(op, inputs, params) with the params as keywords."""
    return apply(op, tuple(inputs), params)
