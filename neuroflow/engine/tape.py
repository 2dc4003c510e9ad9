"""GradientTape: records ops while gradients are needed and replays them backwards.

    with neuroflow.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)

A tape records an op only when one of its inputs is watched: a trainable Variable (watched
automatically, as in Keras), a tensor given to `tape.watch`, or the output of a recorded op.
Outside any tape nothing is recorded, so inference pays no bookkeeping.

Second derivatives are not supported: a vjp works on raw arrays, so an outer tape cannot see the
inner tape's backward pass. Differentiating a gradient raises a NotImplementedError that says so
(rather than silently returning None or a wrong zero).
"""
import contextlib

from neuroflow import backend
from neuroflow.engine.graph import backpropagate, hand_out
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.utils import nest

# The tapes currently open, innermost last. Ops look at this on every call.
_active_tapes = []


class _TapeGradient:
    """Stands, on an outer tape, for a gradient an inner tape computed from watched tensors."""

    name = "gradient"

    @staticmethod
    def _vjp(residuals, g, needs):
        raise NotImplementedError(
            "Second-order gradients are not supported: an outer GradientTape was asked to "
            "differentiate a gradient computed by an inner tape. neuroflow's backward passes run on "
            "raw arrays and are not recorded, so gradient penalties and Hessian-vector products need "
            "finite differences of first-order gradients instead.")


class GradientTape:
    """Records operations for automatic differentiation (tf.GradientTape's API).

    Args:
        persistent: allow several `gradient` calls; otherwise the records are freed after one.
        watch_accessed_variables: watch every trainable Variable an op reads.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._records = []
        self._watched = {}
        self._recording = False
        self._used = False
        self._accessed_variables = {}  # trainable Variables read by recorded ops, by id, in order

    def __enter__(self):
        self._recording = True
        _active_tapes.append(self)
        return self

    def __exit__(self, *exc_info):
        self._recording = False
        if self in _active_tapes:
            _active_tapes.remove(self)
        return False

    def watch(self, tensor):
        """Ensures gradients flow to `tensor` (or every tensor in a nested structure)."""
        for leaf in nest.flatten(tensor):
            if not isinstance(leaf, Tensor):
                raise TypeError(f"GradientTape.watch expects tensors; got {type(leaf).__name__}. "
                                "Convert arrays with neuroflow.ops.convert_to_tensor first.")
            self._watched[id(leaf)] = leaf

    def watched_variables(self):
        """Variables watched explicitly, then trainable ones read by recorded ops (if auto-watching)."""
        seen = {id(v): v for v in self._watched.values() if isinstance(v, Variable)}
        for key, variable in self._accessed_variables.items():
            seen.setdefault(key, variable)
        return list(seen.values())

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded."""
        previous, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = previous

    def reset(self):
        """Forgets everything recorded so far."""
        self._records = []
        self._watched = {}
        self._accessed_variables = {}

    def _is_watched(self, x):
        if not isinstance(x, Tensor):
            return False
        if id(x) in self._watched:
            return True
        # isinstance, not a class check: subclasses of Variable are watched too.
        return isinstance(x, Variable) and x.trainable and self.watch_accessed_variables

    def _needs(self, inputs):
        """Which inputs of an op want gradients (a tuple of bools), or None when none does."""
        watched = self._watched
        needs = []
        wanted = False
        for x in inputs:
            if id(x) in watched:
                need = True
            elif isinstance(x, Variable):
                need = x.trainable and self.watch_accessed_variables
                if need:
                    self._accessed_variables[id(x)] = x
            else:
                need = False
            needs.append(need)
            wanted = wanted or need
        return tuple(needs) if wanted else None

    def _record(self, op, inputs, output, residuals, needs):
        self._records.append((op, inputs, output, residuals, needs))
        self._watched[id(output)] = output

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of `target` with respect to `sources`.

        Args:
            target: a tensor, or a nested structure of tensors whose gradients add up. A
                non-scalar target is treated as the sum of its elements, as TensorFlow does.
            sources: a tensor or Variable, or a nested list / tuple / dict of them.
            output_gradients: upstream gradients for `target`, same structure (default ones).
            unconnected_gradients: 'none' (None for unreached sources) or 'zero'.

        Returns:
            Gradients in the structure of `sources`.
        """
        if self._used and not self.persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients; create it with GradientTape(persistent=True) to call gradient() again.")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        targets = [target] if isinstance(target, Tensor) else nest.flatten(target)
        seeds = nest.flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        if len(seeds) != len(targets):
            raise ValueError(f"output_gradients has {len(seeds)} entries but target has {len(targets)}")
        start = {}
        for t, seed in zip(targets, seeds):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.gradient target must be a tensor, got {type(t).__name__}")
            value = backend.xp.ones_like(t.value) if seed is None else backend.xp.asarray(
                seed.value if isinstance(seed, Tensor) else seed, dtype=t.value.dtype)
            if value.shape != t.value.shape:
                raise ValueError(f"output_gradients entry has shape {tuple(value.shape)} but its target has "
                                 f"shape {tuple(t.value.shape)}; they must match")
            start[id(t)] = start[id(t)] + value if id(t) in start else value
        flat_sources = sources if type(sources) is list and all(isinstance(s, Tensor) for s in sources) \
            else nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(f"GradientTape.gradient sources must be tensors or Variables, got {type(s).__name__}")
        keep = {id(s) for s in flat_sources}
        gradients = backpropagate(self._records, start, keep)
        self._used = True
        if not self.persistent:
            # Free the residuals; keep what watched_variables() reports.
            self._records = []
            self._watched = {key: value for key, value in self._watched.items() if isinstance(value, Variable)}
        results = []
        returned = set()
        for s in flat_sources:
            g = gradients.get(id(s))
            if g is None and unconnected_gradients == "zero":
                g = backend.xp.zeros_like(s.value)
            if g is not None:
                g = hand_out(g, returned)
            results.append(None if g is None else Tensor(g))
        self._guard_higher_order(targets, flat_sources, results)
        if flat_sources is sources:
            # The usual flat list of variables. (pack_like's recursive closure is a reference
            # cycle that would keep these gradient arrays alive until the next garbage collection.)
            return results
        return nest.pack_like(sources, results)

    def _guard_higher_order(self, targets, sources, results):
        """Marks `results` on every other recording tape that watches what they came from.

        Differentiating them there then raises a clear error (see _TapeGradient) instead of
        treating the gradients as constants.
        """
        for tape in _active_tapes:
            if tape is self or not tape._recording:
                continue
            inputs = tuple(x for x in list(targets) + list(sources) if tape._is_watched(x))
            if not inputs:
                continue
            needs = (True,) * len(inputs)
            for result in results:
                if result is not None:
                    tape._record(_TapeGradient, inputs, result, None, needs)


@contextlib.contextmanager
def no_grad():
    """Runs the block with every open tape paused."""
    paused = [(tape, tape._recording) for tape in _active_tapes]
    for tape, _ in paused:
        tape._recording = False
    try:
        yield
    finally:
        for tape, previous in paused:
            tape._recording = previous


stop_gradient_recording = no_grad
