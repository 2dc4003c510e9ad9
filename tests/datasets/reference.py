"""Keras' sequence encoding written the slow, obvious way (lists, one word at a time).

Used as the oracle for neuroflow's vectorized version; the order of steps follows the
documentation of `keras.datasets.imdb/reuters.load_data` and ../shared/data/README.md.
"""
import numpy


def _encode(xs, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [int(w) + index_from for w in x] for x in xs]
    return [[int(w) + (index_from or 0) for w in x] for x in xs]


def _filter_long(xs, labels, maxlen):
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def _vocabulary(xs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def imdb(x_train, y_train, x_test, y_test, num_words=None, skip_top=0, maxlen=None, seed=113,
         start_char=1, oov_char=2, index_from=3):
    rng = numpy.random.RandomState(seed)
    i = numpy.arange(len(x_train))
    rng.shuffle(i)
    j = numpy.arange(len(x_test))
    rng.shuffle(j)
    tr = _encode([x_train[k] for k in i], start_char, index_from)
    te = _encode([x_test[k] for k in j], start_char, index_from)
    ytr, yte = list(numpy.asarray(y_train)[i]), list(numpy.asarray(y_test)[j])
    if maxlen:
        tr, ytr = _filter_long(tr, ytr, maxlen)
        te, yte = _filter_long(te, yte, maxlen)
    xs = _vocabulary(tr + te, num_words, skip_top, oov_char)
    labels = numpy.array(ytr + yte)
    return (xs[: len(tr)], labels[: len(tr)]), (xs[len(tr):], labels[len(tr):])


def reuters(xs, ys, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
            start_char=1, oov_char=2, index_from=3):
    i = numpy.arange(len(xs))
    numpy.random.RandomState(seed).shuffle(i)
    xs = _encode([xs[k] for k in i], start_char, index_from)
    ys = list(numpy.asarray(ys)[i])
    if maxlen:
        xs, ys = _filter_long(xs, ys, maxlen)
    xs = _vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return (xs[:cut], numpy.array(ys[:cut])), (xs[cut:], numpy.array(ys[cut:]))
