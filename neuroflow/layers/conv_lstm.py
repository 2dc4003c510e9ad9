"""Convolutional LSTM: ConvLSTM1D, ConvLSTM2D, ConvLSTM3D (Shi et al., 2015), Keras 3's arguments and weights.

An LSTM whose input and recurrent transformations are convolutions. Each layer is `layers.RNN`
driving a `ConvLSTMCell` over the time axis (the step loop of layers/rnn.py: masks, go_backwards,
return_sequences / return_state, stateful), and the cell is a few ops per step:

    z = conv(x_t, kernel, strides, padding, dilation_rate) + bias
        + conv(h_{t-1}, recurrent_kernel, strides 1, 'same')           = [z_i, z_f, z_c, z_o]
    i = ra(z_i), f = ra(z_f), o = ra(z_o), c_t = f c_{t-1} + i a(z_c), h_t = o a(c_t)

with a = activation (tanh), ra = recurrent_activation (sigmoid); the gate blocks are the channel
axis of the convolutions, in Keras' order i, f, c, o. Gradients come from the ops' own vjps.

Weights, as Keras 3 names, shapes and saves them (<layer>/cell/vars/0, 1, 2 in .keras files):
    kernel (kernel_size..., channels, 4 filters), recurrent_kernel (kernel_size..., filters, 4 filters),
    bias (4 filters,).

Inputs are (batch, time, spatial..., channels), or (batch, time, channels, spatial...) with
data_format='channels_first'; states h and c are (batch, new_spatial..., filters) (channels first:
(batch, filters, new_spatial...)), where new_spatial is the input convolution's output size.
"""
import numpy

from neuroflow import activations, backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.dropout_rnn_cell import DropoutRNNCell
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.layers.rnn import RNN
from neuroflow.ops import convolution as conv_ops
from neuroflow.ops import noise as noise_ops
from neuroflow.ops import window
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text
from neuroflow.utils.naming import to_snake_case, unique_name
from neuroflow.utils.options import forwarded_arguments, parameter_names

_WEIGHT_ARGUMENTS = ("kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                     "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                     "bias_constraint")


def _checked_geometry(where, rank, filters, kernel_size, strides, padding, data_format, dilation_rate, dropout,
                      recurrent_dropout):
    """The convolution arguments normalized as Keras stores them; ValueError naming `where` otherwise."""
    if rank not in (1, 2, 3):
        raise ValueError(f"{where}: rank-{rank} convolutions are not implemented; rank must be 1, 2 or 3")
    if isinstance(filters, bool) or not isinstance(filters, (int, numpy.integer)) or filters <= 0:
        raise ValueError(f"{where}: `filters` must be a positive integer, got {filters!r}")
    geometry = {
        "filters": int(filters),
        "kernel_size": window.normalize_tuple(kernel_size, rank, f"{where}: kernel_size"),
        "strides": window.normalize_tuple(strides, rank, f"{where}: strides"),
        "padding": window.check_padding(padding),
        "data_format": check_data_format(data_format, where),
        "dilation_rate": window.normalize_tuple(dilation_rate, rank, f"{where}: dilation_rate"),
    }
    if max(geometry["strides"]) > 1 and max(geometry["dilation_rate"]) > 1:
        raise ValueError(f"{where}: strides > 1 cannot be combined with dilation_rate > 1 (got "
                         f"strides={geometry['strides']}, dilation_rate={geometry['dilation_rate']})")
    for argument, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"{where}: `{argument}` must be a float in [0, 1], got {rate!r}")
    return geometry


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One step of ConvLSTM: the cell that ConvLSTM1D / 2D / 3D run (Keras keeps it internal too).

    Args:
        rank: 1, 2 or 3, the number of spatial axes.
        filters, kernel_size, strides, padding, data_format, dilation_rate: the input convolution's
            (the recurrent convolution uses the same kernel_size, strides 1 and 'same' padding).
        activation, recurrent_activation, use_bias, kernel/recurrent/bias initializers,
        unit_forget_bias, regularizers, constraints: as in LSTMCell.
        dropout, recurrent_dropout: fractions of x_t and h_{t-1} dropped in training; four masks
            each (one per gate) with the step input's / state's shape, drawn on the first step and
            kept for the whole sequence, as Keras' ConvLSTMCell does.
        seed: seed of the dropout masks.

    Call arguments: inputs (batch, spatial..., channels); states [h, c]; training.
    Returns (h_t, [h_t, c_t]).
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        geometry = _checked_geometry(f"{type(self).__name__} '{self.name}'", rank, filters, kernel_size, strides,
                                     padding, data_format, dilation_rate, dropout, recurrent_dropout)
        self.rank = rank
        for key, value in geometry.items():
            setattr(self, key, value)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.unit_forget_bias = bool(unit_forget_bias)
        store_arguments(self, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        # Two states, h and c, each with `filters` channels at every position.
        self.state_size = [self.filters, self.filters]
        self.output_size = self.filters
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        where = f"{type(self).__name__} '{self.name}'"
        if self.data_format == "channels_last":
            spatial, channels = input_shape[1:-1], input_shape[-1]
        else:
            spatial, channels = input_shape[2:], input_shape[1]
        if None in spatial:
            raise ValueError(f"{where}: ConvLSTM layers need static spatial sizes; got step input shape "
                             f"{shape_text(input_shape)}")
        if channels is None:
            raise ValueError(f"{where} needs a known channel axis; got step input shape {shape_text(input_shape)} "
                             f"with data_format={self.data_format!r}")
        self.spatial_dims = tuple(int(n) for n in spatial)
        self.input_dim = int(channels)
        self.state_spatial = window.output_shape(self.spatial_dims, self.kernel_size, self.strides, self.padding,
                                                 self.dilation_rate)
        if min(self.state_spatial) < 1:
            raise ValueError(f"{where}: the input's spatial shape {self.spatial_dims} is smaller than the kernel "
                             f"{self.kernel_size} (dilation_rate {self.dilation_rate}) with padding='valid'; use "
                             "padding='same' or a larger input")
        gates = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (self.input_dim, gates),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, gates),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(gates,), initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                        name="bias")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={i: n for i, n in enumerate(input_shape) if i})
        self.built = True

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        filters, base = self.filters, self.bias_initializer

        def forget_bias_ones(shape, dtype=None):
            # [b_i, 1, b_c, b_o]: the forget gate starts open (Jozefowicz et al., 2015).
            return backend.xp.concatenate([backend.xp.asarray(base((filters,), dtype=dtype)),
                                           backend.xp.ones((filters,), dtype=dtype),
                                           backend.xp.asarray(base((2 * filters,), dtype=dtype))])

        return forget_bias_ones

    def state_shape(self, batch_size):
        """The shape of h and c for a batch of `batch_size`."""
        if self.data_format == "channels_last":
            return (batch_size,) + self.state_spatial + (self.filters,)
        return (batch_size, self.filters) + self.state_spatial

    def get_initial_state(self, batch_size=None):
        # Zeros made by an op (broadcast of a scalar), so a traced training step makes them per batch.
        zero = Tensor(backend.xp.zeros((), dtype=self.compute_dtype))
        return [ops.broadcast_to(zero, self.state_shape(batch_size)) for _ in range(2)]

    # ---- dropout masks (four per sequence, one per gate) --------------------------------------

    def _masks(self, reference, rate):
        return [noise_ops.dropout_mask(reference, shape=tuple(reference.shape[1:]), rate=rate,
                                       generator=self.seed_generator.rng) for _ in range(4)]


    # ---- one step ----------------------------------------------------------------------------

    def _input_conv(self, x, kernel, bias):
        return conv_ops.conv(x, kernel, self.strides, self.padding, self.data_format, self.dilation_rate, bias=bias)

    def _recurrent_conv(self, h, kernel):
        return conv_ops.conv(h, kernel, 1, "same", self.data_format)

    def call(self, inputs, states, training=None):
        h_previous, c_previous = states[0], states[1]
        drop_inputs = bool(training) and 0 < self.dropout < 1
        drop_states = bool(training) and 0 < self.recurrent_dropout < 1
        if not (drop_inputs or drop_states):
            # All four gates in one convolution per weight; the gates are blocks of the channel axis.
            z = ops.add(self._input_conv(inputs, self.kernel, self.bias),
                        self._recurrent_conv(h_previous, self.recurrent_kernel))
            zs = ops.split(z, 4, axis=self._channel_axis)
        else:
            xs = [ops.multiply(inputs, m) for m in self.get_dropout_mask(inputs)] if drop_inputs else [inputs] * 4
            hs = [ops.multiply(h_previous, m) for m in self.get_recurrent_dropout_mask(h_previous)] \
                if drop_states else [h_previous] * 4
            kernels = ops.split(self.kernel, 4, axis=-1)
            recurrent_kernels = ops.split(self.recurrent_kernel, 4, axis=-1)
            biases = ops.split(self.bias, 4) if self.bias is not None else [None] * 4
            zs = [ops.add(self._input_conv(x, k, b), self._recurrent_conv(h, r))
                  for x, h, k, r, b in zip(xs, hs, kernels, recurrent_kernels, biases)]
        i, f, o = (self.recurrent_activation(zs[gate]) for gate in (0, 1, 3))
        c = ops.add(ops.multiply(f, c_previous), ops.multiply(i, self.activation(zs[2])))
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update({"rank": self.rank, "filters": self.filters, "kernel_size": self.kernel_size,
                       "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                       "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
                       "recurrent_activation": activations.serialize(self.recurrent_activation),
                       "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                       **serialized_arguments(self, _WEIGHT_ARGUMENTS), "dropout": self.dropout,
                       "recurrent_dropout": self.recurrent_dropout, "seed": self.seed})
        return config


class ConvLSTM(RNN):
    """Shared constructor, configuration and state checks of ConvLSTM1D / 2D / 3D (subclasses set `rank`).

    Keras' abstract `ConvLSTM` (not exported by keras.layers either): the layer is an RNN over a
    ConvLSTMCell, and every convolution argument is read from and stored in that cell.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        # The layer's name is settled first so that argument errors name it, not its cell.
        name = kwargs.pop("name", None) or unique_name(to_snake_case(type(self).__name__))
        _checked_geometry(f"{type(self).__name__} '{name}'", self.rank, filters, kernel_size, strides, padding,
                          data_format, dilation_rate, dropout, recurrent_dropout)
        dtype = kwargs.get("dtype")
        cell = ConvLSTMCell(self.rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                            dilation_rate=dilation_rate, activation=activation,
                            recurrent_activation=recurrent_activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
                            dtype=None if isinstance(dtype, dict) else dtype)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def build(self, input_shape):
        sequences_shape = tuple(input_shape[0] if isinstance(input_shape, list) else input_shape)
        super().build(input_shape)
        # Time may vary from call to call; the step shape may not.
        self.input_spec = InputSpec(ndim=self.rank + 3, axes={i: n for i, n in enumerate(sequences_shape) if i > 1})

    def _initial_states(self, initial_state, batch):
        states = super()._initial_states(initial_state, batch)
        if initial_state is not None:
            expected = self.cell.state_shape(batch)
            for state in states:
                if tuple(state.shape) != expected:
                    raise ValueError(f"{type(self).__name__} '{self.name}' expects initial states [h, c] of shape "
                                     f"{shape_text(expected)}, got {shape_text(state.shape)}")
        return states

    def call(self, sequences, initial_state=None, mask=None, training=None):
        """Keras' call: the sequences, initial_state [h, c], mask (batch, time) (or per position), training."""
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self):
        config = super().get_config()
        config.pop("cell")
        cell = self.cell
        config.update({"filters": cell.filters, "kernel_size": cell.kernel_size, "strides": cell.strides,
                       "padding": cell.padding, "data_format": cell.data_format, "dilation_rate": cell.dilation_rate,
                       "activation": activations.serialize(cell.activation),
                       "recurrent_activation": activations.serialize(cell.recurrent_activation),
                       "use_bias": cell.use_bias, "unit_forget_bias": cell.unit_forget_bias,
                       **serialized_arguments(cell, _WEIGHT_ARGUMENTS),
                       **serialized_arguments(self, ("activity_regularizer",)),
                       "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout, "seed": cell.seed})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _delegate(name):
    """A read-only property that reads the cell's attribute (Keras' ConvLSTM exposes them on the layer)."""
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


for _name in ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
              "recurrent_activation", "use_bias", "unit_forget_bias", "dropout", "recurrent_dropout", "seed",
              *_WEIGHT_ARGUMENTS):
    setattr(ConvLSTM, _name, _delegate(_name))

# ConvLSTM's own arguments, read off its signature: the rank-specific layers forward them.
_BASE_ARGUMENTS = parameter_names(ConvLSTM.__init__)


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM over (batch, time, steps, channels) sequences (keras.layers.ConvLSTM1D).

        outputs = ConvLSTM1D(4, 3, padding="same")(numpy.zeros((8, 10, 16, 2)))      # (8, 16, 4)

    Args:
        filters: channels of h and c (the number of output filters).
        kernel_size: int or tuple of 1, the window of both convolutions.
        strides, dilation_rate: of the input convolution (strides > 1 excludes dilation_rate > 1).
        padding: 'valid' or 'same', of the input convolution (the recurrent one is always 'same').
        data_format: 'channels_last' (default) or 'channels_first' (batch, time, channels, steps).
        activation (tanh), recurrent_activation (sigmoid), use_bias, kernel_initializer
        (glorot_uniform), recurrent_initializer (orthogonal), bias_initializer (zeros),
        unit_forget_bias (forget-gate bias starts at 1), regularizers, constraints: as in LSTM.
        dropout, recurrent_dropout: fractions of x_t and h_{t-1} dropped in training (one mask per
            gate, kept for the whole sequence). seed: their seed.
        return_sequences: output every step (batch, time, new_steps, filters) instead of the last.
        return_state: also return the final states: [output, h, c].
        go_backwards: read the sequence last step first (sequence outputs come in that order).
        stateful: keep the final states of each batch as the next batch's initial states (needs a
            fixed batch size; `reset_state()` zeroes them).
        unroll (keyword): accepted, as Keras does; the loop over time is always a Python loop.

    Call arguments: inputs; initial_state [h, c]; mask (batch, time) bool; training.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM over (batch, time, rows, cols, channels) sequences (keras.layers.ConvLSTM2D).

        frames = numpy.zeros((8, 10, 32, 32, 1))                             # 10 frames of 32 x 32
        outputs = ConvLSTM2D(16, 3, padding="same", return_sequences=True)(frames)   # (8, 10, 32, 32, 16)

    Args: as ConvLSTM1D, with kernel_size, strides and dilation_rate an int or a tuple of 2, and
    data_format='channels_first' meaning (batch, time, channels, rows, cols).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM over (batch, time, depth, rows, cols, channels) sequences (keras.layers.ConvLSTM3D).

        outputs = ConvLSTM3D(4, 2, return_state=True)(numpy.zeros((2, 5, 6, 6, 6, 1)))   # [out, h, c]

    Args: as ConvLSTM1D, with kernel_size, strides and dilation_rate an int or a tuple of 3, and
    data_format='channels_first' meaning (batch, time, channels, depth, rows, cols).
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        super().__init__(**forwarded_arguments(_BASE_ARGUMENTS, locals()))
