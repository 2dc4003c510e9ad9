"""Attention layers: MultiHeadAttention (scaled dot-product, several heads), Attention (Luong)
and AdditiveAttention (Bahdanau), with Keras 3's arguments, weights and masking rules.

Everything is composed from differentiable ops (dense, reshape, transpose, matmul, softmax,
where), so the gradients come from their vjps; dropout on the attention weights is the
`noise.dropout` op, which draws its mask inside the op (a traced training step replays it).

Masks: positions that may not be attended to get the score -1e9 before the softmax (Keras'
"large negative"), so their weight underflows to 0. A query row whose every key is masked gets
equal weights over all keys, as in Keras.
"""
import math

import numpy

from neuroflow import backend, ops, regularizers
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops import noise as noise_ops
from neuroflow.random import SeedGenerator
from neuroflow.utils.errors import shape_text, unknown_name_error

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "reads a config argument (output_shape), no tensor math"

# The score given to masked positions before the softmax (Keras' value for float32/float64).
_LARGE_NEGATIVE = -1e9


def _mask_array(mask):
    """A boolean backend array from a mask Tensor / array, or None."""
    if mask is None:
        return None
    value = mask.value if isinstance(mask, Tensor) else backend.xp.asarray(mask)
    return value if value.dtype == bool else value > 0.5


def _causal_mask(query_length, key_length):
    """(1, T, S) boolean: position i attends to keys j <= i (lower triangle)."""
    rows = backend.xp.arange(query_length)[:, None]
    columns = backend.xp.arange(key_length)[None, :]
    return (rows >= columns)[None]


def _check_sequence(layer, argument, x):
    if x.ndim != 3:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects `{argument}` of shape (batch, length, "
                         f"features), got shape {shape_text(x.shape)}")


class _HeadProjection(Layer):
    """One projection of MultiHeadAttention (Keras' EinsumDense sub-layers query/key/value/attention_output).

    Mode 'split': (batch, length, dim) @ kernel (dim, heads, size) + bias (heads, size)
        -> (batch, length, heads, size).
    Mode 'merge': (batch, length, heads, size) @ kernel (heads, size, units) + bias (units,)
        -> (batch, length, units).
    Both are one matrix product on the kernel viewed as 2-D.
    """

    def __init__(self, mode, heads, size, units=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.mode, self.heads, self.size, self.units = mode, heads, size, units
        self.use_bias = use_bias
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)

    def build(self, input_shape):
        if self.mode == "split":
            kernel_shape, bias_shape = (input_shape[-1], self.heads, self.size), (self.heads, self.size)
        else:
            kernel_shape, bias_shape = (self.heads, self.size, self.units), (self.units,)
        self.kernel = self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=bias_shape, initializer=self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        batch, length = inputs.shape[0], inputs.shape[1]
        if self.mode == "split":
            dim = self.kernel.shape[0]
            kernel = ops.reshape(self.kernel, (dim, self.heads * self.size))
            bias = None if self.bias is None else ops.reshape(self.bias, (self.heads * self.size,))
            out = ops.dense(inputs, kernel, bias)
            return ops.reshape(out, (batch, length, self.heads, self.size))
        kernel = ops.reshape(self.kernel, (self.heads * self.size, self.units))
        flat = ops.reshape(inputs, (batch, length, self.heads * self.size))
        return ops.dense(flat, kernel, self.bias)


def implicit_attention_mask(query, value, query_mask, value_mask, key_mask, use_causal_mask):
    """The boolean (B or 1, T, S) mask that the inputs' padding masks and causality imply: True where
    query step t may attend to key step s; None when nothing masks."""
    combined = None
    for mask, axis in ((query_mask, -1), (value_mask, -2), (key_mask, -2)):
        mask = _mask_array(mask)
        if mask is not None:
            mask = backend.xp.expand_dims(mask, axis)
            combined = mask if combined is None else combined & mask
    if use_causal_mask:
        causal = _causal_mask(query.shape[1], value.shape[1])
        combined = causal if combined is None else combined & causal
    return combined


def attention_inputs(layer, query, value, key, query_mask, value_mask, key_mask):
    """What MultiHeadAttention and GroupedQueryAttention make of their inputs before attending:
    (value, key, key_given, query_mask, value_mask, key_mask), value and key as Tensors (key is
    value when not given), all three checked to be sequences, and each mask the one passed or else
    the one its input carries (the key's only when a separate key was given)."""
    if not isinstance(value, Tensor):
        value = layer._to_tensor(value)
    key_given = key is not None
    key = value if key is None else (key if isinstance(key, Tensor) else layer._to_tensor(key))
    for argument, x in (("query", query), ("value", value), ("key", key)):
        _check_sequence(layer, argument, x)
    query_mask = query_mask if query_mask is not None else getattr(query, "_keras_mask", None)
    value_mask = value_mask if value_mask is not None else getattr(value, "_keras_mask", None)
    if key_given and key is not value:
        key_mask = key_mask if key_mask is not None else getattr(key, "_keras_mask", None)
    return value, key, key_given, query_mask, value_mask, key_mask


def call_shapes(query, value, key):
    """Keras' build config of an attention layer, the shapes of its first call (batch left open: a
    functional model's placeholders are probed with a batch of their own)."""
    shapes = {"query_shape": (None,) + tuple(query.shape[1:]), "value_shape": (None,) + tuple(value.shape[1:])}
    if key is not None:
        shapes["key_shape"] = (None,) + tuple(key.shape[1:])
    return shapes


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention (Vaswani et al., 2017), as keras.layers.MultiHeadAttention.

    For each head h, with Q = query @ Wq[:, h] + bq[h], K = key @ Wk[:, h] + bk[h], V = value @ Wv[:, h] + bv[h]:

        weights_h = softmax(Q K^T / sqrt(key_dim))      (masked scores set to -1e9 first)
        output    = sum_h (dropout(weights_h) V) @ Wo[h] + bo

        mha = MultiHeadAttention(num_heads=2, key_dim=16)
        y = mha(x, x)                                   # self-attention, (batch, T, dim)
        y, scores = mha(q, v, return_attention_scores=True)   # scores: (batch, heads, T, S)

    The weights live in four sub-layers named query, key, value and attention_output, with
    kernels (dim, num_heads, key_dim) / (dim, num_heads, value_dim) / (num_heads, value_dim, out)
    and biases (num_heads, key_dim) / (num_heads, value_dim) / (out,), as Keras stores them.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default key_dim).
        dropout: dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        output_shape: size of the output features (int or 1-tuple); default the query's last dimension.
        attention_axes: only None (attention over the sequence axis) is supported; Keras' recorded
            equivalent (1,) is accepted too.
        kernel_initializer / bias_initializer / *_regularizer / *_constraint: for every projection.
        seed: seeds the dropout masks.

    Call arguments:
        query: (batch, T, dim). value: (batch, S, dim_v). key: (batch, S, dim_k), default value.
        attention_mask: boolean (batch, T, S) (or broadcastable), True where attention is allowed.
        return_attention_scores: also return the (batch, num_heads, T, S) weights.
        training: dropout on or off. use_causal_mask: query i attends only to keys j <= i.
        Masks carried by query / value / key (Embedding(mask_zero=True)) are combined into the
        attention mask: query_mask[:, :, None] & value_mask[:, None, :] & key_mask[:, None, :].

    Raises:
        ValueError: for non-positive sizes, unsupported attention_axes, or inputs that are not 3-D.
    """

    keras_inert_options = {"use_gate": (False,), "sliding_window": (None,), "flash_attention": (None, False)}

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("num_heads", num_heads), ("key_dim", key_dim), ("value_dim", value_dim)):
            if value is None and argument == "value_dim":
                continue
            if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"MultiHeadAttention '{self.name}': `{argument}` must be a positive integer, "
                                 f"got {value!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention '{self.name}': `dropout` must be in [0, 1), got {dropout!r}")
        if attention_axes is not None:
            axes = (attention_axes,) if isinstance(attention_axes, int) else tuple(attention_axes)
            # Keras records the default as [1] (or -2 counted from the projected rank 4) once built.
            if axes not in ((1,), (-2,)):
                raise NotImplementedError(f"MultiHeadAttention '{self.name}': `attention_axes`={attention_axes!r} is "
                                          "not supported; neuroflow attends over the sequence axis only "
                                          "(attention_axes=None)")
        if output_shape is not None and not isinstance(output_shape, (int, numpy.integer)):
            output_shape = tuple(output_shape)
            if len(output_shape) != 1:
                raise NotImplementedError(f"MultiHeadAttention '{self.name}': `output_shape`={output_shape!r} is not "
                                          "supported; give one output size (an int or a 1-tuple)")
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape = None if output_shape is None else (int(numpy.ravel(output_shape)[0]),)
        self.attention_axes = attention_axes
        store_arguments(self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        # Keras hands the activity regularizer to the projections, not to the layer's own output.
        self._projection_activity_regularizer = regularizers.get(activity_regularizer)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def __call__(self, query=None, value=None, *args, **kwargs):
        # Keras' call names its first two arguments: mha(query=x, value=y) works as mha(x, y).
        if query is None or value is None:
            raise ValueError(f"MultiHeadAttention '{self.name}' must be called with both `query` and `value` "
                             f"(got {'no query' if query is None else 'no value'})")
        return super().__call__(query, value, *args, **kwargs)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        units = self._output_shape[0] if self._output_shape else query_shape[-1]
        return tuple(query_shape[:-1]) + (units,)

    def _projection(self, name, mode, size, units=None):
        return _HeadProjection(mode, self.num_heads, size, units, use_bias=self.use_bias,
                               kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                               kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                               kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
                               activity_regularizer=self._projection_activity_regularizer, name=name,
                               dtype=self.dtype_policy)

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the four projections; their kernels are made from the shapes given (query_shape
        alone: on the first call, from the value and key actually passed)."""
        units = self._output_shape[0] if self._output_shape else query_shape[-1]
        # Attribute names are Keras' (its weights file groups them under query_dense/, key_dense/, ...);
        # assigned in Keras' weight order: query, key, value, attention_output.
        self.query_dense = self._projection("query", "split", self.key_dim)
        self.key_dense = self._projection("key", "split", self.key_dim)
        self.value_dense = self._projection("value", "split", self.value_dim)
        self.output_dense = self._projection("attention_output", "merge", self.value_dim, units)
        self.query_dense._build_input_shape = tuple(query_shape)
        self.query_dense.build(tuple(query_shape))
        self.query_dense.built = True
        self.output_dense.build(None)
        self.output_dense.built = True
        if value_shape is not None:
            key_shape = value_shape if key_shape is None else key_shape
            for layer, shape in ((self.key_dense, key_shape), (self.value_dense, value_shape)):
                layer.build(tuple(shape))
                layer.built = True
        self.built = True

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value, key, key_given, query_mask, value_mask, key_mask = attention_inputs(
            self, query, value, key, query_mask, value_mask, key_mask)
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"MultiHeadAttention '{self.name}': `key` and `value` must have the same length, got "
                             f"key shape {shape_text(key.shape)} and value shape {shape_text(value.shape)}")
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                    use_causal_mask)
        if self.__dict__.get("_build_shapes_dict") is None:
            self._build_shapes_dict = call_shapes(query, value, key if key_given else None)
        # As Keras does, the inputs' masks are consumed here: they are taken off the input tensors,
        # so a later layer reading the same tensor (value) sees no mask. (The output carries the
        # query's mask.) Keras files rely on this: their predictions are computed that way.
        for x in (query, value, key):
            if getattr(x, "_keras_mask", None) is not None:
                x._keras_mask = None

        q = self.query_dense(query)                                   # (B, T, H, K)
        k = self.key_dense(key)                                       # (B, S, H, K)
        v = self.value_dense(value)                                   # (B, S, H, V)
        q = ops.multiply(ops.transpose(q, (0, 2, 1, 3)), 1.0 / math.sqrt(self.key_dim))
        scores = ops.matmul(q, ops.transpose(k, (0, 2, 3, 1)))        # (B, H, T, S)
        if mask is not None:
            mask = mask[:, None] if mask.ndim == 3 else mask          # broadcast over the heads
            scores = ops.where(mask, scores, _LARGE_NEGATIVE)
        weights = ops.softmax(scores, axis=-1)
        if mask is not None and (return_attention_scores or self.dropout > 0):
            # Keras' explicit path (taken when scores are returned or dropout is set) zeroes masked
            # weights after the softmax, so a fully masked query row gets weights 0; its fused path
            # (otherwise) leaves such a row uniform. Both are reproduced.
            weights = ops.where(mask, weights, 0.0)
        dropped = weights
        if training and self.dropout > 0:
            dropped = noise_ops.dropout(weights, rate=self.dropout, generator=self.seed_generator.rng)
        context = ops.matmul(dropped, ops.transpose(v, (0, 2, 1, 3)))  # (B, H, T, V)
        output = self.output_dense(ops.transpose(context, (0, 2, 1, 3)))
        if return_attention_scores:
            return output, weights
        return output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """The boolean (B or 1, T, S) mask: True where query t may attend to key s, or None."""
        combined = implicit_attention_mask(query, value, query_mask, value_mask, key_mask, use_causal_mask)
        explicit = _mask_array(attention_mask)
        if explicit is not None:
            if explicit.ndim not in (2, 3, 4):
                raise ValueError(f"MultiHeadAttention '{self.name}': `attention_mask` must have shape (batch, T, S), "
                                 f"got {shape_text(explicit.shape)}")
            combined = explicit if combined is None else explicit & combined
        return combined

    def compute_mask(self, inputs, previous_mask=None):
        """The output carries the query's mask."""
        return previous_mask

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
            "dropout": self.dropout, "use_bias": self.use_bias,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "attention_axes": self.attention_axes,
            **serialized_arguments(self, ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer")),
            "activity_regularizer": (None if self._projection_activity_regularizer is None
                                     else regularizers.serialize(self._projection_activity_regularizer)),
            **serialized_arguments(self, ("kernel_constraint", "bias_constraint")),
            "seed": self.seed,
        })
        return config


class Attention(Layer):
    """Dot-product (Luong-style) attention, as keras.layers.Attention.

    Called on [query (B, Tq, dim), value (B, Tv, dim)] or [query, value, key (B, Tv, dim)]:

        scores  = query @ key^T               (score_mode 'dot'; times `scale` if use_scale)
                = c * sum(tanh(s * (q_i + k_j)))   (score_mode 'concat'; c = concat_score_weight)
        weights = softmax(scores - 1e9 * (not value_mask or causal))
        output  = dropout(weights) @ value,  zero where the query mask is False

        out = Attention()([query, value], mask=[query_mask, value_mask])

    Args:
        use_scale: learn a scalar `scale` (initialized to 1) multiplying the scores.
        score_mode: 'dot' or 'concat'.
        dropout: dropout rate on the attention weights (training only).
        seed: seeds the dropout masks.

    Call arguments:
        inputs: [query, value] or [query, value, key].
        mask: [query_mask, value_mask] booleans (B, Tq) and (B, Tv); carried masks are used otherwise.
        return_attention_scores: also return the (B, Tq, Tv) weights.
        training, use_causal_mask: as for MultiHeadAttention.
    """

    _SCORE_MODES = ("dot", "concat")

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in self._SCORE_MODES:
            raise unknown_name_error("score_mode", score_mode, self._SCORE_MODES)
        if not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__} '{self.name}': `dropout` must be in [0, 1), got {dropout!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def _check_inputs(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            got = f"a list of {len(inputs)}" if isinstance(inputs, (list, tuple)) else type(inputs).__name__
            raise ValueError(f"{type(self).__name__} '{self.name}' must be called on a list [query, value] or "
                             f"[query, value, key], got {got}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{type(self).__name__} '{self.name}': `mask` must be a list [query_mask, value_mask], "
                             f"got {mask!r}")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones", name="concat_score_weight")
        self.built = True

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        summed = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))   # (B, Tq, Tv, dim)
        if self.scale is not None:
            summed = ops.multiply(self.scale, summed)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(summed), axis=-1))

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._check_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _mask_array(mask[0]) if mask else None
        value_mask = _mask_array(mask[1]) if mask else None
        scores = self._scores(query, key)
        allowed = None if value_mask is None else value_mask[:, None, :]
        if use_causal_mask:
            causal = _causal_mask(scores.shape[-2], scores.shape[-1])
            allowed = causal if allowed is None else allowed & causal
        if allowed is not None:
            # Keras subtracts the large number (rather than replacing the score) here.
            scores = ops.where(allowed, scores, ops.subtract(scores, -_LARGE_NEGATIVE))
        weights = ops.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = noise_ops.dropout(weights, rate=self.dropout, generator=self.seed_generator.rng)
        output = ops.matmul(dropped, value)
        if query_mask is not None:
            output = ops.where(query_mask[:, :, None], output, 0.0)
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, previous_mask=None):
        """The query's mask (the first of [query_mask, value_mask]), or None."""
        if isinstance(previous_mask, (list, tuple)):
            return previous_mask[0]
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention, as keras.layers.AdditiveAttention.

        scores = sum over dim of scale * tanh(query_i + key_j)   (scale: a learned (dim,) vector,
                 glorot_uniform; 1 when use_scale=False)

    then the same masking, softmax, dropout and weighted sum of values as `Attention`.

    Args:
        use_scale: learn the (dim,) `scale` vector.
        dropout: dropout rate on the attention weights (training only).
        seed: seeds the dropout masks.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(input_shape[0][-1],), initializer="glorot_uniform", name="scale")
        self.built = True

    def _scores(self, query, key):
        summed = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))   # (B, Tq, Tv, dim)
        if self.scale is not None:
            summed = ops.multiply(self.scale, summed)
        return ops.sum(summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
