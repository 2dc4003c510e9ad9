"""Fisher's Iris data (public domain): 150 flowers, 4 measurements in cm, 3 species.

Not part of Keras; shipped inside neuroflow (`iris.csv`, no download) as a small classification
set. The rows are the UCI "bezdekIris" version, which matches Fisher's 1936 paper (and R's and
scikit-learn's `iris`): 50 setosa, then 50 versicolor, then 50 virginica.
"""
import os

import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

FEATURE_NAMES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASS_NAMES = ("setosa", "versicolor", "virginica")
_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iris.csv")


def _read():
    with open(_CSV, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    rows = [line.split(",") for line in lines[1:]]
    x = numpy.array([[float(v) for v in row[:4]] for row in rows], dtype=numpy.float32)
    y = numpy.array([CLASS_NAMES.index(row[4]) for row in rows], dtype=numpy.int64)
    return x, y


def load_data(test_split=0.2, seed=113):
    """Loads Iris, shuffled with `numpy.random.RandomState(seed)` and split like `boston_housing`.

    Args:
        test_split: fraction of rows reserved for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 features (n, 4) in the order of
        `FEATURE_NAMES`, int64 labels 0..2 indexing `CLASS_NAMES`. By default 120 / 30 rows.

    Raises:
        ValueError: `test_split` is outside [0, 1).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = iris.load_data()
        >>> x_train.shape, x_test.shape
        ((120, 4), (30, 4))
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split!r}")
    x, y = _read()
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    index = int(len(x) * (1 - test_split))
    return (x[:index], y[:index]), (x[index:], y[index:])
