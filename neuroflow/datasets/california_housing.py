"""California housing (Pace & Barry, 1997): 20,640 census block groups of the 1990 US census.

Features, in order: MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude,
Longitude. The target is the median house value in dollars.
"""
import numpy

from neuroflow.datasets import _cache

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

CALIFORNIA_FILE = _cache.RemoteFile(
    name="california_housing.npz",
    url=_cache.KERAS_ORIGIN + "california_housing.npz",
    hashes={"sha256:1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f": "keras"},
)
_SMALL_ROWS = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads California housing, shuffled with `RandomState(seed)` and split as Keras does.

    Args:
        version: "large" (all 20,640 rows) or "small" (the first 600, a stand-in for Boston housing).
        path: a file, a folder holding `california_housing.npz`, or a file name in the cache.
        test_split: fraction of rows reserved for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: arrays (n, 8) and (n,) with Keras' dtypes; by default
        16,512 training and 4,128 test rows.

    Raises:
        ValueError: `test_split` is outside [0, 1), or `version` is neither "small" nor "large".
        neuroflow.datasets.DatasetError: the file is missing offline, or fails its checksum.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Argument `test_split` must be in [0, 1). Received: test_split={test_split!r}")
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version!r}")
    file_path, _ = _cache.fetch(CALIFORNIA_FILE, path)
    arrays = _cache.load_npz(file_path)
    x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:_SMALL_ROWS], y[:_SMALL_ROWS]
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    index = int(len(x) * (1 - test_split))
    return (x[:index], y[:index]), (x[index:], y[index:])
