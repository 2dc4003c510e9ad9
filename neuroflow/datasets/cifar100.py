"""CIFAR-100: 50,000 training and 10,000 test colour images, 32x32x3 uint8, in 100 classes.

Each image has a fine label (0-99) and a coarse label (0-19, the superclass of the fine one).
"""
import tarfile

import numpy

from neuroflow import backend
from neuroflow.datasets import _cache

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

CIFAR100_FILE = _cache.RemoteFile(
    name="cifar-100-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
    hashes={"sha256:85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7": "keras"},
    # Keras downloads the archive under the name of its extraction folder.
    aliases=("cifar-100-python-target", "cifar-100-python-target.tar.gz"),
)
_FOLDER = "cifar-100-python"


def _load_part(archive, member, label_key):
    """(data (n, 3, 32, 32) uint8, labels (n, 1) int64) from the pickled `train` or `test` member."""
    handle = archive.extractfile(f"{_FOLDER}/{member}")
    if handle is None:
        raise _cache.DatasetError(f"{archive.name}: {_FOLDER}/{member} is not a file.")
    # A Python 2 pickle of a dict with bytes keys; the archive's hash matched before this point, and
    # the restricted unpickler still refuses anything but arrays and plain data.
    part = _cache.restricted_loads(handle.read(), encoding="bytes")
    data = numpy.asarray(part[b"data"], dtype=numpy.uint8)
    # Keras reshapes the label list as it is, which gives int64 labels (unlike CIFAR-10's uint8).
    labels = numpy.asarray(part[label_key.encode()], dtype=numpy.int64)
    return data.reshape(len(data), 3, 32, 32), labels.reshape(-1, 1)


def load_data(label_mode="fine"):
    """Loads CIFAR-100 as `keras.datasets.cifar100.load_data` does.

    The archive `cifar-100-python.tar.gz` (from `NEUROFLOW_DATA_DIR`, the cache, or downloaded) is
    verified against Keras' SHA-256 and read in place, without extracting it. Images are channels
    last unless `neuroflow.config.image_data_format()` is "channels_first".

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images (50000, 32, 32, 3) and (10000, 32, 32, 3),
        int64 labels (50000, 1) and (10000, 1).

    Raises:
        ValueError: `label_mode` is neither "fine" nor "coarse".
        neuroflow.datasets.DatasetError: the archive is missing offline, or fails its checksum.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"Argument `label_mode` must be one of 'fine', 'coarse'. Received: label_mode={label_mode!r}")
    file_path, _ = _cache.fetch(CIFAR100_FILE)
    label_key = f"{label_mode}_labels"
    with tarfile.open(file_path, "r:gz") as archive:
        x_train, y_train = _load_part(archive, "train", label_key)
        x_test, y_test = _load_part(archive, "test", label_key)
    if backend.image_data_format() == "channels_last":
        x_train = numpy.ascontiguousarray(x_train.transpose(0, 2, 3, 1))
        x_test = numpy.ascontiguousarray(x_test.transpose(0, 2, 3, 1))
    return (x_train, y_train), (x_test, y_test)
