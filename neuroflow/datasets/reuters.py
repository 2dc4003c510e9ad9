"""Reuters newswire topics: 11,228 newswires over 46 topics, as `keras.datasets.reuters` gives them."""
import numpy

from neuroflow.datasets import _cache, _sequences

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

REUTERS_FILE = _cache.RemoteFile(
    name="reuters.npz",
    url=_cache.KERAS_ORIGIN + "reuters.npz",
    hashes={
        "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916": "keras",
        "sha256:835c8885f3f7bcae4c8f6cd79a1e40b00da7c8f96e0d16a4186d1b4a4458ca2e": "neuroflow",
    },
    aliases=("keras_original/reuters.npz",),
)
WORD_INDEX_FILE = _cache.RemoteFile(
    name="reuters_word_index.json",
    url=_cache.KERAS_ORIGIN + "reuters_word_index.json",
    hashes={
        "md5:4d44cc38712099c9e383dc6e5f11a921": "keras",
        "sha256:9b56000edc4b34a32e89fd5a23b2605594682c74efcf7d8f4e2a5514b771e633": "keras",
    },
)

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi",
    "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the Reuters newswire dataset, encoded and split as Keras does.

    Steps, in Keras' order: shuffle all newswires with `numpy.random.RandomState(seed)`; put
    `start_char` in front and add `index_from` to every word; drop newswires with `len >= maxlen`;
    replace words outside `skip_top <= w < num_words` by `oov_char` (drop them when None); split at
    `int(n * (1 - test_split))`. With `num_words=None` the limit is the largest index in use.

    Args:
        path: a file, a folder holding `reuters.npz`, or a file name in the cache. Keras' own file
            and the pickle-free layout (tokens + offsets) are both read.
        num_words: keep the `num_words` most frequent words; None keeps all.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: keep only newswires shorter than `maxlen`; None keeps all.
        test_split: fraction of the newswires used as test data.
        seed: seed of the shuffle.
        start_char: index that marks the start of each newswire; None for no marker.
        oov_char: index that replaces cut-out words; None drops them.
        index_from: offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` are 1-D object arrays of Python lists of ints,
        `y_*` int64 topic ids 0..45 (names: `get_label_names()`). Default split: 8,982 / 2,246.

    Raises:
        ValueError: an option is out of range.
        neuroflow.datasets.DatasetError: the file is missing offline, or fails its checksum.
    """
    _sequences.check_options(num_words, skip_top, maxlen)
    if not 0 <= test_split <= 1:
        raise ValueError(f"test_split must be between 0 and 1, got {test_split!r}")
    file_path, layout = _cache.fetch(REUTERS_FILE, path)
    arrays = _cache.load_npz(file_path, allow_objects=(layout == "keras"))
    tokens, offsets = _sequences.read_sequences(arrays, "x", layout)
    labels = numpy.asarray(arrays["y"])

    tokens, offsets, order = _sequences.shuffle(tokens, offsets, numpy.random.RandomState(seed))
    labels = labels[order]
    tokens, offsets = _sequences.shift(tokens, offsets, start_char, index_from)
    if maxlen:
        tokens, offsets, labels = _sequences.keep_shorter_than(tokens, offsets, labels, maxlen)
    index = int((len(offsets) - 1) * (1 - test_split))
    x_train, x_test = _sequences.limit_vocabulary_and_split(tokens, offsets, num_words, skip_top, oov_char, index)
    return (x_train, numpy.array(labels[:index])), (x_test, numpy.array(labels[index:]))


def get_word_index(path="reuters_word_index.json"):
    """The dict mapping each word to its index (1 = most frequent) in the Reuters data.

    Indices in `load_data`'s output are these plus `index_from` (3 by default).

    Args:
        path: a file, a folder holding `reuters_word_index.json`, or a file name in the cache.

    Returns:
        dict of str to int.
    """
    return _cache.fetch_json(WORD_INDEX_FILE, path)


def get_label_names():
    """The 46 topic names, indexed by label id: ('cocoa', 'grain', 'veg-oil', 'earn', ...)."""
    return _LABEL_NAMES
