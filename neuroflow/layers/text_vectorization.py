"""TextVectorization: raw strings to token indices (or multi-hot / count / tf-idf vectors)."""
import collections
import re

import numpy

from neuroflow.layers.host_layer import _as_strings, _batches, _check_choice, _HostLayer, _to_host
from neuroflow.layers.index_lookup import StringLookup

HOST_NUMPY = "a preprocessing layer: strings exist only on the host"  # numpy here works on host data (tests/test_backend_seam.py)

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
