"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3 arguments, weights and masking).

Each layer runs the whole sequence in one fused op (ops/recurrent/): the input projection of
every step is one matrix product, the loop over time holds only the recurrent product and the
gate arithmetic, and the backward pass is one reverse loop (BPTT).

Weights, as Keras 3 names and shapes them (k gates: SimpleRNN 1, GRU 3, LSTM 4):
    kernel (features, k units), recurrent_kernel (units, k units),
    bias (k units,), or (2, 3 units) for GRU(reset_after=True) (input bias, recurrent bias).

Masks: a (batch, time) boolean mask (from Embedding(mask_zero=True), Masking, or `mask=`) makes
masked steps keep the previous state; with return_sequences the output carries the mask on.
"""
import numpy

from neuroflow import activations, backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import noise as noise_ops
from neuroflow.ops import recurrent as recurrent_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text
from neuroflow.utils.options import forwarded_arguments, parameter_names


def _kernel_activation(layer, argument, function):
    """The fused-kernel name of a built-in activation; custom callables cannot run in the fused op."""
    name = activations.kernel_name(function)
    if name is None:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': `{argument}` must be a built-in activation "
                         f"(such as 'tanh', 'sigmoid', 'relu'), got {function!r}; the fused recurrent op computes "
                         "it with its derivative")
    return name


class _Recurrent(Layer):
    """Shared arguments, weights, dropout and output packing of the fused recurrent layers.

    Subclasses set `_gates` (gates per unit), `_state_count`, `_recurrent_masks` (recurrent-dropout
    masks per step: 1, or 3 for GRU) and implement `_run`.
    """

    _gates = 1
    _state_count = 1
    _recurrent_masks = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        kwargs.pop("use_cudnn", None)   # a backend choice in Keras; meaningless here
        kwargs.pop("time_major", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, numpy.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': `units` must be a positive integer, got {units!r}")
        for argument, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{type(self).__name__} '{self.name}': `{argument}` must be in [0, 1), got {rate!r}")
        if stateful:
            raise NotImplementedError(f"{type(self).__name__} '{self.name}': stateful=True is not supported; carry "
                                      "state across batches with return_state=True and initial_state=")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._activation_name = _kernel_activation(self, "activation", self.activation)
        self._recurrent_activation_name = _kernel_activation(self, "recurrent_activation", self.recurrent_activation)
        self.use_bias = bool(use_bias)
        store_arguments(self, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = False
        self.unroll = bool(unroll)  # accepted for compatibility: the fused op never unrolls
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    # ---- weights -----------------------------------------------------------------------------

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if isinstance(input_shape, list):  # [sequences, *initial_states]
            input_shape = input_shape[0]
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs a known feature axis; got input shape "
                             f"{shape_text(input_shape)}")
        width = self._gates * self.units
        self.kernel = self.add_weight(shape=(features, width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = self.add_weight(shape=self._bias_shape(), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None
        self.input_spec = InputSpec(ndim=3, axes={-1: features})
        self.built = True

    def saved_variables(self):
        """Keras keeps an RNN layer's variables in its `cell`: <layer>/cell/vars/0 kernel, 1 recurrent_kernel,
        2 bias (and none in the layer's own `vars`)."""
        names = ("kernel", "recurrent_kernel", "bias")
        return {"cell": [getattr(self, n) for n in names if getattr(self, n, None) is not None], "": []}

    # ---- calling -----------------------------------------------------------------------------

    def blas_threads(self):
        # Each step's product is tiny, (4 units, units + features) @ (., batch): waking a second OpenBLAS
        # thread for it costs more than it saves, and on a loaded machine (threads waiting for a core)
        # a 2-thread LSTM epoch took 13x the wall time of a 1-thread one. fit keeps OpenBLAS on one thread.
        return "split"

    def _check_input_spec(self, inputs):
        super()._check_input_spec(inputs[0] if isinstance(inputs, (list, tuple)) else inputs)

    def _initial_states(self, initial_state, batch):
        """The initial state list from `initial_state=` (a Tensor or list), or None for zeros."""
        if initial_state is None:
            return [None] * self._state_count
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self._state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects {self._state_count} initial state "
                             f"tensor(s) of shape (batch, {self.units}), got {len(states)}")
        converted = []
        for state in states:
            state = state if isinstance(state, Tensor) else Tensor(backend.xp.asarray(state, dtype=self.compute_dtype))
            if tuple(state.shape) != (batch, self.units):
                raise ValueError(f"{type(self).__name__} '{self.name}' expects initial states of shape "
                                 f"({batch}, {self.units}), got {shape_text(state.shape)}")
            converted.append(state)
        return converted

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if isinstance(inputs, (list, tuple)):  # Keras also accepts [sequences, *initial_states]
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        batch = inputs.shape[0]
        dtype = inputs.value.dtype
        # The masks are drawn inside ops, so that a traced training step draws new ones per batch.
        if training and self.dropout > 0:
            # One mask per sequence, shared by every step (Keras' DropoutRNNCell).
            inputs = noise_ops.dropout(inputs, rate=self.dropout, noise_shape=(batch, 1, inputs.shape[2]),
                                       generator=self.seed_generator.rng)
        recurrent_mask = None
        if training and self.recurrent_dropout > 0:
            # One mask per batch, shared by every step; GRU draws one per gate (Keras' GRUCell).
            recurrent_mask = noise_ops.dropout_mask(inputs, shape=(self._recurrent_masks * self.units,),
                                                    rate=self.recurrent_dropout, generator=self.seed_generator.rng)
        sequence, *states = self._run(inputs, self._initial_states(initial_state, batch), mask, recurrent_mask)
        if self.return_sequences and self.zero_output_for_mask and mask is not None:
            # Masked steps output zeros instead of the carried state; the sequence is in processing order.
            step_mask = backend.xp.asarray(mask.value if isinstance(mask, Tensor) else mask)
            step_mask = step_mask[:, ::-1] if self.go_backwards else step_mask
            sequence = ops.multiply(sequence, step_mask[:, :, None].astype(dtype))
        output = sequence if self.return_sequences else states[0]
        if self.return_state:
            return [output] + states
        return output

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        output_mask = previous_mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * self._state_count
        return output_mask

    # ---- config ------------------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **serialized_arguments(self, ("kernel_initializer", "recurrent_initializer", "bias_initializer",
                                          "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                                          "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                                          "bias_constraint")),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        return config


# _Recurrent's own arguments, read off its signature: the layers forward them without re-listing them.
_BASE_ARGUMENTS = parameter_names(_Recurrent.__init__)


class SimpleRNN(_Recurrent):
    """Fully connected recurrence: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

        outputs = SimpleRNN(4)(numpy.zeros((32, 10, 8)))          # (32, 4)

    Args:
        units: size of the state h.
        activation: default tanh (a built-in activation).
        use_bias, kernel/recurrent/bias initializers (glorot_uniform, orthogonal, zeros),
        regularizers and constraints: as in Keras.
        dropout: fraction of input features dropped in training (one mask per sequence).
        recurrent_dropout: fraction of h_{t-1} dropped where it enters the recurrent product.
        return_sequences: output every step (batch, time, units) instead of the last (batch, units).
        return_state: also return the final state: [output, h].
        go_backwards: read the sequence last step first (sequence outputs come in that order).
        stateful: not supported (raises NotImplementedError). unroll: accepted, ignored.
        zero_output_for_mask: with return_sequences and a mask, output zeros at masked steps
            instead of the carried state (Bidirectional turns it on, as Keras does).

    Call arguments: inputs (batch, time, features); initial_state (batch, units); mask (batch, time)
    bool; training.
    """

    _gates = 1
    _state_count = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))

    def _run(self, inputs, states, mask, recurrent_mask):
        return recurrent_ops.simple_rnn(inputs, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                                        go_backwards=self.go_backwards, activation=self._activation_name,
                                        recurrent_mask=recurrent_mask)

    def get_config(self):
        config = super().get_config()
        config.pop("recurrent_activation")
        return config


class LSTM(_Recurrent):
    """Long Short-Term Memory (Hochreiter & Schmidhuber, 1997), Keras 3's equations.

        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias = [z_i, z_f, z_c, z_o]
        i = ra(z_i), f = ra(z_f), o = ra(z_o), c_t = f c_{t-1} + i a(z_c), h_t = o a(c_t)

    with a = activation (tanh), ra = recurrent_activation (sigmoid).

        outputs, h, c = LSTM(4, return_sequences=True, return_state=True)(numpy.zeros((32, 10, 8)))

    Args:
        units: size of the states h and c.
        unit_forget_bias: initialize the forget-gate bias to 1 (Jozefowicz et al., 2015).
        Other arguments as in SimpleRNN; return_state gives [output, h, c]; initial_state is [h, c].
    """

    _gates = 4
    _state_count = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def forget_bias_ones(shape, dtype=None):
            # [b_i, 1, b_c, b_o]: the forget gate starts open so gradients flow through c early on.
            parts = [backend.xp.asarray(base((units,), dtype=dtype)), backend.xp.ones((units,), dtype=dtype),
                     backend.xp.asarray(base((2 * units,), dtype=dtype))]
            return backend.xp.concatenate(parts)

        return forget_bias_ones

    def _run(self, inputs, states, mask, recurrent_mask):
        return recurrent_ops.lstm(inputs, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias,
                                  mask=mask, go_backwards=self.go_backwards, activation=self._activation_name,
                                  recurrent_activation=self._recurrent_activation_name,
                                  recurrent_mask=recurrent_mask)

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRU(_Recurrent):
    """Gated Recurrent Unit (Cho et al., 2014), Keras 3's equations.

    reset_after=True (default; bias (2, 3 units) = [input bias, recurrent bias]):
        [r_z, r_r, r_h] = h_{t-1} @ recurrent_kernel + recurrent_bias, x_* = x_t @ kernel + input_bias
        z = ra(x_z + r_z), r = ra(x_r + r_r), hh = a(x_h + r * r_h)
    reset_after=False (bias (3 units,)): hh = a(x_h + (r * h_{t-1}) @ recurrent_kernel[:, 2 units:])
    h_t = z h_{t-1} + (1 - z) hh.

    Args:
        units: size of the state h.
        reset_after: apply the reset gate after the recurrent product (Keras 3 default, cuDNN style).
        recurrent_dropout: fraction of h_{t-1} dropped where it enters the recurrent products, in
            training; one mask per gate (z, r, h) drawn once per batch, as Keras 3's GRUCell does.
            The update h_t = z h_{t-1} + (1 - z) hh uses the undropped h_{t-1}.
        Other arguments as in SimpleRNN.
    """

    _gates = 3
    _state_count = 1
    _recurrent_masks = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run(self, inputs, states, mask, recurrent_mask):
        return recurrent_ops.gru(inputs, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                                 go_backwards=self.go_backwards, activation=self._activation_name,
                                 recurrent_activation=self._recurrent_activation_name, reset_after=self.reset_after,
                                 recurrent_mask=recurrent_mask)

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config
