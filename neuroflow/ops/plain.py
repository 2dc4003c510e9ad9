"""Ops without a gradient (comparisons, rounding, bit operations, tests for NaN ...), as registered ops.

They are registered ops rather than plain NumPy calls so that they work on functional-API placeholders
(a node in the graph, with the output shape and dtype inferred) and show in a traced step; having no vjp,
a tape never records them and no gradient flows through them.
"""
from neuroflow.engine.registry import Op


def plain_op(name, function):
    """A registered op `name` whose forward is `function(*arrays, **params)`, with no vjp."""
    op = Op(name)

    @op.forward
    def _(*arrays, **params):
        return function(*arrays, **params), None

    return op
