"""K-fold cross-validation inside a trial: the folds, and the slices of the data for each.

`tuner.search(x, y, epochs=20, cross_validation=5)` trains each trial's model five times, each time on four
fifths of (x, y) with the fifth held out as its validation data; the trial's metrics are the five runs'
epoch-by-epoch means, and its score is the best epoch of that mean validation curve. `cross_validation` is
an integer K (shuffled K folds, seeded by the oracle's seed, the same folds for every trial) or any
scikit-learn splitter (`StratifiedKFold(5)`, `GroupKFold`, ...: an object with `split(x, y)`).
"""
import numpy

HOST_NUMPY = "hyperparameter-search bookkeeping on host numbers"  # numpy here works on host data (tests/test_backend_seam.py)


def _first_array(data):
    if isinstance(data, dict):
        return _first_array(next(iter(data.values())))
    if isinstance(data, (list, tuple)):
        return _first_array(data[0])
    return data


def take(data, indices):
    """The rows `indices` of an array, or of every array in a list / tuple / dict of arrays."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {name: take(value, indices) for name, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(take(value, indices) for value in data)
    return numpy.asarray(data)[indices]


def folds(cross_validation, x, y, seed):
    """The (train_indices, validation_indices) pairs of the folds.

    Raises:
        ValueError: for K < 2, K above the sample count, or a value that is neither an int nor a splitter.
    """
    samples = len(_first_array(x))
    if hasattr(cross_validation, "split") and not isinstance(cross_validation, str):
        # scikit-learn's splitters index by position; they need array-likes, not dicts of inputs.
        return [(numpy.asarray(train), numpy.asarray(held_out))
                for train, held_out in cross_validation.split(numpy.zeros((samples, 1)), _first_array(y))]
    if isinstance(cross_validation, bool) or not isinstance(cross_validation, (int, numpy.integer)):
        raise ValueError("cross_validation must be an integer K >= 2 or a scikit-learn splitter (an object with "
                         f"split(x, y)); received {cross_validation!r}")
    k = int(cross_validation)
    if not 2 <= k <= samples:
        raise ValueError(f"cross_validation=K needs 2 <= K <= the number of samples ({samples}); received {k}")
    order = numpy.random.default_rng(seed).permutation(samples)
    parts = numpy.array_split(order, k)
    return [(numpy.sort(numpy.concatenate(parts[:index] + parts[index + 1:])), numpy.sort(part))
            for index, part in enumerate(parts)]
