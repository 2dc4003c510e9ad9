"""RNN: runs any recurrent cell over the time axis; StackedRNNCells: several cells as one.

Where SimpleRNN / LSTM / GRU run one fused op over the whole sequence, `RNN(cell)` is a Python
loop over time that calls the cell (a Layer with `state_size` and `call(inputs, states)`) once per
step; every step's ops are recorded, so gradients flow through the tape (BPTT by the engine).

Masks: at a masked step the states keep their previous values and the output repeats the
previous output (zeros before the first unmasked step), or is zero with zero_output_for_mask,
as Keras' backend `rnn` does. States and outputs may have any rank (ConvLSTM's are images), and
a mask longer than (batch, time) masks positions of the steps (see `_step_keep`).

stateful=True keeps the final states of each call in non-trainable Variables (not saved, as in
Keras) and starts the next call from them; `reset_state()` sets them back to zeros.
"""
import contextlib

from neuroflow import backend, ops
from neuroflow.engine.tape import no_grad
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.utils import nest
from neuroflow.utils.serialization import deserialize_layer, serialize_layer


def _is_nested(value):
    return isinstance(value, (list, tuple))


def _cell_output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if _is_nested(state_size) else state_size


def _zero_states(cell, batch, dtype):
    """The cell's initial states: its get_initial_state if it has one, else zeros per state_size."""
    maker = getattr(cell, "get_initial_state", None)
    if maker is not None:
        states = maker(batch_size=batch)
        return list(states) if _is_nested(states) else [states]

    def zeros(size):
        if _is_nested(size):
            return [zeros(s) for s in size]
        return Tensor(backend.xp.zeros((batch, size), dtype=dtype))

    sizes = cell.state_size
    return [zeros(size) for size in (sizes if _is_nested(sizes) else [sizes])]


def _as_layer(entry, custom_objects):
    """A cell from its serialized form; a cell the Keras-file reader has already made stays itself."""
    return deserialize_layer(entry, custom_objects) if isinstance(entry, dict) else entry


def _check_cell(cell, owner):
    if not hasattr(cell, "call") or not callable(cell.call):
        raise ValueError(f"{owner} expects cells with a `call(inputs, states)` method; got {cell!r}")
    state_size = getattr(cell, "state_size", None)
    if state_size is None:
        raise ValueError(f"{owner} expects cells with a `state_size` attribute (an int, or a list of ints, one per "
                         f"state); got {cell!r} without one")


class StackedRNNCells(Layer):
    """Several cells run as one: each step feeds the output of a cell to the next.

        cells = [LSTMCell(8), LSTMCell(4)]
        outputs = RNN(StackedRNNCells(cells))(numpy.zeros((32, 10, 5)))     # (32, 4)

    Args:
        cells: a list of cells; states are one entry per cell (each that cell's states).
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not _is_nested(cells) or not cells:
            raise ValueError(f"StackedRNNCells expects a non-empty list of cells, got {cells!r}")
        for cell in cells:
            _check_cell(cell, "StackedRNNCells")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            cell_states = _zero_states(cell, batch_size, self.compute_dtype)
            states.append(cell_states if _is_nested(cell.state_size) else cell_states[0])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(tuple(input_shape))
                cell.built = True
            input_shape = (input_shape[0], _cell_output_size(cell))
        self.built = True

    def call(self, inputs, states, training=None):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            single = not _is_nested(cell_states)
            inputs, cell_states = cell(inputs, [cell_states] if single else list(cell_states), training=training)
            if single and _is_nested(cell_states) and len(cell_states) == 1:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_layer(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_as_layer(entry, custom_objects) for entry in config.pop("cells")]
        return cls(cells, **config)


def _step_keep(step_mask, t, like, owner):
    """Step t of a (batch, time, ...) mask with trailing axes of size 1 added to broadcast against `like`.

    A (batch, time) mask masks whole steps; a longer one, such as Masking's (batch, time, rows, cols)
    before a ConvLSTM2D with 'same' padding, masks positions, as Keras' rnn (torch backend) does.
    """
    keep = step_mask[:, t]
    keep = keep.reshape(keep.shape + (1,) * (len(like.shape) - keep.ndim))
    if keep.ndim > len(like.shape) or any(k not in (1, n) for k, n in zip(keep.shape, like.shape)):
        raise ValueError(f"{owner}: a mask of shape {tuple(step_mask.shape)} (batch, time, ...) does not broadcast "
                         f"against the step's state or output of shape {tuple(like.shape)}")
    return keep


def _reset_dropout(cell):
    for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
        if hasattr(cell, name):
            getattr(cell, name)()
    for inner in getattr(cell, "cells", ()):
        _reset_dropout(inner)


class RNN(Layer):
    """Runs a recurrent cell over the time axis of (batch, time, features) inputs.

        cell = MinimalRNNCell(32)            # a Layer with state_size and call(inputs, states)
        outputs = RNN(cell)(numpy.zeros((8, 10, 5)))                   # (8, 32)
        outputs = RNN([LSTMCell(16), LSTMCell(8)])(x)                 # a list is StackedRNNCells

    Args:
        cell: a cell (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells or your own Layer with
            `state_size` and `call(inputs, states)` returning `(output, new_states)`), or a list of
            cells (stacked).
        return_sequences: output every step (batch, time, output_size) instead of the last.
        return_state: also return the final states: [output, *states].
        go_backwards: read the sequence last step first (sequence outputs come in that order).
        stateful: start each call from the final states of the previous one (sample i of a batch
            continues sample i of the last batch); needs a fixed batch size. `reset_state()`
            zeroes the states.
        unroll: accepted; the loop over time is always a Python loop.
        zero_output_for_mask: output zeros at masked steps instead of the previous output.

    Call arguments: inputs; initial_state (a list of tensors, one per state); mask (batch, time)
    bool; training.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        kwargs.pop("time_major", None)
        super().__init__(**kwargs)
        if _is_nested(cell):
            cell = StackedRNNCells(cell)
        _check_cell(cell, f"RNN '{self.name}'")
        if not isinstance(cell.state_size, (int, list, tuple)):
            raise ValueError(f"RNN '{self.name}': the cell's `state_size` must be an int or a list/tuple of ints "
                             f"(one per state), got {cell.state_size!r}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        # stateful: the carried states, Variables outside the tracked weights (Keras does not save them).
        object.__setattr__(self, "states", None)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    @property
    def state_size(self):
        size = self.cell.state_size
        return list(size) if _is_nested(size) else [size]

    @property
    def _state_count(self):
        """The number of state entries after the output with return_state (Bidirectional reads it)."""
        return len(self.state_size)

    def blas_threads(self):
        # Per-step products as small as the fused recurrent layers' (layers/recurrent.py): one OpenBLAS thread.
        return "split"

    def build(self, input_shape):
        if isinstance(input_shape, list):  # [sequences, *initial_states]
            input_shape = input_shape[0]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((input_shape[0],) + tuple(input_shape[2:]))
            self.cell.built = True
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(f"{type(self).__name__} '{self.name}' is stateful and needs a fixed batch size; got "
                                 f"input shape {tuple(input_shape)}: give the model Input(shape, batch_size=...)")
            with no_grad():
                states = self.get_initial_state(input_shape[0])
            object.__setattr__(self, "states", nest.map_structure(
                lambda s: Variable(s.value if isinstance(s, Tensor) else s, trainable=False, name="rnn_state"), states))
        self.built = True

    def reset_state(self):
        """Sets the carried states of a stateful RNN back to zeros."""
        for state in nest.flatten(self.states or []):
            state.assign(backend.xp.zeros_like(state.value))

    def reset_states(self):
        """`reset_state` under its Keras 2 name."""
        self.reset_state()

    @contextlib.contextmanager
    def _states_kept(self):
        """Puts the carried states of a stateful RNN back after the block (shape inference runs the
        layer on zero probes, which must not move them); states built inside it are left at zeros."""
        saved = None if self.states is None else [backend.xp.array(s.value) for s in nest.flatten(self.states)]
        try:
            yield
        finally:
            if saved is None:
                self.reset_state()
            else:
                for state, value in zip(nest.flatten(self.states), saved):
                    state.assign(value)

    def _symbolic_call(self, inputs, args, kwargs):
        with self._states_kept():
            return super()._symbolic_call(inputs, args, kwargs)

    def compute_output_shape(self, input_shape):
        with self._states_kept():
            return super().compute_output_shape(input_shape)

    def compute_output_spec(self, *args, **kwargs):
        with self._states_kept():
            return super().compute_output_spec(*args, **kwargs)

    def _check_input_spec(self, inputs):
        super()._check_input_spec(inputs[0] if isinstance(inputs, (list, tuple)) else inputs)

    def get_initial_state(self, batch_size):
        return _zero_states(self.cell, batch_size, self.compute_dtype)

    def _initial_states(self, initial_state, batch):
        if initial_state is None and self.states is not None:
            expected = nest.flatten(self.states)[0].shape[0]
            if batch != expected:
                raise ValueError(f"{type(self).__name__} '{self.name}' is stateful with batch size {expected}; got a "
                                 f"batch of {batch} (every batch, the last included, must have {expected} samples)")
            return nest.map_structure(lambda s: Tensor(backend.xp.array(s.value)), self.states)
        if initial_state is None:
            return self.get_initial_state(batch)
        states = list(initial_state) if _is_nested(initial_state) else [initial_state]
        if len(states) != len(self.state_size):
            raise ValueError(f"RNN '{self.name}' expects {len(self.state_size)} initial state tensor(s) (the cell's "
                             f"state_size is {self.cell.state_size!r}), got {len(states)}")
        return nest.map_structure(lambda s: s if isinstance(s, Tensor) else self._to_tensor(s), states)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if isinstance(inputs, (list, tuple)):  # Keras also accepts [sequences, *initial_states]
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        states = self._initial_states(initial_state, inputs.shape[0])
        steps = range(inputs.shape[1])
        if self.go_backwards:
            steps = reversed(steps)
        step_mask = None
        if mask is not None:
            step_mask = backend.xp.asarray(mask.value if isinstance(mask, Tensor) else mask).astype(bool)
        outputs, previous = [], None
        try:
            for t in steps:
                output, new_states = self.cell(inputs[:, t], states, training=training)
                new_states = list(new_states) if _is_nested(new_states) else [new_states]
                if step_mask is not None:
                    owner = f"{type(self).__name__} '{self.name}'"
                    new_states = nest.pack_like(states, [ops.where(_step_keep(step_mask, t, old, owner), new, old)
                                                         for new, old in zip(nest.flatten(new_states),
                                                                             nest.flatten(states))])
                    keep = _step_keep(step_mask, t, output, owner)
                    if previous is None or self.zero_output_for_mask:
                        fallback = Tensor(backend.xp.zeros(output.shape, dtype=output.value.dtype))
                    else:
                        fallback = previous
                    output = ops.where(keep, output, fallback)
                outputs.append(output)
                previous, states = output, new_states
        finally:
            _reset_dropout(self.cell)
        if self.states is not None:
            for variable, state in zip(nest.flatten(self.states), nest.flatten(states)):
                variable.assign(state.value)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_state:
            return [output] + list(states)
        return output

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        output_mask = previous_mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def get_config(self):
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences, "return_state": self.return_state,
                       "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                       "zero_output_for_mask": self.zero_output_for_mask, "cell": serialize_layer(self.cell)})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _as_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)
