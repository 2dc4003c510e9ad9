"""The operators of Tensor and KerasTensor (+, -, *, /, @, **, [], <, ...) and Tensor's array methods.

Importing this module attaches them; `import neuroflow.ops` does.
"""
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.bitwise import logical_xor
from neuroflow.ops.division import floor_divide, mod
from neuroflow.ops.elementwise import (
    abs,
    add,
    cast,
    divide,
    equal,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    multiply,
    negative,
    not_equal,
    power,
    subtract,
)
from neuroflow.ops.matmul import matmul
from neuroflow.ops.shape import getitem, reshape, transpose


def _reflected(function):
    return lambda self, other: function(other, self)


# One table for both classes: `tensor + 1` runs the add op, `placeholder + 1` records the same op as
# a graph node (engine/registry.py `apply` tells them apart). The entries are the op functions
# themselves, so a Tensor operator costs one call, as before. Comparisons are not ops (no
# gradient, no graph node): on a placeholder they raise a TypeError (KerasTensor.__array__).
OPERATORS = {
    "__add__": add,
    "__radd__": _reflected(add),
    "__sub__": subtract,
    "__rsub__": _reflected(subtract),
    "__mul__": multiply,
    "__rmul__": _reflected(multiply),
    "__truediv__": divide,
    "__rtruediv__": _reflected(divide),
    "__matmul__": matmul,
    "__rmatmul__": _reflected(matmul),
    "__mod__": mod,
    "__rmod__": _reflected(mod),
    "__floordiv__": floor_divide,
    "__rfloordiv__": _reflected(floor_divide),
    "__pow__": power,
    "__rpow__": _reflected(power),
    "__neg__": negative,
    "__pos__": lambda self: self,
    "__abs__": abs,
    "__getitem__": getitem,
    "__lt__": less,
    "__le__": less_equal,
    "__gt__": greater,
    "__ge__": greater_equal,
}

for _name, _operator in OPERATORS.items():
    setattr(Tensor, _name, _operator)
    setattr(KerasTensor, _name, _operator)
del _name, _operator

# Elementwise equality and the logical operators, on concrete tensors only, as on a torch or JAX
# tensor (`y_true == y_pred` in a metric's update_state): a placeholder keeps identity equality,
# which the graph's dicts and sets rely on. __hash__ stays identity, as torch's does.


def _equal(self, other):
    # `tensor == None` is False, as torch answers, so that `[tensor] == [None]` stays a plain test.
    return False if other is None else equal(self, other)


def _not_equal(self, other):
    return True if other is None else not_equal(self, other)


for _name, _operator in {"__eq__": _equal, "__ne__": _not_equal, "__and__": logical_and,
                         "__rand__": _reflected(logical_and), "__or__": logical_or, "__ror__": _reflected(logical_or),
                         "__xor__": logical_xor, "__rxor__": _reflected(logical_xor),
                         "__invert__": logical_not}.items():
    setattr(Tensor, _name, _operator)
del _name, _operator

# Array-like methods of concrete tensors only (a placeholder's transpose would move its batch axis).
Tensor.T = property(lambda self: transpose(self))
Tensor.reshape = lambda self, *shape: reshape(self, shape[0] if len(shape) == 1 else shape)
Tensor.astype = lambda self, dtype: cast(self, dtype)
