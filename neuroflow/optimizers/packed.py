"""Many small variables updated as one flat array, for algorithms whose update only adds to the weights."""
import operator

from neuroflow import backend
from neuroflow.engine.tensor import Variable


def packed_variables(optimizer, variables):
    """The flat packing of `variables` for `optimizer`, when it pays; None otherwise (cached).

    A small model's step is dominated by per-call overhead: Adam makes a dozen NumPy calls per
    variable whatever its size. Packed, it makes a dozen in all, plus one copy of the
    gradients. That copy costs a pass over the parameters, so packing pays only while the
    parameters are few per variable (the threshold below: ~1 us of call overhead saved per
    variable against ~1 ns per element copied).
    """
    count = len(variables)
    if count < 2:
        return None
    cached = optimizer.__dict__.get("_packed_cache")
    # The same variables as last step (every step of a fit): compared by identity, in C.
    if cached is not None and len(cached[0]) == count and all(map(operator.is_, cached[0], variables)):
        return cached[1]
    key = tuple(variables)
    dtype = variables[0].value.dtype
    total = sum(v.value.size for v in variables)
    if total > 2048 * (count - 1) or any(v.value.dtype != dtype for v in variables):
        optimizer._packed_cache = (key, None)
        return None
    packed = _PackedVariables(optimizer, variables)
    optimizer._packed_cache = (key, packed)
    return packed


class _PackedVariables:
    """Several variables updated as one flat array by an additive `update_step`.

    The variables' values and the optimizer's slots for them move into one flat array each; every
    Variable (and slot Variable) keeps a view of its segment as its value, so layers, saving,
    loading and `variables` all see the same numbers. `update` packs the gradients into one flat
    array and runs the algorithm once, on a Variable standing for the whole parameter array.

    Should something give a variable a new value array (another optimizer packing it too), that
    variable is copied back into its segment before the next update.
    """

    def __init__(self, optimizer, variables):
        xp = backend.xp
        self.variables = list(variables)
        dtype = variables[0].value.dtype
        self.bounds, offset = [], 0
        for variable in variables:
            self.bounds.append((offset, offset + variable.value.size, variable.value.shape))
            offset += variable.value.size
        self.gradient = xp.empty(offset, dtype=dtype)
        self.parameters = Variable(xp.zeros(offset, dtype=dtype), dtype=dtype, trainable=False, name="packed_parameters")
        self.views = [None] * len(variables)
        for index in range(len(variables)):
            self._repoint(index)
        flat_slots = {}
        for name in optimizer._slots[id(variables[0])]:
            flat = xp.concatenate([optimizer._slots[id(v)][name].value.reshape(-1) for v in variables])
            for variable, (start, stop, shape) in zip(variables, self.bounds):
                optimizer._slots[id(variable)][name].value = flat[start:stop].reshape(shape)
            flat_slots[name] = Variable(flat, dtype=dtype, trainable=False, name=f"packed_{name}")
            flat_slots[name].value = flat  # the very array the per-variable views share (no copy)
        optimizer._slots[id(self.parameters)] = flat_slots

    def _repoint(self, index):
        """Copies variable `index` into its segment and makes the segment its value."""
        start, stop, shape = self.bounds[index]
        view = self.parameters.value[start:stop].reshape(shape)
        view[...] = self.variables[index].value
        self.variables[index].value = self.views[index] = view

    def update(self, optimizer, grads, learning_rate):
        for index, variable in enumerate(self.variables):
            if variable.value is not self.views[index]:
                self._repoint(index)
        backend.xp.concatenate(grads, axis=None, out=self.gradient)  # axis=None: each flattened, in order
        optimizer.update_step(self.gradient, self.parameters, learning_rate)
