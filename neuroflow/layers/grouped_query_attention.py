"""GroupedQueryAttention, exported as keras.layers.GroupQueryAttention: attention whose query heads share fewer
key / value heads (Ainslie et al., 2023)."""
import math

from neuroflow import backend, ops, regularizers
from neuroflow.layers.attention import (
    _LARGE_NEGATIVE,
    _mask_array,
    attention_inputs,
    call_shapes,
    implicit_attention_mask,
)
from neuroflow.layers.einsum_dense import EinsumDense
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import noise as noise_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text


class GroupedQueryAttention(Layer):
    """Multi-head attention where each of `num_key_value_heads` key / value heads serves
    num_query_heads / num_key_value_heads query heads.

        Q = query @ Wq (B, T, U, H), K = key @ Wk, V = value @ Wv (B, S, N, H), each K / V head
        repeated U / N times; weights = softmax(Q K^T / sqrt(H), masked); output = (weights V) @ Wo.
        With use_gate, the per-head context is multiplied by sigmoid(query @ Wg) before Wo.

    Args:
        head_dim: size of each head.
        num_query_heads / num_key_value_heads: head counts (the first a multiple of the second).
        dropout: on the attention weights while training.
        use_bias: biases in the projections.
        sliding_window: None, or a positive int w: query t only sees keys with |t - s| < w.
        flash_attention: accepted for Keras compatibility (the NumPy path is the same math).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: for the projections.
        use_gate: the sigmoid output gate.
        seed: of the dropout.

    Call: (query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False).
    """

    keras_inert_options = {"flash_attention": (None, False)}

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        where = f"GroupedQueryAttention '{self.name}'"
        for argument, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                                ("num_key_value_heads", num_key_value_heads)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{where}: `{argument}` must be a positive integer; received {argument}={value!r}")
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"{where}: `num_query_heads` must be divisible by `num_key_value_heads`; received "
                             f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}")
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError(f"{where}: `sliding_window` must be None or a positive integer; received "
                             f"sliding_window={sliding_window!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"{where}: `dropout` must be in [0, 1); received dropout={dropout!r}")
        if flash_attention and dropout > 0:
            raise ValueError(f"{where}: `dropout` must be 0 with flash_attention; received dropout={dropout!r}")
        self.head_dim, self.num_query_heads, self.num_key_value_heads = head_dim, num_query_heads, num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        self._projection_arguments = {
            "kernel_initializer": kernel_initializer, "bias_initializer": bias_initializer,
            "kernel_regularizer": kernel_regularizer, "bias_regularizer": bias_regularizer,
            "activity_regularizer": activity_regularizer, "kernel_constraint": kernel_constraint,
            "bias_constraint": bias_constraint}
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._projection_activity_regularizer = activity_regularizer
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def __call__(self, query=None, value=None, *args, **kwargs):
        if query is None or value is None:
            raise ValueError(f"GroupedQueryAttention '{self.name}' must be called with both `query` and `value`")
        return super().__call__(query, value, *args, **kwargs)

    def _projection(self, equation, heads, bias_axes, name, activation=None):
        return EinsumDense(equation, (None,) + heads, bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, dtype=self.dtype_policy, **self._projection_arguments)

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the projections; key and value are built from `value_shape` / `key_shape` when
        given, else on the first call from the tensors passed (neuroflow builds from the query alone)."""
        self.feature_dim = query_shape[-1]
        # Keras' attribute names and order (its weights file groups them under _query_dense/ ...).
        self._query_dense = self._projection("bqm,muh->bquh", (self.num_query_heads, self.head_dim), "uh", "query")
        self._key_dense = self._projection("bkm,mvh->bkvh", (self.num_key_value_heads, self.head_dim), "vh", "key")
        self._gate_dense = None
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", (self.num_query_heads, self.head_dim), "uh", "gate",
                                                activation="sigmoid")
        self._value_dense = self._projection("bkm,mvh->bkvh", (self.num_key_value_heads, self.head_dim), "vh",
                                             "value")
        self._output_dense = EinsumDense("bquh,uhm->bqm", (None, self.feature_dim),
                                         bias_axes="m" if self.use_bias else None, name="attention_output",
                                         dtype=self.dtype_policy, **self._projection_arguments)
        shapes = [(self._query_dense, query_shape), (self._gate_dense, query_shape),
                  (self._output_dense, (None, None, self.num_query_heads, self.head_dim))]
        if value_shape is not None:
            shapes += [(self._key_dense, value_shape if key_shape is None else key_shape),
                       (self._value_dense, value_shape)]
        for layer, shape in shapes:
            if layer is not None:
                layer.build(tuple(shape))
                layer.built = True
        self.built = True

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """The boolean (B or 1, T, S) mask: True where query t may attend to key s, or None."""
        combined = implicit_attention_mask(query, value, query_mask, value_mask, key_mask, use_causal_mask)
        if self.sliding_window is not None:
            rows = backend.xp.arange(query.shape[1])[:, None]
            columns = backend.xp.arange(value.shape[1])[None, :]
            window = (backend.xp.abs(rows - columns) < self.sliding_window)[None]
            combined = window if combined is None else combined & window
        explicit = _mask_array(attention_mask)
        if explicit is not None:
            if explicit.ndim not in (2, 3):
                raise ValueError(f"GroupedQueryAttention '{self.name}': `attention_mask` must have shape (batch, T, S); "
                                 f"received attention_mask.shape={shape_text(explicit.shape)}")
            combined = explicit if combined is None else explicit & combined
        return combined

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value, key, key_given, query_mask, value_mask, key_mask = attention_inputs(
            self, query, value, key, query_mask, value_mask, key_mask)
        if query.shape[-1] != value.shape[-1] or key.shape[1] != value.shape[1]:
            raise ValueError(f"GroupedQueryAttention '{self.name}': `query` and `value` must have the same last axis "
                             f"and `key` the length of `value`; received query.shape={shape_text(query.shape)}, "
                             f"value.shape={shape_text(value.shape)}, key.shape={shape_text(key.shape)}")
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        if self.__dict__.get("_build_shapes_dict") is None:
            self._build_shapes_dict = call_shapes(query, value, key if key_given else None)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)                                        # (B, T, U, H)
        k = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)      # (B, S, U, H)
        v = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)  # (B, S, U, H)
        q = ops.multiply(ops.transpose(q, (0, 2, 1, 3)), 1.0 / math.sqrt(self.head_dim))
        scores = ops.matmul(q, ops.transpose(k, (0, 2, 3, 1)))              # (B, U, T, S)
        if mask is not None:
            mask = mask[:, None]                                            # broadcast over the heads
            scores = ops.where(mask, scores, _LARGE_NEGATIVE)
        weights = ops.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = noise_ops.dropout(weights, rate=self.dropout, generator=self.seed_generator.rng)
        context = ops.transpose(ops.matmul(dropped, ops.transpose(v, (0, 2, 1, 3))), (0, 2, 1, 3))  # (B, T, U, H)
        if gate is not None:
            context = ops.multiply(context, gate)
        output = self._output_dense(context)
        return (output, weights) if return_attention_scores else output

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return tuple(query_shape)

    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "sliding_window": self.sliding_window, "dropout": self.dropout,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer")),
            "activity_regularizer": self._serialized_activity(),
            **serialized_arguments(self, ("kernel_constraint", "bias_constraint")),
            "seed": self.seed,
        })
        return config

    def _serialized_activity(self):
        regularizer = regularizers.get(self._projection_activity_regularizer)
        return None if regularizer is None else regularizers.serialize(regularizer)


# Keras' public name: `keras.layers` exports the GroupedQueryAttention class as GroupQueryAttention (the
# name its files record), while its default layer names and weight paths follow the class name.
GroupQueryAttention = GroupedQueryAttention
