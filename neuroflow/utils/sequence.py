"""Sequence helpers: `pad_sequences` (Keras semantics) and `multi_hot_sequences`."""
import numpy

from neuroflow import backend

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads (and truncates) a list of sequences into one 2-D array, as `keras.utils.pad_sequences`.

    Sequences shorter than `maxlen` are filled with `value`, before (`padding="pre"`) or after
    (`"post"`) their items; longer ones lose items at the start (`truncating="pre"`) or end
    (`"post"`). Items may themselves be arrays: the sample shape comes from the first non-empty
    sequence and all must agree.

    Args:
        sequences: a list (or other sized iterable) of sequences.
        maxlen: the output length; None uses the longest sequence.
        dtype: output dtype (`object` or a string dtype for string items).
        padding: "pre" or "post".
        truncating: "pre" or "post".
        value: the padding value.

    Returns:
        NumPy array of shape `(len(sequences), maxlen) + sample_shape`.

    Raises:
        ValueError: a sequence is not iterable, sample shapes differ, `padding`/`truncating` is
            unknown, `maxlen` is negative, or a string `value` meets a non-string dtype.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences expects a list of sequences, got {type(sequences).__name__}")
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: padding must be "pre" or "post", got {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: truncating must be "pre" or "post", got {truncating!r}')
    lengths = []
    sample_shape = ()
    found_sample = False
    for index, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError as error:
            raise ValueError(
                f"pad_sequences expects a list of sequences, but item {index} is not one: {sequence!r}"
            ) from error
        if not found_sample and len(sequence):
            # The first non-empty sequence fixes the item shape all others must have.
            sample_shape = numpy.asarray(sequence).shape[1:]
            found_sample = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    elif not isinstance(maxlen, (int, numpy.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be None or a non-negative integer, got {maxlen!r}")
    maxlen = int(maxlen)
    is_string_dtype = numpy.issubdtype(dtype, numpy.str_) or numpy.issubdtype(dtype, numpy.bytes_)
    if isinstance(value, str) and dtype is not object and not is_string_dtype:
        raise ValueError(
            f"pad_sequences: dtype {dtype} cannot hold the string padding value {value!r}; use "
            f"dtype=object for variable-length strings."
        )
    result = numpy.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return result
    for index, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = numpy.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"pad_sequences: items of sequence {index} have shape {kept.shape[1:]}, but the "
                f"first non-empty sequence's items have shape {sample_shape}"
            )
        if padding == "post":
            result[index, : len(kept)] = kept
        else:
            result[index, -len(kept):] = kept
    return result


def multi_hot_sequences(sequences, num_tokens, dtype=None):
    """One row per sequence with 1.0 at each token index that occurs in it, 0.0 elsewhere.

    The "vectorize_sequences" of Deep Learning with Python (ch. 4): a bag-of-words encoding in
    which repeated tokens still give 1.

        out[i, j] = 1.0 if j in sequences[i] else 0.0

    Args:
        sequences: a list of sequences of integer token indices in [0, num_tokens).
        num_tokens: the width of each row (the vocabulary size).
        dtype: output dtype; None uses `backend.floatx()` (float32).

    Returns:
        NumPy array of shape (len(sequences), num_tokens).

    Raises:
        ValueError: a token is negative or not below `num_tokens`, or is not an integer.

    Example:
        >>> multi_hot_sequences([[1, 3, 3], []], num_tokens=4)
        array([[0., 1., 0., 1.],
               [0., 0., 0., 0.]], dtype=float32)
    """
    if not isinstance(num_tokens, (int, numpy.integer)) or num_tokens <= 0:
        raise ValueError(f"multi_hot_sequences: num_tokens must be a positive integer, got {num_tokens!r}")
    dtype = backend.floatx() if dtype is None else dtype
    lengths = numpy.fromiter((len(s) for s in sequences), dtype=numpy.int64, count=len(sequences))
    result = numpy.zeros((len(sequences), int(num_tokens)), dtype=dtype)
    if lengths.sum() == 0:
        return result
    tokens = numpy.concatenate([numpy.asarray(s).reshape(-1) for s in sequences if len(s)])
    if tokens.dtype.kind not in "iu":
        raise ValueError(f"multi_hot_sequences expects integer token indices, got dtype {tokens.dtype}")
    if tokens.min() < 0 or tokens.max() >= num_tokens:
        bad = tokens[(tokens < 0) | (tokens >= num_tokens)][0]
        row = int(numpy.searchsorted(numpy.cumsum(lengths), numpy.flatnonzero(tokens == bad)[0], side="right"))
        raise ValueError(
            f"multi_hot_sequences got token {int(bad)} in sequence {row}, outside 0..{num_tokens - 1}; "
            f"raise num_tokens or load the data with num_words={num_tokens}."
        )
    rows = numpy.repeat(numpy.arange(len(sequences)), lengths)
    result[rows, tokens] = 1
    return result
