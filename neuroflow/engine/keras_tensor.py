"""Placeholders of the functional API: `KerasTensor` and the nodes that connect them.

`Input(shape=(784,))` returns a KerasTensor: a shape and dtype with no value. Calling a layer
(or an op) on KerasTensors records a Node instead of computing; `Model(inputs, outputs)` then
walks the nodes back from the outputs to find the graph it runs.

The placeholder lives in the engine because an op meeting one must record a node rather than
compute (engine/registry.py `apply`). Its operators (+, *, @, [], ...) are the same table as
Tensor's, attached by `neuroflow.ops` (ops/operators.py `OPERATORS`), so `x + 1` on a placeholder
builds the same op a Tensor would run.
"""
import numpy

from neuroflow import backend
from neuroflow.engine import scopes
from neuroflow.engine.tape import no_grad
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import nest
from neuroflow.utils.errors import shape_text
from neuroflow.utils.symbolic import register_keras_tensor_type


class KerasTensor:
    """A symbolic tensor: shape (batch axis None), dtype, and the node that produced it."""

    # As on Tensor: NumPy defers to the reflected operators, so `array * placeholder` is a node.
    __array_priority__ = 100

    def __init__(self, shape, dtype=None, name=None, node=None, index=0):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = str(numpy.dtype(dtype or backend.floatx()))
        self.name = name
        self.node = node          # the Node whose output this is (None for an Input)
        self.index = index        # which of that node's flat outputs
        self._keras_mask = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={shape_text(self.shape)}, dtype={self.dtype}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __array__(self, dtype=None, copy=None):
        # A placeholder has no value. Refusing here keeps NumPy from wrapping it in an object array,
        # through which a comparison (`x < 1` is not an op) would call itself without end.
        raise TypeError(f"A KerasTensor is a symbolic placeholder (shape {shape_text(self.shape)}, "
                        f"dtype {self.dtype}) with no value; it cannot become an array. Use it as the "
                        "input of layers and ops, or call the model on data.")


# utils.is_keras_tensor / get_source_inputs live below the engine: hand them the class.
register_keras_tensor_type(KerasTensor)


class Node:
    """One call of a layer (or op) in a functional graph: its inputs, outputs and arguments."""

    def __init__(self, operation, call_args, call_kwargs, outputs):
        self.operation = operation      # a Layer, or an _OpCall wrapping a registered op
        self.call_args = call_args      # nested structure with KerasTensors as leaves
        self.call_kwargs = call_kwargs
        self.outputs = outputs          # nested structure of KerasTensors

    @property
    def input_tensors(self):
        leaves = nest.flatten([self.call_args, self.call_kwargs])
        return [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]


def _probe_value(tensor, unknown_size=1):
    """A concrete zero array standing in for a placeholder (None dimensions become `unknown_size`)."""
    shape = tuple(unknown_size if d is None else d for d in tensor.shape)
    return backend.xp.zeros(shape, dtype=tensor.dtype)


def infer_outputs(function, args, kwargs):
    """Runs `function` on zero arrays shaped like the placeholders to learn its output shapes.

    The batch axis of each output is reported as None, like Keras' symbolic shapes.
    """
    def run(unknown_size):
        def concrete(x):
            return Tensor(_probe_value(x, unknown_size)) if isinstance(x, KerasTensor) else x

        concrete_args = nest.map_structure(concrete, args)
        concrete_kwargs = {k: nest.map_structure(concrete, v) for k, v in kwargs.items()}
        # Zero probes make divisions and logs warn about values nobody will see.
        with no_grad(), numpy.errstate(all="ignore"), scopes.SymbolicScope():
            return function(*concrete_args, **concrete_kwargs)

    result = run(1)
    placeholders = [x for x in nest.flatten([args, kwargs]) if isinstance(x, KerasTensor)]
    batch_unknown = any(x.shape and x.shape[0] is None for x in placeholders)
    # Unknown non-batch sizes (variable-length sequences): a second probe tells which output
    # dimensions follow them, and those are reported as None.
    varying = None
    if any(d is None for x in placeholders for d in x.shape[1:]):
        varying = [tuple(v.shape) for v in nest.flatten(run(2))]
    flat_result = nest.flatten(result)

    def to_symbolic(index):
        value = flat_result[index]
        value_shape = tuple(value.shape)
        if varying is not None and len(varying[index]) == len(value_shape):
            value_shape = tuple(None if a != b else a for a, b in zip(value_shape, varying[index]))
        if batch_unknown and value_shape:
            value_shape = (None,) + value_shape[1:]
        return KerasTensor(value_shape, dtype=str(value.dtype))

    return nest.pack_like(result, [to_symbolic(i) for i in range(len(flat_result))])


class _OpCall:
    """A registered op used on placeholders, kept as a graph node like a layer."""

    def __init__(self, op, params):
        self.op = op
        self.params = params
        self.name = op.name

    def __call__(self, *inputs):
        # Op.__call__ is engine/registry.py's apply, reached without importing registry (which
        # imports this module to recognise placeholders).
        return self.op(*inputs, **self.params)


def symbolic_op_call(op, inputs, params):
    """What an op does when one of its inputs is a placeholder: add a node, return placeholders."""
    operation = _OpCall(op, params)
    outputs = infer_outputs(operation, tuple(inputs), {})
    node = Node(operation, tuple(inputs), {}, outputs)
    for index, tensor in enumerate(nest.flatten(outputs)):
        tensor.node, tensor.index = node, index
    return outputs
