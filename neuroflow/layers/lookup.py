"""Vocabulary and encoding layers: CategoryEncoding, StringLookup, IntegerLookup, TextVectorization, Discretization.

These layers map raw values (strings, integer ids, floats) to indices or to fixed-size count vectors, as
Keras 3's preprocessing layers do. They work on host NumPy arrays (strings as str/object arrays or lists),
have no trainable weights and are not differentiable; their outputs are integer or float Tensors.

Index layout of the lookup layers (Keras'):

    [mask token (output_mode "int" only)] [num_oov_indices OOV indices] [vocabulary, most frequent first]

`adapt(data)` counts the tokens and orders them by descending count, ties broken by descending token
(Keras sorts with `numpy.lexsort((tokens, counts))[::-1]`).
"""
import collections
import re

import numpy

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.layer import Layer
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.utils import nest
from neuroflow.utils.errors import unknown_name_error

_ENCODINGS = ("multi_hot", "one_hot", "count")


def _to_host(value):
    """A NumPy array for a Tensor, array, list or scalar; strings become an array of Python str."""
    if isinstance(value, Tensor):
        array = backend.to_numpy(value.value)
    elif isinstance(value, (str, bytes)):
        array = numpy.asarray([value], dtype=object).reshape(())
    else:
        array = numpy.asarray(value) if not isinstance(value, numpy.ndarray) else value
    if array.dtype.kind in "SUO":
        array = _as_strings(array)
    return array


def _as_strings(array):
    """An object array of str (bytes decoded as UTF-8, as Keras decodes tf.string)."""
    flat = [item.decode("utf-8") if isinstance(item, bytes) else str(item) for item in numpy.asarray(array).reshape(-1)]
    result = numpy.empty(len(flat), dtype=object)
    result[:] = flat
    return result.reshape(numpy.shape(array))


def _batches(data):
    """The batches of `adapt` data: the array itself, or each item of an iterable of batches."""
    if isinstance(data, (list, tuple, numpy.ndarray, Tensor, str, bytes)):
        return [data]
    if hasattr(data, "__iter__"):
        return data
    return [data]


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


def _check_choice(layer, argument, value, choices):
    if value not in choices:
        raise unknown_name_error(f"{layer} `{argument}`", value, choices)


class _HostLayer(Layer):
    """Base of the layers here: inputs stay host NumPy arrays (strings included), never cast to floatx."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)) and not any(isinstance(x, KerasTensor) for x in nest.flatten(inputs)):
            inputs = _to_host(inputs)  # a list of values is one input, not several
        return super().__call__(inputs, *args, **kwargs)

    def _to_tensor(self, x):
        if isinstance(x, Tensor) or x is None:
            return x
        array = _to_host(x)
        return array if array.dtype == object else Tensor(backend.xp.asarray(array))

    def _output(self, array):
        return Tensor(backend.xp.asarray(array))


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


def _integer_ids(layer, array):
    """`array` as int64 ids; float arrays are accepted when they hold whole numbers (models feed floats)."""
    if array.dtype.kind in "iub":
        return array.astype("int64", copy=False)
    if array.dtype.kind == "f":
        if numpy.all(numpy.isfinite(array)) and numpy.all(array == numpy.round(array)):
            return array.astype("int64")
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects integer ids; got non-integer floats")
    raise ValueError(f"{type(layer).__name__} '{layer.name}' expects integer ids; got values of dtype {array.dtype} "
                     f"(strings need StringLookup)")


# ---- lookups -------------------------------------------------------------------------------------

class _IndexLookup(_HostLayer):
    """Shared machinery of StringLookup and IntegerLookup (Keras' IndexLookup)."""

    _OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                 output_mode, pad_to_max_tokens, sparse, vocabulary_dtype, **kwargs):
        kwargs.pop("vocabulary_size", None)   # Keras config bookkeeping, recomputed here
        # Keras-only options, accepted at the values neuroflow implements.
        for option, inert in (("oov_method", ("floormod", None)), ("salt", (None,)), ("encoding", ("utf-8", None))):
            if option in kwargs:
                value = kwargs.pop(option)
                if value not in inert:
                    raise ValueError(f"{type(self).__name__}: `{option}`={value!r} is not supported; "
                                     f"use {inert[0]!r}")
        super().__init__(**kwargs)
        kind = type(self).__name__
        where = f"{kind} '{self.name}'"
        if output_mode == "binary":
            output_mode = "multi_hot"
        _check_choice(where, "output_mode", output_mode, self._OUTPUT_MODES)
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, (int, numpy.integer))
                                       or max_tokens <= 1):
            raise ValueError(f"{where}: `max_tokens` must be an integer greater than 1, got {max_tokens!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{where}: `pad_to_max_tokens=True` needs `max_tokens`")
        if not isinstance(num_oov_indices, (int, numpy.integer)) or num_oov_indices < 0:
            raise ValueError(f"{where}: `num_oov_indices` must be an integer >= 0, got {num_oov_indices!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{where}: `invert=True` needs output_mode='int', got output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{where}: `sparse=True` is not supported (neuroflow has no sparse tensors)")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{where}: with a `vocabulary` and output_mode='tf_idf', pass `idf_weights` too")
        if output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{where}: `idf_weights` is only used with output_mode='tf_idf', got "
                             f"output_mode={output_mode!r}")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = False
        self.vocabulary_dtype = vocabulary_dtype
        self._tokens = None           # the vocabulary without special tokens, in index order
        self.idf_weights = None       # tf_idf: one weight per output index
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = vocabulary is not None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # index layout
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    @property
    def _where(self):
        return f"{type(self).__name__} '{self.name}'"

    def _normalize_tokens(self, array):
        """Tokens as the layer's key type: str for strings, int64 for integers."""
        raise NotImplementedError

    def vocabulary_size(self):
        """The number of indices: mask (int mode), OOV indices and vocabulary."""
        return self._token_start_index() + (len(self._tokens) if self._tokens is not None else 0)

    def get_vocabulary(self, include_special_tokens=True):
        """The token of each index (mask, OOV tokens, then the vocabulary), or only the vocabulary."""
        vocabulary = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        vocabulary += list(self._tokens or [])
        return vocabulary if include_special_tokens else vocabulary[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (most frequent first), optionally with the mask and OOV tokens in front.

        Args:
            vocabulary: a list / 1-D array of tokens, or the path of a text file with one token a line.
            idf_weights: tf_idf only: one inverse document frequency per token.
        """
        where = self._where
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{where}: `idf_weights` must be given with output_mode='tf_idf'")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{where}: `idf_weights` is only used with output_mode='tf_idf'")
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            vocabulary = lines if self.vocabulary_dtype == "string" else [int(line) for line in lines]
        tokens = list(self._normalize_tokens(_to_host(vocabulary)).reshape(-1))
        if not tokens:
            raise ValueError(f"{where}: cannot set an empty vocabulary")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = len(tokens) >= start and tokens[:start] == special
        if found_special:
            tokens = tokens[start:]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{where}: the vocabulary repeats {repeated}; each token must appear once")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{where}: the mask token {self.mask_token!r} is in the vocabulary at an unexpected "
                             f"place; leave it out, or put the special tokens first in this order: {special}")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{where}: the OOV token {self.oov_token!r} is in the vocabulary at an unexpected "
                             f"place; leave it out, or put the special tokens first in this order: {special}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"{where}: the vocabulary has {start + len(tokens)} entries with the special tokens, "
                             f"more than max_tokens={self.max_tokens}")
        if idf_weights is not None:
            weights = numpy.asarray(_to_host(idf_weights), dtype="float64")
            given = len(tokens) + (start if found_special else 0)
            if weights.ndim != 1 or len(weights) != given:
                raise ValueError(f"{where}: `idf_weights` must be 1-D with one weight per vocabulary entry "
                                 f"({given}); got shape {weights.shape}")
            # Special tokens have no document frequency: Keras gives them the mean weight.
            front = 0 if found_special else start
            back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens else 0
            weights = numpy.concatenate([numpy.full(front, weights.mean()), weights, numpy.zeros(back)])
            self.idf_weights = weights.astype(backend.floatx())
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = tokens
        keys = numpy.asarray(tokens, dtype=str if self.vocabulary_dtype == "string" else "int64")
        order = numpy.argsort(keys, kind="stable")
        self._sorted_keys, self._sorted_order = keys[order], order

    # adapt
    def adapt(self, data, batch_size=None, steps=None):
        """Builds the vocabulary from `data`: tokens by descending count, ties by descending token.

        Args:
            data: an array / list of tokens, or an iterable of such batches.
            steps: the number of batches to read from an iterable (default all).
        """
        if self._has_input_vocabulary:
            raise ValueError(f"{self._where}: cannot adapt a layer given a fixed `vocabulary`; create it without "
                             "one to learn the vocabulary from data")
        counts, document_counts, documents = collections.Counter(), collections.Counter(), 0
        for number, batch in enumerate(_batches(data)):
            if steps is not None and number >= steps:
                break
            array = self._normalize_tokens(_to_host(batch))
            if array.ndim == 0:
                array = array.reshape(1)
            counts.update(array.reshape(-1).tolist())
            if self.output_mode == "tf_idf":
                rows = array.reshape(len(array), -1) if array.ndim > 1 else array.reshape(-1, 1)
                for row in rows:
                    document_counts.update(set(row.tolist()))
                documents += len(rows)
        self._adapt_counts(counts, document_counts, documents)

    def _adapt_counts(self, counts, document_counts=None, documents=0):
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if not counts:
            return
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:max(self.max_tokens - self._token_start_index(), 0)]
        if self.output_mode == "tf_idf":
            # idf = log(1 + documents / (1 + documents containing the token)), Keras' formula.
            weights = numpy.log(1.0 + documents / (1.0 + numpy.asarray([document_counts[t] for t in tokens],
                                                                         dtype="float64")))
            weights = numpy.concatenate([numpy.full(self._token_start_index(), weights.mean()), weights])
            if self.pad_to_max_tokens:
                weights = numpy.concatenate([weights, numpy.zeros(self.max_tokens - len(weights))])
            self.idf_weights = weights.astype(backend.floatx())
        self._set_tokens(tokens)

    # lookup
    def _lookup(self, array):
        """int64 indices of `array`'s tokens; -1 marks a mask token to drop (non-int output modes)."""
        keys = self._normalize_tokens(array)
        flat = keys.reshape(-1)
        if self._tokens:
            probe = flat.astype(str) if self.vocabulary_dtype == "string" else flat
            position = numpy.clip(numpy.searchsorted(self._sorted_keys, probe), 0, len(self._sorted_keys) - 1)
            found = self._sorted_keys[position] == probe
            indices = numpy.where(found, self._sorted_order[position] + self._token_start_index(), -1)
        else:
            found = numpy.zeros(flat.shape, dtype=bool)
            indices = numpy.full(flat.shape, -1, dtype="int64")
        indices = indices.astype("int64")
        masked = numpy.zeros(flat.shape, dtype=bool)
        if self.mask_token is not None:
            masked = numpy.asarray([t == self.mask_token for t in flat.tolist()], dtype=bool).reshape(flat.shape)
        oov = ~found & ~masked
        if oov.any():
            if self.num_oov_indices == 0:
                missing = sorted(set(flat[oov].tolist()))[:10]
                raise ValueError(f"{self._where}: with num_oov_indices=0 every input must be in the vocabulary; "
                                 f"found out-of-vocabulary values {missing}. Consider num_oov_indices=1.")
            if self.num_oov_indices == 1:
                indices[oov] = self._oov_start_index()
            else:
                indices[oov] = numpy.mod(flat[oov].astype("int64"), self.num_oov_indices) + self._oov_start_index()
        indices[masked] = 0 if self.output_mode == "int" else -1
        return indices.reshape(keys.shape)

    def _invert(self, array):
        indices = _integer_ids(self, array)
        table = self.get_vocabulary()
        size = len(table)
        flat = [table[i] if 0 <= i < size else self.oov_token for i in indices.reshape(-1).tolist()]
        if self.vocabulary_dtype == "string":
            return _as_strings(numpy.asarray(flat, dtype=object)).reshape(indices.shape)
        return numpy.asarray(flat, dtype="int64").reshape(indices.shape)

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def call(self, inputs):
        array = _to_host(inputs)
        if self.invert:
            result = self._invert(array)
            return result if result.dtype == object else self._output(result)
        if self.output_mode != "int" and self._tokens is None and not self.pad_to_max_tokens:
            raise ValueError(f"{self._where}: with output_mode={self.output_mode!r} the vocabulary must be set "
                             "before calling the layer: pass `vocabulary` or call adapt(data)")
        indices = self._lookup(array)
        return self._output(self._encode(indices))

    def _encode(self, indices):
        if self.output_mode == "int":
            return indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(indices, mode, self._depth(), dtype=backend.floatx(), layer=self._where,
                                 dropped=True)
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self):
        config = super().get_config()
        # An adapted vocabulary is kept in the config too: neuroflow's files have no assets folder
        # (Keras writes it to assets/vocabulary.txt).
        vocabulary = self.input_vocabulary if self.input_vocabulary is not None else (
            None if self._tokens is None else list(self._tokens))
        idf_weights = self.input_idf_weights
        if idf_weights is None and self.idf_weights is not None and self._tokens is not None:
            idf_weights = self.idf_weights[self._token_start_index():self.vocabulary_size()].tolist()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": _listify(vocabulary), "idf_weights": _listify(idf_weights),
        })
        return config


def _listify(value):
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, numpy.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [v.item() if isinstance(v, numpy.generic) else v for v in value]
    return value


class StringLookup(_IndexLookup):
    """Maps strings to integer indices (or encodings) through a vocabulary.

        lookup = StringLookup()
        lookup.adapt(["b", "a", "c", "a", "b", "a"])
        lookup.get_vocabulary()              # ['[UNK]', 'a', 'b', 'c']
        lookup([["a", "z"], ["c", "b"]])     # [[1, 0], [3, 2]]

    Args:
        max_tokens: the largest vocabulary, special tokens included (None: no limit).
        num_oov_indices: indices for out-of-vocabulary tokens (0: they are an error). More than 1 needs
            Keras' FarmHash and is refused.
        mask_token: a token that maps to index 0 (int mode) or is dropped (other modes); None: no mask.
        oov_token: the token of OOV indices in `get_vocabulary()` and `invert` results ("[UNK]").
        vocabulary: a fixed vocabulary (list, array or text file path) instead of `adapt`.
        idf_weights: the inverse document frequencies for output_mode "tf_idf" with a fixed vocabulary.
        invert: map indices back to tokens.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf" (count * idf).
        pad_to_max_tokens: encodings have `max_tokens` columns whatever the vocabulary size.
        sparse: must be False.

    Returns (call): an int64 Tensor of indices, a float Tensor of encodings, or (invert) a NumPy array of str.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        if num_oov_indices is not None and isinstance(num_oov_indices, (int, numpy.integer)) and num_oov_indices > 1:
            raise NotImplementedError(
                f"StringLookup '{kwargs.get('name') or 'string_lookup'}': `num_oov_indices` > 1 hashes strings with "
                f"Keras' FarmHash fingerprint, which neuroflow does not implement; got num_oov_indices="
                f"{num_oov_indices}. Use num_oov_indices=1.")
        kwargs["encoding"] = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, "string", **kwargs)

    def _normalize_tokens(self, array):
        if self.invert and array.dtype != object:
            return array
        if array.dtype != object:
            raise ValueError(f"{self._where} expects strings; got values of dtype {array.dtype} "
                             "(integer ids need IntegerLookup)")
        return array


class IntegerLookup(_IndexLookup):
    """Maps integer ids (any values, e.g. 1997 or 42) to contiguous indices (or encodings) through a vocabulary.

        lookup = IntegerLookup()
        lookup.adapt([12, 36, 12, 1138, 36, 12])
        lookup.get_vocabulary()              # [-1, 12, 36, 1138]
        lookup([[12, 1138], [42, 36]])       # [[1, 3], [0, 2]]

    Args: as StringLookup, with `mask_token` an int (None: no mask) and `oov_token` -1. With
        num_oov_indices > 1 an OOV id goes to OOV index `id mod num_oov_indices` (Keras' "floormod").
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"IntegerLookup: `vocabulary_dtype` must be 'int64' or 'int32', got {vocabulary_dtype!r}")
        super().__init__(max_tokens, num_oov_indices, None if mask_token is None else int(mask_token),
                         None if oov_token is None else int(oov_token), vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, vocabulary_dtype, **kwargs)

    def _normalize_tokens(self, array):
        return _integer_ids(self, array)

    def get_config(self):
        config = super().get_config()
        config["vocabulary_dtype"] = self.vocabulary_dtype
        return config


# ---- text ----------------------------------------------------------------------------------------

# Keras' default punctuation (string.punctuation), removed by "lower_and_strip_punctuation".
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TextVectorization(_HostLayer):
    """Turns raw strings into token indices (or multi-hot / count vectors) through an adapted vocabulary.

    Each string is standardized (lowercased, punctuation removed), split on whitespace, and its tokens
    looked up: index 0 is padding (""), 1 is OOV ("[UNK]"), then the vocabulary, most frequent first.

        vectorize = TextVectorization(max_tokens=20000, output_sequence_length=500)
        vectorize.adapt(texts)                       # list / array of strings
        ids = vectorize(["The movie was great!"])    # int64, shape (1, 500)

    Args:
        max_tokens: the largest vocabulary, padding and OOV included.
        standardize: "lower_and_strip_punctuation", "lower", "strip_punctuation", None, or a callable
            on a NumPy array of str.
        split: "whitespace", "character", None, or a callable taking a str and returning its tokens.
        ngrams: None, an int n (all 1..n-grams) or a tuple of n-gram sizes, tokens joined by " ".
        output_mode: "int", "multi_hot", "count" or "tf_idf".
        output_sequence_length: int mode: pad with 0 / truncate every row to this length (default: pad to
            the longest row of the batch).
        pad_to_max_tokens: encodings have `max_tokens` columns.
        vocabulary: a fixed vocabulary instead of `adapt`.
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        kwargs.pop("vocabulary_size", None)
        super().__init__(**{k: kwargs.pop(k) for k in list(kwargs) if k in ("name", "trainable", "dtype")})
        where = f"TextVectorization '{self.name}'"
        if kwargs:
            raise TypeError(f"{where} got unexpected keyword argument(s): {', '.join(sorted(kwargs))}")
        if not callable(standardize):
            _check_choice(where, "standardize", standardize,
                          (None, "lower_and_strip_punctuation", "lower", "strip_punctuation"))
        if not callable(split):
            _check_choice(where, "split", split, (None, "whitespace", "character"))
        if output_mode == "one_hot":
            raise ValueError(f"{where}: output_mode='one_hot' is not supported (as in Keras 3 it only fits "
                             "unsplit input); use 'int', 'multi_hot', 'count' or 'tf_idf'")
        _check_choice(where, "output_mode", output_mode, ("int", "multi_hot", "count", "tf_idf"))
        if ragged:
            raise ValueError(f"{where}: `ragged=True` is not supported (neuroflow has no ragged tensors)")
        if not (ngrams is None or (isinstance(ngrams, int) and ngrams >= 1) or
                (isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) and n >= 1 for n in ngrams))):
            raise ValueError(f"{where}: `ngrams` must be None, a positive integer or a tuple of them; got {ngrams!r}")
        if output_sequence_length is not None and (not isinstance(output_sequence_length, int)
                                                   or output_sequence_length < 1):
            raise ValueError(f"{where}: `output_sequence_length` must be None or a positive integer, got "
                             f"{output_sequence_length!r}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"{where}: `output_sequence_length` is only used with output_mode='int', got "
                             f"output_mode={output_mode!r}")
        self.standardize = standardize
        self.split = split
        self.ngrams = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngram_sizes = None if ngrams is None else (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                                                        else tuple(ngrams))
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.encoding = encoding
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                          output_mode=output_mode, name=f"{self.name}_lookup")

    @property
    def max_tokens(self):
        return self._lookup_layer.max_tokens

    def _tokenize(self, inputs):
        """Standardized, split (and n-grammed) text: a list of token lists, one per row."""
        array = _to_host(inputs)
        if array.dtype != object:
            raise ValueError(f"TextVectorization '{self.name}' expects strings; got values of dtype {array.dtype}")
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim > 1:
            if array.shape[-1] != 1 or array.ndim > 2:
                raise ValueError(f"TextVectorization '{self.name}': the input must be rank 1, or rank 2 with a last "
                                 f"axis of size 1; got shape {array.shape}")
            array = array[:, 0]
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            # Keras lowercases ASCII letters only (tf.strings.lower).
            array = _as_strings([text.translate(_ASCII_LOWER) for text in array])
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            array = _as_strings([_PUNCTUATION.sub("", text) for text in array])
        if callable(self.standardize):
            array = _as_strings(numpy.asarray(self.standardize(array.astype(str))))
        if self.split is None:
            rows = [[text] for text in array]
        elif self.split == "whitespace":
            rows = [text.split() for text in array]
        elif self.split == "character":
            rows = [list(text) for text in array]
        else:
            rows = [list(self.split(text)) for text in array]
        if self._ngram_sizes is not None:
            rows = [[" ".join(row[i:i + n]) for n in self._ngram_sizes for i in range(len(row) - n + 1)]
                    for row in rows]
        return rows

    def adapt(self, data, batch_size=None, steps=None):
        """Builds the vocabulary from the tokens of `data` (strings), most frequent first."""
        if self._lookup_layer._has_input_vocabulary:
            raise ValueError(f"TextVectorization '{self.name}': cannot adapt a layer given a fixed `vocabulary`")
        counts, document_counts, documents = collections.Counter(), collections.Counter(), 0
        for number, batch in enumerate(_batches(data)):
            if steps is not None and number >= steps:
                break
            for row in self._tokenize(batch):
                counts.update(row)
                document_counts.update(set(row))
                documents += 1
        self._lookup_layer._adapt_counts(counts, document_counts, documents)

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def call(self, inputs):
        rows = self._tokenize(inputs)
        lookup = self._lookup_layer
        if self.output_mode == "int":
            width = self.output_sequence_length
            if width is None:
                width = max((len(row) for row in rows), default=0)
            out = numpy.zeros((len(rows), width), dtype="int64")
            for number, row in enumerate(rows):
                if row:
                    indices = lookup._lookup(_as_strings(numpy.asarray(row[:width], dtype=object)))
                    out[number, :len(indices)] = indices
            return self._output(out)
        if lookup._tokens is None and not self.pad_to_max_tokens:
            raise ValueError(f"TextVectorization '{self.name}': with output_mode={self.output_mode!r} the "
                             "vocabulary must be set first: pass `vocabulary` or call adapt(data)")
        width = max((len(row) for row in rows), default=0)
        indices = numpy.full((len(rows), max(width, 1)), -1, dtype="int64")   # -1: padding, dropped
        for number, row in enumerate(rows):
            if row:
                indices[number, :len(row)] = lookup._lookup(_as_strings(numpy.asarray(row, dtype=object)))
        return self._output(lookup._encode(indices))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    def get_config(self):
        config = super().get_config()
        lookup = self._lookup_layer.get_config()
        vocabulary = lookup["vocabulary"]
        config.update({
            "max_tokens": self.max_tokens, "standardize": self.standardize, "split": self.split,
            "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
            "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": False, "ragged": False,
            "vocabulary": vocabulary, "idf_weights": lookup["idf_weights"], "encoding": self.encoding,
        })
        return config


# ---- numbers to bins -----------------------------------------------------------------------------

def _compress_summary(summary, epsilon):
    """Keras' quantile summary compression: re-sample the (values, weights) summary at cumulative
    weight fractions epsilon, 2 epsilon, ..., 1 by linear interpolation. Small summaries pass unchanged."""
    values, weights = summary
    if len(values) * epsilon < 1:
        return summary
    fractions = epsilon + numpy.arange(0.0, 1.0, epsilon)
    cumulative = numpy.cumsum(weights)
    position = cumulative / cumulative[-1]
    new_values = numpy.interp(fractions, position, values)
    new_cumulative = numpy.interp(fractions, position, cumulative)
    new_weights = numpy.diff(new_cumulative, prepend=0.0)
    return numpy.stack([new_values, new_weights]).astype("float32")


def _summarize(values, epsilon):
    """Every `step`-th sorted value (step = max(n * epsilon, 1)) with weight `step`."""
    values = numpy.sort(numpy.asarray(values, dtype="float32").reshape(-1))
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return numpy.stack([kept, numpy.full(kept.shape, step, dtype=kept.dtype)])


class Discretization(_HostLayer):
    """Buckets numbers into bins: output i where bin_boundaries[i-1] <= x < bin_boundaries[i].

        Discretization(bin_boundaries=[0., 1., 2.])([[-1.5, 1.0, 2.0]])   # [[0, 2, 3]]
        layer = Discretization(num_bins=4); layer.adapt(x)                 # boundaries at quantiles

    Args:
        bin_boundaries: sorted boundaries (len(bin_boundaries) + 1 bins).
        num_bins: the number of bins `adapt` finds (approximate quantiles, Keras' algorithm).
        epsilon: the quantile summary's error tolerance (default 0.01).
        output_mode: "int" (int32 bin indices), "one_hot", "multi_hot" or "count".
        sparse: must be False.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        where = f"Discretization '{self.name}'"
        _check_choice(where, "output_mode", output_mode, ("int",) + _ENCODINGS)
        if sparse:
            raise ValueError(f"{where}: `sparse=True` is not supported (neuroflow has no sparse tensors)")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"{where}: `num_bins` must be >= 0, got {num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"{where}: pass `num_bins` or `bin_boundaries`, not both")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{where}: pass either `num_bins` (and call adapt) or `bin_boundaries`")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in _listify(bin_boundaries)]
            if any(b > a for b, a in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"{where}: `bin_boundaries` must be sorted, got {bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False

    def adapt(self, data, batch_size=None, steps=None):
        """Sets `bin_boundaries` to approximate quantiles of `data` (Keras' summary algorithm)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}' was given `bin_boundaries`; adapt() needs `num_bins`")
        summary = numpy.zeros((2, 0), dtype="float32")
        for number, batch in enumerate(_batches(data)):
            if steps is not None and number >= steps:
                break
            merged = numpy.concatenate([summary, _summarize(_to_host(batch), self.epsilon)], axis=1)
            summary = _compress_summary(merged[:, numpy.argsort(merged[0], kind="stable")], self.epsilon)
        self.bin_boundaries = _compress_summary(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass `bin_boundaries` or call adapt(data) before "
                             "calling the layer")
        array = _to_host(inputs)
        if array.dtype == object:
            raise ValueError(f"Discretization '{self.name}' expects numbers; got strings")
        indices = numpy.digitize(array, numpy.asarray(self.bin_boundaries, dtype=array.dtype
                                                      if array.dtype.kind == "f" else "float64"))
        if self.output_mode == "int":
            return self._output(indices.astype("int32"))
        return self._output(encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                               dtype=self.dtype, layer=f"Discretization '{self.name}'"))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self):
        config = super().get_config()
        config.update({"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                       "output_mode": self.output_mode, "sparse": False})
        return config

    @classmethod
    def from_config(cls, config):
        # Adapted boundaries and num_bins both appear in the config; the constructor takes one of them.
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None) if config.get("num_bins") is not None else None
        layer = cls(**config)
        if boundaries is not None:
            layer.bin_boundaries = list(boundaries)
        return layer
