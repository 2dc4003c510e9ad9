"""Autocasting: inside a mixed-precision layer's call, float variables are read in the compute dtype.

Keras' AutocastScope (keras/src/backend/common/variables.py): a layer whose dtype policy is
'mixed_float16' keeps float32 variables, and while its `call` runs every op that reads one of them
reads it cast to float16. Here `engine/registry.apply` asks the active scope for the cast of each
Variable input. The cast is an op (recorded on the tape and by a traced step like any other), so
the gradient reaches the float32 variable through the cast's vjp, as float32.

A scope casts each variable once (a recurrent layer reads its kernel at every time step; one cast
serves them all) and lives for one layer call. Variables made with `autocast=False` (Keras'
`add_variable` argument) and non-float variables are read as they are.
"""
from neuroflow.engine.tensor import Variable

# The scope in force (set by Layer._eager_call for the length of one call), or None.
active = None

# The engine sits below ops and cannot import the cast op: neuroflow/ops/elementwise.py installs
# its `cast(x, dtype)` here when it is imported (as initializers install their resolver in tensor.py).
_cast = None


def install_cast(cast):
    """Sets the function that casts a Variable to a dtype as a recorded op (ops.cast)."""
    global _cast
    _cast = cast


class AutocastScope:
    """Reads float Variables in `dtype` while it is active (one layer call).

    Args:
        dtype: the compute dtype, such as 'float16'.
    """

    __slots__ = ("dtype", "_casts")

    def __init__(self, dtype):
        self.dtype = dtype
        self._casts = {}

    def cast_inputs(self, inputs):
        """`inputs` with each autocast float Variable of another dtype replaced by its cast (or `inputs` itself)."""
        replaced = None
        for index, x in enumerate(inputs):
            if isinstance(x, Variable) and x.autocast and x.value.dtype.kind == "f" and x.value.dtype != self.dtype:
                if replaced is None:
                    replaced = list(inputs)
                replaced[index] = self._read(x)
        return inputs if replaced is None else replaced

    def _read(self, variable):
        global active
        entry = self._casts.get(id(variable))
        if entry is None:
            # The cast's own apply must not be autocast again.
            active = None
            try:
                entry = self._casts[id(variable)] = (variable, _cast(variable, self.dtype))
            finally:
                active = self
        return entry[1]


def enter(scope):
    """Makes `scope` (an AutocastScope, or None for none) the active one; returns the one it replaces."""
    global active
    previous = active
    active = scope
    return previous


def leave(previous):
    """Restores the scope that `enter` returned."""
    global active
    active = previous
