"""Keras' encoding of word-index sequences (IMDB, Reuters), done on flat arrays.

A set of N sequences is held as `tokens` (every sequence concatenated) and `offsets` (length N+1;
sequence i is `tokens[offsets[i]:offsets[i + 1]]`). Each step below is one step of Keras'
`load_data`, in Keras' order, but vectorized over all tokens at once instead of a Python loop per
word; the result is turned into Python lists only at the end.
"""
import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"


def read_sequences(arrays, name, layout):
    """(tokens, offsets) for sequence set `name` from a loaded .npz of either layout.

    "neuroflow" files hold `<name>_tokens` and `<name>_offsets`; Keras files hold `<name>` as an
    object array of Python lists.
    """
    if layout == "neuroflow":
        tokens = numpy.asarray(arrays[name + "_tokens"], dtype=numpy.int64)
        offsets = numpy.asarray(arrays[name + "_offsets"], dtype=numpy.int64)
        return tokens, offsets
    sequences = arrays[name]
    lengths = numpy.fromiter((len(x) for x in sequences), dtype=numpy.int64, count=len(sequences))
    offsets = numpy.concatenate([[0], numpy.cumsum(lengths)]).astype(numpy.int64)
    tokens = numpy.fromiter(
        (w for x in sequences for w in x), dtype=numpy.int64, count=int(offsets[-1])
    )
    return tokens, offsets


def lengths_of(offsets):
    return numpy.diff(offsets)


def take(tokens, offsets, order):
    """The sequences at indices `order`, in that order, as (tokens, offsets)."""
    lengths = lengths_of(offsets)[order]
    new_offsets = numpy.concatenate([[0], numpy.cumsum(lengths)]).astype(numpy.int64)
    if len(order) == 0:
        return tokens[:0], new_offsets
    # One slice per sequence: far cheaper than a per-token gather index for long sequences.
    starts, ends = offsets[:-1].tolist(), offsets[1:].tolist()
    return numpy.concatenate([tokens[starts[i]:ends[i]] for i in order.tolist()]), new_offsets


def shuffle(tokens, offsets, rng):
    """The sequences in the order `rng.shuffle` gives a range of their indices (Keras' shuffle).

    Returns:
        `(tokens, offsets, order)`: the shuffled set and the order, to take labels in the same way.
    """
    order = numpy.arange(len(offsets) - 1)
    rng.shuffle(order)
    tokens, offsets = take(tokens, offsets, order)
    return tokens, offsets, order


def shift(tokens, offsets, start_char, index_from):
    """Adds `index_from` to every word and puts `start_char` in front of each sequence (if not None).

    Keras: `[start_char] + [w + index_from for w in x]`, or without the start when it is None.
    """
    tokens = tokens + (index_from or 0)
    if start_char is None:
        return tokens, offsets
    count = len(offsets) - 1
    new_offsets = offsets + numpy.arange(count + 1)
    shifted = numpy.empty(len(tokens) + count, dtype=numpy.int64)
    is_start = numpy.zeros(len(shifted), dtype=bool)
    is_start[new_offsets[:-1]] = True
    shifted[is_start] = start_char
    shifted[~is_start] = tokens
    return shifted, new_offsets


def keep_shorter_than(tokens, offsets, labels, maxlen):
    """Keras' `remove_long_seq`: keeps the sequences with `len(x) < maxlen` (strictly shorter)."""
    keep = numpy.flatnonzero(lengths_of(offsets) < maxlen)
    tokens, offsets = take(tokens, offsets, keep)
    return tokens, offsets, labels[keep]


def limit_vocabulary(tokens, offsets, num_words, skip_top, oov_char):
    """Keeps words with `skip_top <= w < num_words`; others become `oov_char`, or are dropped if None."""
    inside = (tokens >= skip_top) & (tokens < num_words)
    if oov_char is not None:
        return numpy.where(inside, tokens, oov_char), offsets
    kept_before = numpy.concatenate([[0], numpy.cumsum(inside)])
    return tokens[inside], kept_before[offsets].astype(numpy.int64)


def limit_vocabulary_and_split(tokens, offsets, num_words, skip_top, oov_char, index):
    """Keras' last steps: `limit_vocabulary` (with `default_num_words` when `num_words` is None or
    0), then the first `index` sequences and the rest as two object arrays (`to_object_array`)."""
    if not num_words:
        num_words = default_num_words(tokens)
    tokens, offsets = limit_vocabulary(tokens, offsets, num_words, skip_top, oov_char)
    first, rest = split(tokens, offsets, index)
    return to_object_array(*first), to_object_array(*rest)


def to_object_array(tokens, offsets):
    """A 1-D object array whose items are Python lists of Python ints, as Keras returns."""
    values = tokens.tolist()
    bounds = offsets.tolist()
    result = numpy.empty(len(bounds) - 1, dtype=object)
    for i in range(len(bounds) - 1):
        result[i] = values[bounds[i]:bounds[i + 1]]
    return result


def concatenate(first, second):
    """Two (tokens, offsets) sets as one."""
    (tokens_a, offsets_a), (tokens_b, offsets_b) = first, second
    tokens = numpy.concatenate([tokens_a, tokens_b])
    offsets = numpy.concatenate([offsets_a, offsets_b[1:] + offsets_a[-1]])
    return tokens, offsets


def split(tokens, offsets, index):
    """The first `index` sequences and the rest, as two (tokens, offsets) sets."""
    cut = offsets[index]
    return (tokens[:cut], offsets[: index + 1]), (tokens[cut:], offsets[index:] - cut)


def default_num_words(tokens):
    """Keras' `max(max(x) for x in xs)`: the largest index in use (which `< num_words` then drops)."""
    if len(tokens) == 0:
        raise ValueError("No word is left to choose the vocabulary size from; pass num_words.")
    return int(tokens.max())


def check_options(num_words, skip_top, maxlen):
    """Clear errors for options Keras would fail on deep inside."""
    for name, value in (("num_words", num_words), ("maxlen", maxlen)):
        if value is not None and (not isinstance(value, (int, numpy.integer)) or value < 0):
            raise ValueError(f"{name} must be None or a non-negative integer, got {value!r}")
    if not isinstance(skip_top, (int, numpy.integer)) or skip_top < 0:
        raise ValueError(f"skip_top must be a non-negative integer, got {skip_top!r}")
