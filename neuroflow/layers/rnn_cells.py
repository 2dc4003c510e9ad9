"""Recurrent cells: one step of SimpleRNN, LSTM and GRU (Keras 3's cells), for `layers.RNN`.

A cell is a Layer with `state_size` (an int, or a list of ints for several states) and
`call(inputs, states, training=None)` returning `(output, new_states)`; `layers.RNN` runs it over
the time axis. The cells hold Keras' weights (kernel, recurrent_kernel, bias), with the shapes and
gate order of the fused SimpleRNN / LSTM / GRU layers, and compute the same equations with ops, so
that a cell in RNN gives the fused layer's results for the same weights.

Dropout (training only): one input mask and one recurrent mask per sequence, drawn on the first
step and reused until the RNN resets them (`reset_dropout_mask`), as Keras' DropoutRNNCell does.
With recurrent_dropout, each gate gets its own masks (Keras' `implementation=1`).
"""
import numpy

from neuroflow import activations, backend, ops
from neuroflow.layers.dropout_rnn_cell import DropoutRNNCell
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import noise as noise_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text

_WEIGHT_ARGUMENTS = ("kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                     "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                     "bias_constraint")


class _GatedCell(DropoutRNNCell, Layer):
    """Shared arguments, weights and dropout masks of the built-in cells; `_gates` gates per unit."""

    _gates = 1

    def __init__(self, units, activation, recurrent_activation, use_bias, dropout, recurrent_dropout, seed,
                 weight_arguments, **kwargs):
        kwargs.pop("implementation", None)  # Keras' choice of kernel layout; the results are the same
        super().__init__(**kwargs)
        if not isinstance(units, (int, numpy.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': `units` must be a positive integer, got {units!r}")
        for argument, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ValueError(f"{type(self).__name__} '{self.name}': `{argument}` must be a float in [0, 1], "
                                 f"got {rate!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation) if recurrent_activation else None
        self.use_bias = bool(use_bias)
        store_arguments(self, **weight_arguments)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.output_size = self.units

    def _add_weights(self, input_shape, bias_shape, bias_initializer):
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
        self.bias = self.add_weight(shape=bias_shape, initializer=bias_initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint, name="bias") if self.use_bias else None
        self.built = True

    # ---- dropout masks (one per sequence) -----------------------------------------------------

    def _masks(self, reference, rate):
        # Several gates draw one mask each when recurrent dropout is on (Keras' implementation=1).
        count = self._gates if self.recurrent_dropout > 0 else 1
        return [noise_ops.dropout_mask(reference, shape=tuple(reference.shape[1:]), rate=rate,
                                       generator=self.seed_generator.rng) for _ in range(count)]


    def _dropped_inputs(self, inputs, training):
        """The step input per gate ([x] when all gates share it)."""
        count = self._gates if self.recurrent_dropout > 0 else 1
        if training and 0 < self.dropout < 1:
            return [ops.multiply(inputs, mask) for mask in self.get_dropout_mask(inputs)]
        return [inputs] * count

    def _dropped_states(self, state, training):
        if training and 0 < self.recurrent_dropout < 1:
            return [ops.multiply(state, mask) for mask in self.get_recurrent_dropout_mask(state)]
        return None

    def _gate_slice(self, weight, gate):
        return weight[..., gate * self.units:(gate + 1) * self.units]

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        # Zeros made by an op (a broadcast scalar), so a traced training step makes them per batch too.
        zero = ops.convert_to_tensor(backend.xp.zeros((), dtype=self.compute_dtype))
        return [ops.broadcast_to(zero, (batch_size, size)) for size in sizes]

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": activations.serialize(self.activation)})
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update({"use_bias": self.use_bias, **serialized_arguments(self, _WEIGHT_ARGUMENTS),
                       "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed})
        return config


def _arguments(values):
    return {name: values[name] for name in _WEIGHT_ARGUMENTS}


class SimpleRNNCell(_GatedCell):
    """One step of SimpleRNN: `h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`.

        cell = SimpleRNNCell(4)
        outputs = RNN(cell)(numpy.zeros((32, 10, 8)))          # (32, 4)

    Args:
        units: size of the state h (state_size and output_size).
        activation: default tanh.
        use_bias, kernel/recurrent/bias initializers (glorot_uniform, orthogonal, zeros),
        regularizers, constraints: as in SimpleRNN.
        dropout, recurrent_dropout: fractions of x_t and h_{t-1} dropped in training (one mask per sequence).
        seed: seed of the dropout masks.

    Call arguments: inputs (batch, features); states [h_{t-1}] (or the tensor itself); training.
    Returns (h_t, [h_t]).
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, None, use_bias, dropout, recurrent_dropout, seed, _arguments(locals()),
                         **kwargs)
        self.state_size = self.units

    def build(self, input_shape):
        self._add_weights(input_shape, (self.units,), self.bias_initializer)

    def call(self, inputs, states, training=None):
        nested = isinstance(states, (list, tuple))
        previous = states[0] if nested else states
        x = self._dropped_inputs(inputs, training)[0]
        h = ops.matmul(x, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        dropped = self._dropped_states(previous, training)
        output = ops.add(h, ops.matmul(dropped[0] if dropped else previous, self.recurrent_kernel))
        if self.activation is not None:
            output = self.activation(output)
        return output, ([output] if nested else output)


class LSTMCell(_GatedCell):
    """One step of LSTM, Keras 3's equations and gate order [i, f, c, o]:

        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
        i = ra(z_i), f = ra(z_f), o = ra(z_o), c_t = f c_{t-1} + i a(z_c), h_t = o a(c_t)

    Args:
        units: size of h and c (state_size [units, units]).
        unit_forget_bias: initialize the forget-gate bias to 1.
        Other arguments as in SimpleRNNCell, plus recurrent_activation (default sigmoid).

    Call arguments: inputs (batch, features); states [h, c]; training. Returns (h_t, [h_t, c_t]).
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, dropout, recurrent_dropout, seed,
                         _arguments(locals()), **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        initializer = self.bias_initializer
        if self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def initializer(shape, dtype=None):
                # [b_i, 1, b_c, b_o]: the forget gate starts open.
                return backend.xp.concatenate([backend.xp.asarray(base((units,), dtype=dtype)),
                                               backend.xp.ones((units,), dtype=dtype),
                                               backend.xp.asarray(base((2 * units,), dtype=dtype))])
        self._add_weights(input_shape, (4 * self.units,), initializer)

    def call(self, inputs, states, training=None):
        h_previous, c_previous = states[0], states[1]
        xs = self._dropped_inputs(inputs, training)
        hs = self._dropped_states(h_previous, training)
        if hs is None and len(xs) == 1:
            # One product per weight for all four gates.
            z = ops.add(ops.matmul(xs[0], self.kernel), ops.matmul(h_previous, self.recurrent_kernel))
            if self.bias is not None:
                z = ops.add(z, self.bias)
            zs = [self._gate_slice(z, gate) for gate in range(4)]
        else:
            hs = hs or [h_previous] * 4
            xs = xs if len(xs) == 4 else xs * 4
            zs = []
            for gate in range(4):
                z = ops.add(ops.matmul(xs[gate], self._gate_slice(self.kernel, gate)),
                            ops.matmul(hs[gate], self._gate_slice(self.recurrent_kernel, gate)))
                zs.append(ops.add(z, self._gate_slice(self.bias, gate)) if self.bias is not None else z)
        i, f, o = (self.recurrent_activation(zs[gate]) for gate in (0, 1, 3))
        c = ops.add(ops.multiply(f, c_previous), ops.multiply(i, self.activation(zs[2])))
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRUCell(_GatedCell):
    """One step of GRU, Keras 3's equations and gate order [z, r, h]:

        reset_after=True (bias (2, 3 units) = [input bias, recurrent bias]):
            hh = a(x_h + r * (h_{t-1} @ recurrent_kernel_h + recurrent_bias_h))
        reset_after=False (bias (3 units,)): hh = a(x_h + (r * h_{t-1}) @ recurrent_kernel_h)
        z = ra(x_z + r_z), r = ra(x_r + r_r), h_t = z h_{t-1} + (1 - z) hh

    Args:
        units: size of the state h.
        reset_after: apply the reset gate after the recurrent product (Keras 3 default).
        Other arguments as in LSTMCell (no unit_forget_bias).

    Call arguments: inputs (batch, features); states [h] (or h); training. Returns (h_t, [h_t]).
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, dropout, recurrent_dropout, seed,
                         _arguments(locals()), **kwargs)
        self.reset_after = bool(reset_after)
        self.state_size = self.units

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_weights(input_shape, shape, self.bias_initializer)

    def call(self, inputs, states, training=None):
        nested = isinstance(states, (list, tuple))
        h_previous = states[0] if nested else states
        input_bias = recurrent_bias = None
        if self.bias is not None:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
        xs = self._dropped_inputs(inputs, training)
        xs = xs if len(xs) == 3 else xs * 3
        hs = self._dropped_states(h_previous, training) or [h_previous] * 3
        x_parts, r_parts = [], []
        for gate in range(3):
            x_part = ops.matmul(xs[gate], self._gate_slice(self.kernel, gate))
            x_parts.append(ops.add(x_part, self._gate_slice(input_bias, gate)) if input_bias is not None else x_part)
            if gate < 2 or self.reset_after:
                r_part = ops.matmul(hs[gate], self._gate_slice(self.recurrent_kernel, gate))
                r_parts.append(ops.add(r_part, self._gate_slice(recurrent_bias, gate))
                               if recurrent_bias is not None else r_part)
        z = self.recurrent_activation(ops.add(x_parts[0], r_parts[0]))
        r = self.recurrent_activation(ops.add(x_parts[1], r_parts[1]))
        if self.reset_after:
            recurrent_h = ops.multiply(r, r_parts[2])
        else:
            recurrent_h = ops.matmul(ops.multiply(r, hs[2]), self._gate_slice(self.recurrent_kernel, 2))
        candidate = self.activation(ops.add(x_parts[2], recurrent_h))
        h = ops.add(ops.multiply(z, h_previous), ops.multiply(ops.subtract(1.0, z), candidate))
        return h, ([h] if nested else h)

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config
