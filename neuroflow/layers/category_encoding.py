"""CategoryEncoding, and the one-hot / multi-hot / count encoding the lookup layers share."""
import numpy

from neuroflow import backend
from neuroflow.layers.host_layer import _check_choice, _HostLayer, _integer_ids, _to_host

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "a preprocessing layer: counts on the host, as Keras' preprocessing layers run outside the model's device graph"

_ENCODINGS = ("multi_hot", "one_hot", "count")


def encode_categorical(indices, output_mode, depth, count_weights=None, dtype=None, layer="", dropped=False):
    """Encodes integer indices as one-hot, multi-hot or count vectors of length `depth`.

    one_hot: every index becomes a vector; a trailing axis of size 1 is replaced by the vector axis.
    multi_hot / count: the vectors of axis 1 (axis 0 for rank-1 input, a single sample) are combined,
    multi_hot[b, k] = 1 if k occurs in sample b, count[b, k] = number of times (or sum of count_weights).

    Args:
        indices: integer NumPy array.
        dropped: negative indices mark entries to leave out (a lookup layer's mask token) instead of
            being an error.

    Returns:
        a float NumPy array of dtype `dtype` (default floatx).
    """
    dtype = dtype or backend.floatx()
    indices = numpy.asarray(indices)
    if indices.ndim == 0:
        indices = indices.reshape(1)
    valid = indices >= 0
    if not dropped and not valid.all():
        raise ValueError(f"{layer}: input values must be in the range 0 <= values < {depth}; got "
                         f"{int(indices.min())}")
    if (indices >= depth).any():
        raise ValueError(f"{layer}: input values must be in the range 0 <= values < {depth} (the number of "
                         f"tokens); got {int(indices.max())}")
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
            valid = valid[..., 0]
        return ((indices[..., None] == numpy.arange(depth)) & valid[..., None]).astype(dtype)
    weights = numpy.ones(indices.shape, dtype=dtype) if count_weights is None else numpy.broadcast_to(
        numpy.asarray(count_weights, dtype=dtype), indices.shape)
    # Move the combined axis last and flatten the rest: one row of `depth` counts per sample.
    if indices.ndim == 1:
        rows_indices, rows_valid, rows_weights, out_shape = indices[None], valid[None], weights[None], (depth,)
    else:
        moved = [numpy.moveaxis(a, 1, -1) for a in (indices, valid, weights)]
        out_shape = moved[0].shape[:-1] + (depth,)
        rows_indices, rows_valid, rows_weights = (a.reshape(-1, a.shape[-1]) for a in moved)
    out = numpy.zeros((rows_indices.shape[0], depth), dtype=dtype)
    rows = numpy.broadcast_to(numpy.arange(rows_indices.shape[0])[:, None], rows_indices.shape)
    numpy.add.at(out, (rows[rows_valid], rows_indices[rows_valid]), rows_weights[rows_valid])
    if output_mode == "multi_hot":
        out = (out > 0).astype(dtype)
    return out.reshape(out_shape)


class CategoryEncoding(_HostLayer):
    """Encodes integer category ids as one-hot, multi-hot or count vectors of length `num_tokens`.

        layer = CategoryEncoding(num_tokens=4, output_mode="multi_hot")
        layer([[0, 1], [1, 3]])    # [[1, 1, 0, 0], [0, 1, 0, 1]]

    Args:
        num_tokens: the number of categories; inputs must lie in [0, num_tokens).
        output_mode: "multi_hot" (default; 1 where an id occurs in the sample), "one_hot" (one vector per
            id) or "count" (how often each id occurs, or the sum of `count_weights`).
        sparse: must be False (neuroflow has no sparse tensors).

    Call arguments:
        inputs: integer ids, shape (batch,) or (batch, n). A rank-1 input is one sample for
            multi_hot / count, as in Keras.
        count_weights: same shape as inputs, the weight of each id (output_mode "count" only).

    Raises:
        ValueError: for ids outside [0, num_tokens).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":  # Keras' old name
            output_mode = "multi_hot"
        _check_choice(f"CategoryEncoding '{self.name}'", "output_mode", output_mode, _ENCODINGS)
        if num_tokens is None or isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, numpy.integer)) \
                or num_tokens < 1:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be an integer >= 1, got "
                             f"{num_tokens!r}. If the number of categories is not known, use IntegerLookup.")
        if sparse:
            raise ValueError(f"CategoryEncoding '{self.name}': `sparse=True` is not supported (neuroflow has no "
                             "sparse tensors); use sparse=False")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only used when output_mode is "
                             f"'count'; got output_mode={self.output_mode!r}")
        indices = _integer_ids(self, _to_host(inputs))
        weights = None if count_weights is None else _to_host(count_weights)
        return self._output(encode_categorical(indices, self.output_mode, self.num_tokens, weights, self.dtype,
                                               f"CategoryEncoding '{self.name}'"))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                input_shape = input_shape[:-1]
            return input_shape + (self.num_tokens,)
        if len(input_shape) == 1:
            return (self.num_tokens,)
        return (input_shape[0],) + input_shape[2:] + (self.num_tokens,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode, "sparse": self.sparse})
        return config
