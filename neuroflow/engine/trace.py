"""Traced steps: record the ops one training step runs, then replay them without the Python around them.

Keras does not run `fit`'s train step op by op in Python: it traces it once into a graph
(tf.function, jax.jit) unless `compile(run_eagerly=True)`. neuroflow does the same on its own
engine. A step is run eagerly under a `Tracer`, which writes down every op application: which op,
its parameters, and where each input came from (an earlier op's output, a Variable, a leaf of the
batch, or a constant). The replay (`Program.run`) calls the ops' forwards in that order and then
their vjps in reverse; layer calls, input checks, loss wrappers and tape bookkeeping, which cost
more than the arithmetic on small batches, are skipped.

What a trace cannot see, it refuses, and the step stays eager (always correct, only slower):
    - an array computed outside any op from the batch (data-dependent, so not a constant): caught
      because it has the batch's leading size, or because it differs between two traces;
    - a Variable assigned during the forward pass (BatchNormalization's moving statistics);
    - outputs that are not op results, or that carry a mask.
A program is kept only when two steps with the same input shapes trace identically, so ops,
parameters and constants are known not to change from batch to batch. Python control flow in
`call` is frozen at trace time, exactly as under tf.function. Randomness lives inside ops
(dropout's op draws its mask in its forward), so a replay draws the same numbers an eager step
would: replayed and eager training give bit-identical weights.
"""
import contextlib

from neuroflow import backend
from neuroflow.engine import replay_source
from neuroflow.engine import tape as tape_module
from neuroflow.engine import tensor as tensor_module
from neuroflow.engine.replay_source import CONSTANT, LEAF, SLOT, VARIABLE
from neuroflow.engine.tensor import Tensor, Variable

# Where an op input comes from: SLOT, VARIABLE, LEAF, CONSTANT (imported above).

# The tracer recording right now (engine/registry.apply reports every op to it), or None.
active = None


@contextlib.contextmanager
def tracing(tracer):
    """Reports every op applied (and every Variable assigned) inside the block to `tracer`."""
    global active
    previous = active
    active = tracer
    tensor_module._on_assign = tracer.variable_assigned
    try:
        yield tracer
    finally:
        active = previous
        tensor_module._on_assign = previous.variable_assigned if previous is not None else None


class TraceRefused(Exception):
    """Raised internally when a step cannot be replayed; the step then stays eager."""


class Tracer:
    """Writes down the ops of one eager step.

    Args:
        leaves: the batch's arrays (x, y, sample_weight flattened), replaced at replay.
        batch_size: their leading size; a constant of that size is taken for batch data.
    """

    def __init__(self, leaves, batch_size):
        self.leaf_index = {}
        for index, leaf in enumerate(leaves):
            self.leaf_index.setdefault(id(leaf), index)
            if isinstance(leaf, Tensor):
                self.leaf_index.setdefault(id(leaf.value), index)
        self.batch_size = batch_size
        self.instructions = []    # (op, sources, params)
        self.needs = []           # per instruction: the tape's `needs` tuple, or None (not differentiated)
        self.input_shapes = []    # per instruction: (shape, dtype) of each input, for the gradients
        self.tensor_slot = {}     # id(Tensor) of an op result -> its instruction index
        self.array_slot = {}      # id(array) of an op result -> its instruction index
        self._alive = []          # keeps traced objects alive so their ids stay unique
        self.refusal = None

    def release(self):
        """Drops the traced step's tensors (kept only while recording, so that ids stay unique)."""
        self._alive = []
        self.tensor_slot = {}
        self.array_slot = {}
        self.leaf_index = {}

    def variable_assigned(self, variable):
        self.refuse(f"Variable '{variable.name}' is assigned during the forward pass")

    def refuse(self, reason):
        if self.refusal is None:
            self.refusal = reason

    def record(self, op, inputs, params, result):
        sources, needs, shapes = [], [], []
        wanted = False
        for x in inputs:
            kind, ref, tracked = self._source(x, op)
            sources.append((kind, ref))
            if kind == SLOT:
                # A re-wrapped op result (Tensor(t.value)) is not watched by the tape: no gradient.
                need = tracked and self.needs[ref] is not None
            elif kind == VARIABLE:
                need = ref.trainable
            else:
                need = False
            needs.append(need)
            wanted = wanted or need
            value = x.value if isinstance(x, Tensor) else x
            shapes.append((getattr(value, "shape", None), getattr(value, "dtype", None)))
        # Ops run under no_grad / stop_recording are not on the tape: none of their inputs gets a gradient.
        recording = any(tape._recording for tape in tape_module._active_tapes)
        index = len(self.instructions)
        self.instructions.append((op, tuple(sources), params))
        self.needs.append(tuple(needs) if wanted and recording and op._vjp is not None else None)
        self.input_shapes.append(tuple(shapes))
        self.tensor_slot[id(result)] = index
        self.array_slot.setdefault(id(result.value), index)
        self._alive.append((inputs, result))

    def _source(self, x, op):
        """(kind, reference, whether it is the op result's own Tensor) for one op input."""
        key = id(x)
        if key in self.tensor_slot:
            return SLOT, self.tensor_slot[key], True
        if isinstance(x, Variable):
            return VARIABLE, x, False
        value = x.value if isinstance(x, Tensor) else x
        if key in self.leaf_index:
            return LEAF, self.leaf_index[key], False
        if id(value) in self.leaf_index:
            return LEAF, self.leaf_index[id(value)], False
        if id(value) in self.array_slot:
            return SLOT, self.array_slot[id(value)], False
        shape = getattr(value, "shape", ())
        if shape and shape[0] == self.batch_size:
            self.refuse(f"op '{op.name}' reads an array of the batch's size made outside any op")
        return CONSTANT, value, False

    def slot(self, tensor, what):
        """The instruction that produced `tensor` (an output of the step)."""
        index = self.tensor_slot.get(id(tensor))
        if index is None:
            raise TraceRefused(f"{what} is not the result of an op")
        return index


def _same(a, b):
    """Whether two traced parameters or constants are the same (arrays by value)."""
    if a is b:
        return True
    xp = backend.xp
    if isinstance(a, xp.ndarray) or isinstance(b, xp.ndarray):
        return (isinstance(a, xp.ndarray) and isinstance(b, xp.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(xp.array_equal(a, b)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - objects without a plain equality are simply not the same
        return False


def same_trace(first, second):
    """Whether two tracers recorded the same program (ops, parameters, sources, constants)."""
    if len(first.instructions) != len(second.instructions) or first.needs != second.needs:
        return False
    for (op_a, sources_a, params_a), (op_b, sources_b, params_b) in zip(first.instructions, second.instructions):
        if op_a is not op_b or len(sources_a) != len(sources_b) or not _same(params_a, params_b):
            return False
        for (kind_a, ref_a), (kind_b, ref_b) in zip(sources_a, sources_b):
            if kind_a != kind_b or not (ref_a is ref_b if kind_a == VARIABLE else _same(ref_a, ref_b)):
                return False
    return True


class Program:
    """A traced step, ready to replay: forward ops in order, then their vjps in reverse.

    Args:
        tracer: the tracer of an eager step.
        loss: the step's scalar loss tensor (the gradients' target).
        outputs: further result tensors to hand back (predictions, per-output losses).
        variables: the variables to differentiate, in the order gradients are returned.
    """

    def __init__(self, tracer, loss, outputs, variables):
        self.instructions = [(op._forward, sources, params) for op, sources, params in tracer.instructions]
        self.backward = []
        variable_index = {id(v): i for i, v in enumerate(variables)}
        for index, (op, sources, _) in enumerate(tracer.instructions):
            needs = tracer.needs[index]
            if needs is None:
                continue
            targets = []
            for (kind, ref), need, (shape, dtype) in zip(sources, needs, tracer.input_shapes[index]):
                if not need:
                    targets.append(None)
                elif kind == SLOT:
                    targets.append((False, ref, shape, dtype))
                elif id(ref) in variable_index:
                    targets.append((True, variable_index[id(ref)], shape, dtype))
                else:
                    targets.append(None)  # a trainable Variable the caller did not ask about
            self.backward.append((index, op._vjp, needs, targets))
        self.backward.reverse()
        self.loss_slot = tracer.slot(loss, "the loss")
        self.output_slots = [None if t is None else tracer.slot(t, "an output") for t in outputs]
        self.variable_count = len(variables)
        self._run = None   # the written-out replay, made on the first run
        self.source = None

    def run(self, leaves):
        """Forward and backward on new batch leaves: (loss array, output arrays, variable gradients).

        The ops' forwards run in the traced order, then the vjps of the differentiated ones in
        reverse, accumulating gradients in the same order as engine/graph.backpropagate (so the
        results are bit-identical to the eager step's). The loop is written out once as a
        straight-line function (engine/replay_source.py; its text is `self.source`).
        """
        if self._run is None:
            self._run, self.source = replay_source.compile_run(self.instructions, self.backward, self.loss_slot,
                                                               self.output_slots, self.variable_count)
        return self._run(leaves)
