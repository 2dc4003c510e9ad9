"""Control flow (keras.ops.cond, switch, while_loop, fori_loop, scan, associative_scan, map, vectorized_map, vectorize).

neuroflow runs eagerly, so these are Python control flow: cond picks a branch, while_loop loops, scan and map
stack what a Python loop over the leading axis returns. Every op the branches and bodies run is recorded on
the tape as usual, so gradients flow through cond, switch, fori_loop, scan and the rest where Keras' do.

On functional-API placeholders the loops that take their tensors as arguments (switch's operands, the loop
variables, scan's carry and xs, map's inputs) become one graph node: the output shapes are inferred by running
the loop on zero probes, and the model reruns the loop on real values. `cond` and a placeholder `index` of
`switch` need a concrete predicate and say so.
"""
import builtins

import numpy

from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor, symbolic_op_call
from neuroflow.engine.tensor import Tensor, convert_to_tensor
from neuroflow.ops.shape import broadcast_to, getitem, reshape, stack
from neuroflow.utils import nest

HOST_NUMPY = "loop bounds and batch index shapes (host metadata)"  # numpy here works on host data (tests/test_backend_seam.py)


class _PythonCall:
    """A Python function standing in for a registered op in a functional-graph node (see _OpCall)."""

    def __init__(self, name, function):
        self.name = name
        self._function = function

    def __call__(self, *inputs):
        return self._function(*inputs)


def any_placeholder(structure):
    return any(isinstance(leaf, KerasTensor) for leaf in nest.flatten(structure))


def on_placeholders(name, function, inputs):
    """A graph node that runs `function(*inputs)` when the model runs; its output shapes by zero probes."""
    return symbolic_op_call(_PythonCall(name, function), tuple(inputs), {})


def _concrete_bool(value, name, argument):
    if isinstance(value, KerasTensor):
        raise ValueError(f"ops.{name} needs a concrete `{argument}` (a Tensor, array or Python value) in neuroflow, "
                         f"which runs control flow eagerly; received a functional-API placeholder {argument}={value!r}. "
                         "Compute it inside a layer's call() instead.")
    if isinstance(value, Tensor):
        value = value.value
    array = backend.to_numpy(value)  # a concrete branch choice: its one copy to the host
    if array.size != 1:
        raise ValueError(f"ops.{name} expects a scalar `{argument}`; received {argument} with shape {array.shape}")
    return array.reshape(())[()]


def cond(pred, true_fn, false_fn):
    """true_fn() when `pred` is true, else false_fn(); only the branch taken runs (and records)."""
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError(f"ops.cond expects callables true_fn and false_fn; received true_fn={true_fn!r}, "
                        f"false_fn={false_fn!r}")
    return true_fn() if bool(_concrete_bool(pred, "cond", "pred")) else false_fn()


def switch(index, branches, *operands):
    """branches[index](*operands), with `index` clamped to [0, len(branches) - 1] as Keras does."""
    if not branches:
        raise ValueError("ops.switch expects at least one branch; received branches=[]")
    if any_placeholder(operands) and not isinstance(index, KerasTensor):
        return on_placeholders("switch", lambda *values: switch(index, branches, *values), operands)
    position = int(_concrete_bool(index, "switch", "index"))
    position = builtins.min(builtins.max(position, 0), len(branches) - 1)
    return branches[position](*operands)


def _call_with(function, state, positional):
    return function(*state) if positional else function(state)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Runs body while cond holds; tuple / list loop_vars are passed positionally. Returns the final loop_vars."""
    if any_placeholder(loop_vars):
        return on_placeholders(
            "while_loop", lambda *state: while_loop(cond, body, state if len(state) > 1 else state[0],
                                                    maximum_iterations),
            loop_vars if isinstance(loop_vars, (tuple, list)) else (loop_vars,))
    if maximum_iterations is not None and (not isinstance(maximum_iterations, int) or maximum_iterations < 0):
        raise ValueError(f"ops.while_loop expects maximum_iterations to be None or a non-negative integer; "
                         f"received maximum_iterations={maximum_iterations!r}")
    positional = isinstance(loop_vars, (tuple, list))
    state = loop_vars
    iterations = 0
    while (maximum_iterations is None or iterations < maximum_iterations) and \
            bool(_concrete_bool(_call_with(cond, state, positional), "while_loop", "cond's result")):
        new_state = _call_with(body, state, positional)
        if positional and not isinstance(new_state, (tuple, list)):
            new_state = (new_state,)
        if len(nest.flatten(new_state)) != len(nest.flatten(state)):
            raise ValueError(f"ops.while_loop's body must return a structure like loop_vars "
                             f"({len(nest.flatten(state))} tensors); it returned {len(nest.flatten(new_state))}")
        state = type(loop_vars)(new_state) if positional else new_state
        iterations += 1
    return state


def fori_loop(lower, upper, body_fun, init_val):
    """val = body_fun(i, val) for i in range(lower, upper); returns the final val."""
    if any_placeholder(init_val):
        return on_placeholders("fori_loop", lambda *state: fori_loop(
            lower, upper, body_fun, nest.pack_like(init_val, state)), nest.flatten(init_val))
    start = int(_concrete_bool(lower, "fori_loop", "lower"))
    stop = int(_concrete_bool(upper, "fori_loop", "upper"))
    value = init_val
    for i in range(start, stop):
        value = body_fun(i, value)
    return value


def _leading_size(structure, name, argument):
    sizes = {tuple(convert_to_tensor(leaf).shape)[:1] if not hasattr(leaf, "shape") else tuple(leaf.shape)[:1]
             for leaf in nest.flatten(structure)}
    if () in sizes or len(sizes) != 1:
        raise ValueError(f"ops.{name} expects every tensor of `{argument}` to have the same leading axis size; "
                         f"received leading sizes {sorted(sizes)}")
    return sizes.pop()[0]


def _stack_results(results):
    """A list of same-structured results stacked leaf by leaf along a new axis 0 (None stays None)."""
    first = results[0]
    leaves = [nest.flatten(result) for result in results]
    stacked = [None if column[0] is None else stack(list(column)) for column in zip(*leaves)]
    return nest.pack_like(first, stacked)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """carry, y = f(carry, x) over the leading axis of xs (or `length` times with x=None); returns (carry, ys).

    ys stacks each step's y along a new axis 0, in the order of xs even when `reverse` walks it backwards.
    """
    if any_placeholder([init, xs]):
        flat_init, flat_xs = nest.flatten(init), nest.flatten(xs) if xs is not None else []
        return on_placeholders("scan", lambda *values: scan(
            f, nest.pack_like(init, values[:len(flat_init)]),
            None if xs is None else nest.pack_like(xs, values[len(flat_init):]), length, reverse, unroll),
            flat_init + flat_xs)
    if xs is None and length is None:
        raise ValueError("ops.scan expects `xs` or `length`; received xs=None and length=None")
    steps = _leading_size(xs, "scan", "xs") if xs is not None else int(length)
    if length is not None and int(length) != steps:
        raise ValueError(f"ops.scan expects `length` to match the leading size of xs ({steps}); received length={length}")
    carry, ys = init, [None] * steps
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for i in order:
        x = None if xs is None else nest.map_structure(lambda leaf, i=i: getitem(leaf, i), xs)
        carry, ys[i] = f(carry, x)
    if steps == 0 or nest.flatten(ys[0]) == [None]:
        return carry, None
    return carry, _stack_results(ys)


def associative_scan(f, elems, reverse=False, axis=0):
    """The running combination out[i] = f(out[i-1], elems[i]) along `axis` for an associative f (a cumulative sum,
    product, max ... of any structure); `reverse` runs from the end."""
    if any_placeholder(elems):
        return on_placeholders("associative_scan", lambda *values: associative_scan(
            f, nest.pack_like(elems, values), reverse, axis), nest.flatten(elems))
    leaves = [convert_to_tensor(leaf) if not isinstance(leaf, Tensor) else leaf for leaf in nest.flatten(elems)]
    sizes = {leaf.shape[axis] for leaf in leaves}
    if len(sizes) != 1:
        raise ValueError(f"ops.associative_scan expects every tensor of `elems` to have the same size along "
                         f"axis {axis}; received sizes {sorted(sizes)}")
    size = sizes.pop()

    def element(i):
        return nest.pack_like(elems, [getitem(leaf, (builtins.slice(None),) * (axis % len(leaf.shape)) + (i,))
                                      for leaf in leaves])

    order = list(range(size - 1, -1, -1)) if reverse else list(range(size))
    outputs = [None] * size
    running = None
    for i in order:
        running = element(i) if running is None else (f(element(i), running) if reverse else f(running, element(i)))
        outputs[i] = running
    stacked = [stack(list(column), axis=axis) for column in zip(*(nest.flatten(o) for o in outputs))]
    return nest.pack_like(elems, stacked)


def map(f, xs):
    """f applied to each slice of xs along its leading axis, the results stacked (xs may be nested)."""
    if any_placeholder(xs):
        return on_placeholders("map", lambda *values: map(f, nest.pack_like(xs, values)), nest.flatten(xs))
    steps = _leading_size(xs, "map", "xs")
    if steps == 0:
        raise ValueError("ops.map expects a non-empty leading axis; received xs with leading size 0")
    return _stack_results([f(nest.map_structure(lambda leaf, i=i: getitem(leaf, i), xs)) for i in range(steps)])


def vectorized_map(function, elements):
    """function mapped over the leading axis of `elements` (a tensor or a nested structure), results stacked."""
    return map(function, elements)


def _core_ranks(signature):
    """The number of core dimensions of each input of a NumPy-style gufunc signature such as '(n),(n)->()'."""
    inputs = signature.replace(" ", "").split("->")[0]
    groups = inputs[1:-1].split("),(") if inputs else []
    return [0 if group == "" else len(group.split(",")) for group in groups]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """numpy.vectorize over Tensors: pyfunc runs on each element (or core block, given a gufunc `signature`)
    of the broadcast inputs, recorded op by op, and the results are stacked into the broadcast shape."""
    excluded = set(excluded or ())

    def wrapped(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        tensors = [args[i] if isinstance(args[i], Tensor) else convert_to_tensor(args[i]) for i in mapped]
        ranks = _core_ranks(signature) if signature else [0] * len(tensors)
        if len(ranks) != len(tensors):
            raise ValueError(f"vectorize's signature {signature!r} names {len(ranks)} inputs; received {len(tensors)}")
        loops = [t.shape[:len(t.shape) - r] for t, r in zip(tensors, ranks)]
        batch = numpy.broadcast_shapes(*loops) if loops else ()
        from_ops = [_broadcast_loop(t, batch, r) for t, r in zip(tensors, ranks)]
        results = []
        for index in numpy.ndindex(*batch) if batch else [()]:
            call_args = list(args)
            for position, t in zip(mapped, from_ops):
                call_args[position] = getitem(t, index) if index else t
            result = pyfunc(*call_args, **kwargs)
            results.append(result if isinstance(result, Tensor) or isinstance(result, (tuple, list))
                           else convert_to_tensor(result))
        if not batch:
            return results[0]
        stacked = _stack_results(results)
        return nest.map_structure(lambda leaf: reshape(leaf, tuple(batch) + tuple(leaf.shape[1:])), stacked)

    return wrapped


def _broadcast_loop(tensor, batch, core_rank):
    """`tensor` broadcast to the loop shape `batch` in front of its core dimensions."""
    core = tuple(tensor.shape[len(tensor.shape) - core_rank:]) if core_rank else ()
    target = tuple(batch) + core
    return tensor if tuple(tensor.shape) == target else broadcast_to(tensor, target)

