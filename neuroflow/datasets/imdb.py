"""IMDB movie-review sentiment dataset: 25,000 training and 25,000 test reviews, labels 1/0.

Reviews are sequences of word indices (1 = the most frequent word in the training set), returned
exactly as `keras.datasets.imdb.load_data` returns them.
"""
import numpy

from neuroflow.datasets import _cache, _sequences

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

IMDB_FILE = _cache.RemoteFile(
    name="imdb.npz",
    url=_cache.KERAS_ORIGIN + "imdb.npz",
    hashes={
        "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f": "keras",
        "sha256:b4a2cdf346a4d285b61d9d47ab0dab05a821c29a2a0b9916268c1fc02b5d8d08": "neuroflow",
    },
)
WORD_INDEX_FILE = _cache.RemoteFile(
    name="imdb_word_index.json",
    url=_cache.KERAS_ORIGIN + "imdb_word_index.json",
    hashes={
        "md5:bfafd718b763782e994055a2d397834f": "keras",
        "sha256:027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6": "keras",
    },
)


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the IMDB dataset, encoded as Keras encodes it.

    Steps, in Keras' order: shuffle the training split, then the test split, with one
    `numpy.random.RandomState(seed)`; put `start_char` in front of each review and add `index_from`
    to every word; drop reviews with `len >= maxlen` (each split separately); then, over both splits,
    replace words outside `skip_top <= w < num_words` by `oov_char` (or drop them when `oov_char` is
    None). With `num_words=None` the limit is the largest index in use, which itself then becomes
    `oov_char`, exactly as in Keras.

    Args:
        path: a file, a folder holding `imdb.npz`, or a file name in the cache
            (`~/.neuroflow/datasets`). Keras' own file and the pickle-free layout (tokens + offsets)
            are both read. See `neuroflow.datasets` for `NEUROFLOW_DATA_DIR`.
        num_words: keep the `num_words` most frequent words; None keeps all.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: keep only reviews shorter than `maxlen` (after adding `start_char`); None keeps all.
        seed: seed of the shuffle.
        start_char: index that marks the start of each review; None for no marker.
        oov_char: index that replaces cut-out words; None drops them.
        index_from: offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` are 1-D object arrays of Python lists of ints,
        `y_*` are int64 arrays of labels (1 positive, 0 negative).

    Raises:
        ValueError: `maxlen` keeps no review of a split, or an option is out of range.
        neuroflow.datasets.DatasetError: the file is missing offline, or fails its checksum.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
        >>> len(x_train), x_train[0][:3]
        (25000, [1, 14, 22])
    """
    _sequences.check_options(num_words, skip_top, maxlen)
    file_path, layout = _cache.fetch(IMDB_FILE, path)
    arrays = _cache.load_npz(file_path, allow_objects=(layout == "keras"))

    rng = numpy.random.RandomState(seed)
    splits = []
    for name in ("train", "test"):
        tokens, offsets = _sequences.read_sequences(arrays, "x_" + name, layout)
        labels = numpy.asarray(arrays["y_" + name])
        tokens, offsets, order = _sequences.shuffle(tokens, offsets, rng)
        tokens, offsets = _sequences.shift(tokens, offsets, start_char, index_from)
        splits.append([tokens, offsets, labels[order]])

    if maxlen:
        for split in splits:
            split[:] = _sequences.keep_shorter_than(*split, maxlen)
            if len(split[1]) == 1:
                raise ValueError(
                    f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                    f"kept. Increase maxlen."
                )

    train_count = len(splits[0][1]) - 1
    tokens, offsets = _sequences.concatenate(splits[0][:2], splits[1][:2])
    labels = numpy.concatenate([splits[0][2], splits[1][2]])
    x_train, x_test = _sequences.limit_vocabulary_and_split(
        tokens, offsets, num_words, skip_top, oov_char, train_count
    )
    return (x_train, labels[:train_count]), (x_test, labels[train_count:])


def get_word_index(path="imdb_word_index.json"):
    """The dict mapping each word to its index (1 = most frequent) in the IMDB data.

    Indices in `load_data`'s output are these plus `index_from` (3 by default); 0, 1 and 2 are
    padding, start and out-of-vocabulary.

    Args:
        path: a file, a folder holding `imdb_word_index.json`, or a file name in the cache.

    Returns:
        dict of str to int.
    """
    return _cache.fetch_json(WORD_INDEX_FILE, path)
