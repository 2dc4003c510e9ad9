"""ReversibleEmbedding: an Embedding that can also map vectors back to logits over its vocabulary."""
from neuroflow import ops
from neuroflow.layers.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An Embedding whose `reverse=True` call projects (..., output_dim) vectors to (..., input_dim) logits.

        logits = layer(hidden, reverse=True)    # hidden @ embeddings^T (tie_weights) or @ reverse_embeddings

    The usual output head of a language model that shares its token embedding.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer, embeddings_constraint,
        mask_zero: as Embedding.
        tie_weights: reuse `embeddings` transposed for the reverse projection (default True); False
            learns a separate `reverse_embeddings` (output_dim, input_dim).
        reverse_dtype: a dtype the reverse product is computed in (None: the layer's).
        logit_soft_cap: when set, reverse logits become soft_cap * tanh(logits / soft_cap).

    Weights: embeddings (input_dim, output_dim), and reverse_embeddings when not tie_weights.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        if logit_soft_cap is not None and not (isinstance(logit_soft_cap, (int, float)) and logit_soft_cap > 0):
            raise ValueError(f"ReversibleEmbedding '{self.name}': `logit_soft_cap` must be None or a positive number; "
                             f"received logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer,
                                                      name="reverse_embeddings")
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if inputs.shape[-1] != self.output_dim:
            raise ValueError(f"ReversibleEmbedding '{self.name}': a reverse call expects inputs whose last axis is "
                             f"output_dim={self.output_dim}; received inputs.shape={tuple(inputs.shape)}")
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = ops.cast(inputs, self.reverse_dtype), ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ops.multiply(ops.tanh(ops.divide(logits, self.logit_soft_cap)), self.logit_soft_cap)
        return logits

    def compute_mask(self, inputs, previous_mask=None):
        # Only token ids carry a padding mask; the reverse call's float vectors do not.
        if "float" in str(getattr(inputs, "dtype", "")):
            return None
        return super().compute_mask(inputs, previous_mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                       "logit_soft_cap": self.logit_soft_cap})
        return config
