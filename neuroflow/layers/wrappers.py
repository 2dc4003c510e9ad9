"""Layer wrappers: Wrapper (their base), Bidirectional (a recurrent layer both ways) and TimeDistributed (a layer per step)."""
from neuroflow import ops
from neuroflow.layers.layer import Layer
from neuroflow.utils.errors import unknown_name_error
from neuroflow.utils.serialization import deserialize_layer as _deserialize_layer
from neuroflow.utils.serialization import serialize_layer as _serialize_layer

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _copy_with(layer, **changes):
    """A fresh, unbuilt layer of the same class with `changes` applied to its config."""
    config = layer.get_config()
    config.update(changes)
    return type(layer).from_config(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def _with_layer_deserialized(config, custom_objects):
    """A copy of a wrapper's config whose wrapped `layer` is a layer again."""
    config = dict(config)
    config["layer"] = _deserialize_layer(config["layer"], custom_objects)
    return config


class Wrapper(Layer):
    """The base of layers that hold one other layer and add to what it does (keras.layers.Wrapper).

    It builds the wrapped layer on its own input shape and serializes it under `layer`; a subclass
    writes `call`. TimeDistributed is one; Bidirectional holds two copies instead (forward_layer /
    backward_layer) and stays a plain Layer.

    Args:
        layer: the Layer to wrap.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: `layer` must be a Layer instance; received layer={layer!r} "
                             f"of type {type(layer).__name__}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**_with_layer_deserialized(config, custom_objects))


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards, and merges their outputs.

        outputs = Bidirectional(LSTM(16, return_sequences=True))(x)     # (batch, time, 32)

    With return_sequences, the backward outputs are flipped back to the input's time order before
    merging, so step t of the output sees x[:t+1] forwards and x[t:] backwards. With
    return_state, the output is [merged output, *forward states, *backward states] (merge_mode
    None: [forward output, backward output, *forward states, *backward states]).

    Args:
        layer: a recurrent layer (LSTM, GRU, SimpleRNN); it is copied into `forward_layer`.
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave', or None (a list of both outputs).
        backward_layer: an optional recurrent layer for the backward direction (must have
            go_backwards=True and the same return_sequences / return_state); by default a copy of
            `layer` with go_backwards flipped.

    Raises:
        ValueError: for an unknown merge_mode or a backward_layer that does not match.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional expects a recurrent Layer instance, got {type(layer).__name__} ({layer!r})")
        super().__init__(**kwargs)
        if merge_mode not in _MERGE_MODES:
            raise unknown_name_error("merge_mode", merge_mode, [m for m in _MERGE_MODES if m])
        if not hasattr(layer, "go_backwards") or not hasattr(layer, "return_sequences"):
            raise ValueError(f"Bidirectional expects a recurrent layer (LSTM, GRU, SimpleRNN), got "
                             f"{type(layer).__name__} '{layer.name}'")
        self.forward_layer = _copy_with(layer, name="forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _copy_with(layer, name="backward_" + _strip(layer.name, "backward_"),
                                             go_backwards=not layer.go_backwards)
        else:
            for attribute in ("return_sequences", "return_state"):
                if getattr(backward_layer, attribute) != getattr(layer, attribute):
                    raise ValueError(f"Bidirectional '{self.name}': forward layer has {attribute}="
                                     f"{getattr(layer, attribute)} but backward_layer has "
                                     f"{getattr(backward_layer, attribute)}; they must match")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(f"Bidirectional '{self.name}': backward_layer must have go_backwards="
                                 f"{not layer.go_backwards} (the opposite of the forward layer)")
            self.backward_layer = backward_layer
        self._explicit_backward = backward_layer is not None
        # As in Keras: with return_sequences both directions output zeros at masked steps, so the
        # merged output does not mix one direction's carried state into the other's padding.
        for inner in (self.forward_layer, self.backward_layer):
            if hasattr(inner, "zero_output_for_mask"):
                inner.zero_output_for_mask = bool(layer.return_sequences)
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, input_shape):
        sequence_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(tuple(sequence_shape))
                layer.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _check_input_spec(self, inputs):
        return None  # the wrapped layers check their own inputs

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) % 2:
                raise ValueError(f"Bidirectional '{self.name}' expects initial_state to hold the forward states then "
                                 f"the backward states (an even count), got {len(states)}")
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        forward = self.forward_layer(inputs, initial_state=forward_state, mask=mask, training=training)
        backward = self.backward_layer(inputs, initial_state=backward_state, mask=mask, training=training)
        forward_states = backward_states = []
        if self.return_state:
            forward, forward_states = forward[0], list(forward[1:])
            backward, backward_states = backward[0], list(backward[1:])
        if self.return_sequences:
            backward = backward[:, ::-1]  # processing order -> input order
        if self.merge_mode == "concat":
            output = ops.concatenate([forward, backward], axis=-1)
        elif self.merge_mode == "sum":
            output = ops.add(forward, backward)
        elif self.merge_mode == "mul":
            output = ops.multiply(forward, backward)
        elif self.merge_mode == "ave":
            output = ops.multiply(ops.add(forward, backward), 0.5)
        else:
            output = [forward, backward]
        outputs = output if isinstance(output, list) else [output]
        if self.return_state:
            return outputs + forward_states + backward_states
        return output

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        output_mask = previous_mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            masks += [None] * (2 * self.forward_layer._state_count)
        return masks if len(masks) > 1 else masks[0]

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize_layer(self.forward_layer)
        config["merge_mode"] = self.merge_mode
        if self._explicit_backward:
            config["backward_layer"] = _serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = _with_layer_deserialized(config, custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _deserialize_layer(config["backward_layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Wrapper):
    """Applies a layer to every time step: (batch, time, ...) -> (batch, time, ...layer output).

    The batch and time axes are folded into one for the inner layer, which therefore sees
    (batch * time, ...) and shares its weights across steps.

        outputs = TimeDistributed(Dense(8))(numpy.zeros((32, 10, 16)))     # (32, 10, 8)

    Args:
        layer: the layer to apply to each step.

    Raises:
        ValueError: for inputs with fewer than 3 axes.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _check_shape(self, shape):
        if len(shape) < 3:
            raise ValueError(f"TimeDistributed '{self.name}' expects inputs of at least 3 axes (batch, time, ...), "
                             f"got shape {tuple(shape)}")

    def build(self, input_shape):
        self._check_shape(input_shape)
        if not self.layer.built:
            self.layer.build((None,) + tuple(input_shape[2:]))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        self._check_shape(inputs.shape)
        batch, time = inputs.shape[:2]
        folded = ops.reshape(inputs, (batch * time,) + tuple(inputs.shape[2:]))
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = ops.reshape(mask, (batch * time,) + tuple(mask.shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return ops.reshape(outputs, (batch, time) + tuple(outputs.shape[1:]))
