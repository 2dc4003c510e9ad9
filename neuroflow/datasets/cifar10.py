"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32x3 uint8, in 10 classes.

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck.
"""
import tarfile

import numpy

from neuroflow.datasets import _cache

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

CIFAR10_FILE = _cache.RemoteFile(
    name="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    hashes={"sha256:6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce": "keras"},
    # Keras caches the same archive under this name.
    aliases=("cifar-10-batches-py.tar.gz",),
)
_FOLDER = "cifar-10-batches-py"


def _load_batch(archive, member):
    """(data (n, 3, 32, 32) uint8, labels (n,) uint8) from one pickled batch inside the archive."""
    handle = archive.extractfile(f"{_FOLDER}/{member}")
    if handle is None:
        raise _cache.DatasetError(f"{archive.name}: {_FOLDER}/{member} is not a file.")
    # The batches are Python 2 pickles of a dict with bytes keys; the archive's hash matched
    # before this point, and the restricted unpickler still refuses anything but arrays.
    batch = _cache.restricted_loads(handle.read(), encoding="bytes")
    data = numpy.asarray(batch[b"data"], dtype=numpy.uint8)
    labels = numpy.asarray(batch[b"labels"], dtype=numpy.uint8)
    return data.reshape(len(data), 3, 32, 32), labels


def load_data():
    """Loads CIFAR-10 as `keras.datasets.cifar10.load_data` does (channels last).

    The archive `cifar-10-python.tar.gz` (from `NEUROFLOW_DATA_DIR`, the cache, or downloaded) is
    verified against Keras' SHA-256 and read in place, without extracting it.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1).

    Raises:
        neuroflow.datasets.DatasetError: the archive is missing offline, or fails its checksum.
    """
    file_path, _ = _cache.fetch(CIFAR10_FILE)
    with tarfile.open(file_path, "r:gz") as archive:
        train = [_load_batch(archive, f"data_batch_{i}") for i in range(1, 6)]
        x_test, y_test = _load_batch(archive, "test_batch")
    x_train = numpy.concatenate([data for data, _ in train])
    y_train = numpy.concatenate([labels for _, labels in train])
    x_train = numpy.ascontiguousarray(x_train.transpose(0, 2, 3, 1))
    x_test = numpy.ascontiguousarray(x_test.transpose(0, 2, 3, 1))
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
