"""fit's train step, traced once per input signature and replayed (Keras' compiled train function).

Keras runs `fit` through a compiled function unless `compile(run_eagerly=True)`; this is
neuroflow's equivalent (engine/trace.py explains the tracing). For each signature (the shapes
and dtypes of the batch's arrays):
    1st step: eager, traced;
    2nd step: eager, traced again; the program is kept if both traces agree, else the signature
              stays eager for the rest of fit;
    later steps: replayed.
A refused trace costs nothing but the speed-up; `refusals` says why, for the curious.

The first fit after a compile makes one, and every fit until the next compile reuses it (Keras
keeps its train function the same way): its programs replay the variables and layers they were traced on, so `fix` forgets
them all when a fit starts with a different variable list (a `trainable` flag toggled, a layer
added) or a different layer tree.
"""
from neuroflow.engine.graph import hand_out
from neuroflow.engine.tensor import Tensor
from neuroflow.engine.trace import Program, Tracer, TraceRefused, same_trace, tracing
from neuroflow.utils import nest

_EAGER = "eager"
_STRUCTURES = (list, tuple, dict)  # what nest.flatten walks into
# Data whose shapes change at every batch (sequences padded per batch, say) would be traced
# forever; past this many shapes, new ones simply run eagerly.
MAX_SIGNATURES = 16


class TracedTrainStep:
    """Forward, loss and gradients of a model's train step, replayed where a trace allows.

    Args:
        model: the model being fit (its `_step_variables` are the variables differentiated).
    """

    def __init__(self, model):
        self.model = model
        self.states = {}     # signature -> _Replay, (Tracer, _Replay) awaiting a second trace, or _EAGER
        self.refusals = {}   # signature -> why it stays eager
        self.variables = None  # the variable list the states were traced with (fit sets it)
        self.layers = None     # and the model's layers then

    def fix(self, variables, layers):
        """The variable list a fit differentiates: the one traced before if nothing changed since.

        Args:
            variables: the model's trainable variables as the fit starts.
            layers: every layer inside the model, as the fit starts.

        Returns:
            `variables`, or the equal list of the previous fit, whose identity the signatures hold.
        """
        if not (_same(variables, self.variables) and _same(layers, self.layers)):
            self.states, self.refusals = {}, {}
            self.variables = variables
        self.layers = layers
        return self.variables

    def __call__(self, x, y, sample_weight):
        """(loss Tensor, predictions, gradients, variables) for one batch, as Model._forward_backward
        without its scaled loss."""
        if sample_weight is None and not isinstance(x, _STRUCTURES) and not isinstance(y, _STRUCTURES):
            leaves = [x] if y is None else [x, y]  # the usual single-input batch: no structure to walk
        else:
            leaves = [leaf for leaf in nest.flatten((x, y, sample_weight)) if leaf is not None]
        # The variable list is part of the signature: fit fixes it, once the model is built.
        variables = self.model.__dict__.get("_step_variables")
        # So is a constant loss scale, which the trace bakes in.
        signature = (id(variables), getattr(self.model.optimizer, "loss_scale_factor", None), *[
            (getattr(leaf, "shape", None), getattr(leaf, "dtype", None), type(leaf)) for leaf in leaves])
        state = self.states.get(signature)
        if isinstance(state, _Replay):
            return state.run(self.model, leaves)
        if state is _EAGER or (state is None and len(self.states) >= MAX_SIGNATURES):
            loss, _, y_pred, gradients, variables = self.model._forward_backward(x, y, sample_weight)
            return loss, y_pred, gradients, variables
        return self._trace(signature, state, leaves, x, y, sample_weight)

    def _trace(self, signature, pending, leaves, x, y, sample_weight):
        shape = getattr(leaves[0], "shape", None) if leaves else None
        tracer = Tracer(leaves, shape[0] if shape else None)
        with tracing(tracer):
            loss, scaled_loss, y_pred, gradients, variables = self.model._forward_backward(x, y, sample_weight)
        replay = None
        if tracer.refusal is None and variables is not self.model.__dict__.get("_step_variables"):
            tracer.refuse("the model built its variables during the step")
        if tracer.refusal is None:
            try:
                # The per-output losses only feed the per-output loss trackers (models of several outputs).
                output_losses = getattr(self.model, "_last_output_losses", None) \
                    if getattr(self.model, "_output_loss_trackers", None) else None
                replay = _Replay(tracer, loss, scaled_loss, y_pred, output_losses, variables)
            except TraceRefused as refusal:
                tracer.refuse(str(refusal))
        tracer.release()
        if replay is None:
            self._stay_eager(signature, tracer.refusal)
        elif pending is None:
            self.states[signature] = (tracer, replay)
        elif same_trace(pending[0], tracer):
            self.states[signature] = replay
        else:
            self._stay_eager(signature, "two batches of the same shapes traced different programs")
        return loss, y_pred, gradients, variables

    def _stay_eager(self, signature, reason):
        self.states[signature] = _EAGER
        self.refusals[signature] = reason


def _same(items, others):
    return others is not None and len(items) == len(others) and all(a is b for a, b in zip(items, others))


class _Replay:
    """A Program plus what it takes to hand its arrays back as the eager step's tensors."""

    def __init__(self, tracer, loss, scaled_loss, y_pred, output_losses, variables):
        # The gradients' target is the scaled loss; the loss itself is handed back first. A
        # LossScaleOptimizer's scale is a Variable, read afresh at each replay; a constant
        # `loss_scale_factor` is traced as a constant (Keras' compiled step bakes it in too).
        outputs = [loss]
        self.predictions = []  # per prediction: (its index in outputs, remembered-logits kind, logits index)
        for leaf in nest.flatten(y_pred):
            if not isinstance(leaf, Tensor):
                raise TraceRefused("a prediction is not a tensor")
            if leaf._keras_mask is not None:
                raise TraceRefused("a prediction carries a mask")
            outputs.append(leaf)
            remembered = leaf._softmax_logits
            # The logits a softmax / sigmoid output remembers: losses and metrics may use them.
            if remembered is not None and isinstance(remembered[1], Tensor) and id(remembered[1]) in tracer.tensor_slot:
                self.predictions.append((len(outputs) - 1, remembered[0], len(outputs)))
                outputs.append(remembered[1])
            else:
                self.predictions.append((len(outputs) - 1, None, None))
        self.output_losses_start = len(outputs)
        self.has_output_losses = output_losses is not None
        outputs += list(output_losses or [])
        self.program = Program(tracer, scaled_loss, outputs, variables)
        self.single = isinstance(y_pred, Tensor)
        self.structure = y_pred
        self.variables = variables

    def run(self, model, leaves):
        arrays = [leaf.value if isinstance(leaf, Tensor) else leaf for leaf in leaves]
        _, outputs, variable_gradients = self.program.run(arrays)
        loss = outputs[0]
        predictions = []
        for index, kind, logits_index in self.predictions:
            prediction = Tensor(outputs[index])
            if kind is not None:
                prediction._softmax_logits = (kind, Tensor(outputs[logits_index]))
            predictions.append(prediction)
        y_pred = predictions[0] if self.single else nest.pack_like(self.structure, predictions)
        if self.has_output_losses:
            # object.__setattr__: a list of loss tensors holds no layers or weights to track.
            object.__setattr__(model, "_last_output_losses", [None if value is None else Tensor(value)
                                                              for value in outputs[self.output_losses_start:]])
        # Independent, writable arrays, as GradientTape.gradient hands out (the optimizer takes
        # arrays as well as Tensors, so they are not wrapped).
        handed_out = set()
        gradients = [None if gradient is None else hand_out(gradient, handed_out) for gradient in variable_gradients]
        return Tensor(loss), y_pred, gradients, self.variables
