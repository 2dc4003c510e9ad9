"""Boston housing prices (Harrison & Rubinfeld, 1978): 506 suburbs, 13 features, median value.

Column B of this dataset encodes a race-based quantity; Keras and scikit-learn discourage its use
outside teaching about such problems. It is here for parity with the Keras examples.
"""
import numpy

from neuroflow.datasets import _cache

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

BOSTON_FILE = _cache.RemoteFile(
    name="boston_housing.npz",
    url=_cache.KERAS_ORIGIN + "boston_housing.npz",
    hashes={"sha256:f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5": "keras"},
)


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads Boston housing, shuffled with `RandomState(seed)` and split as Keras does.

    Args:
        path: a file, a folder holding `boston_housing.npz`, or a file name in the cache.
        test_split: fraction of rows reserved for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays (404, 13), (404,), (102, 13),
        (102,) by default; targets are median home values in k$.

    Raises:
        ValueError: `test_split` is outside [0, 1).
        neuroflow.datasets.DatasetError: the file is missing offline, or fails its checksum.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split!r}")
    file_path, _ = _cache.fetch(BOSTON_FILE, path)
    arrays = _cache.load_npz(file_path)
    x, y = arrays["x"], arrays["y"]
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    index = int(len(x) * (1 - test_split))
    return (x[:index], y[:index]), (x[index:], y[index:])
