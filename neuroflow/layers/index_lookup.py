"""StringLookup and IntegerLookup: values to indices through a vocabulary (Keras' IndexLookup).

Index layout of the lookup layers (Keras'):

    [mask token (output_mode "int" only)] [num_oov_indices OOV indices] [vocabulary, most frequent first]

`adapt(data)` counts the tokens and orders them by descending count, ties broken by descending token
(Keras sorts with `numpy.lexsort((tokens, counts))[::-1]`).
"""
import collections

import numpy

from neuroflow import backend
from neuroflow.layers.category_encoding import encode_categorical
from neuroflow.layers.host_layer import _as_strings, _batches, _check_choice, _HostLayer, _integer_ids, _listify, _to_host

HOST_NUMPY = "a preprocessing layer: vocabulary lookups on the host"  # numpy here works on host data (tests/test_backend_seam.py)


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
