"""Embedding: integer indices to dense vectors (keras.layers.Embedding)."""
import warnings

import numpy

from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer, serialized_arguments, store_arguments
from neuroflow.ops.embedding import embedding_lookup


class Embedding(Layer):
    """Turns indices into vectors: `output[..., :] = embeddings[inputs[...]]`.

    The gradient is a scatter-add of the upstream gradient into the rows that were looked up.

        layer = Embedding(1000, 64, mask_zero=True)
        vectors = layer(numpy.array([[4, 20, 0]]))   # (1, 3, 64); mask [[True, True, False]]

    Args:
        input_dim: vocabulary size; indices must lie in [0, input_dim).
        output_dim: size of each vector.
        embeddings_initializer: default 'uniform' (U(-0.05, 0.05)).
        embeddings_regularizer / embeddings_constraint: on the embedding matrix.
        mask_zero: index 0 is padding: the output carries a mask `inputs != 0` for the layers
            that follow (LSTM, GRU, ...). Index 0 then cannot be a real token.
        weights: optional list with the initial (input_dim, output_dim) matrix.
        input_length: removed in Keras 3; accepted with a warning and ignored.

    Raises:
        ValueError: for non-positive sizes, or indices outside [0, input_dim) at call time.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, activity_regularizer=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:
            warnings.warn("Embedding argument `input_length` is deprecated (Keras 3) and ignored; just remove it.",
                          stacklevel=2)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding '{self.name}': `{argument}` must be a positive integer, got {value!r}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        store_arguments(self, embeddings_initializer=embeddings_initializer,
                              embeddings_regularizer=embeddings_regularizer,
                              embeddings_constraint=embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, name="embeddings",
                                          # Under a mixed policy the rows looked up are cast, not the whole
                                          # table (Keras' Embedding does the same).
                                          autocast=False)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        outputs = embedding_lookup(self.embeddings, inputs)
        return ops.cast(outputs, self.compute_dtype) if outputs.dtype != self.compute_dtype else outputs

    def compute_mask(self, inputs, previous_mask=None):
        """`inputs != 0` when mask_zero, else None."""
        if not self.mask_zero:
            return None
        values = inputs.value if isinstance(inputs, Tensor) else backend.xp.asarray(inputs)
        return Tensor(values != 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            **serialized_arguments(self, ("embeddings_initializer", "embeddings_regularizer",
                                          "activity_regularizer", "embeddings_constraint")),
            "mask_zero": self.mask_zero,
        })
        return config
