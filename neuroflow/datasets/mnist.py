"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8."""
from neuroflow.datasets import _cache

MNIST_FILE = _cache.RemoteFile(
    name="mnist.npz",
    url=_cache.KERAS_ORIGIN + "mnist.npz",
    hashes={
        "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1": "keras",
        # The same arrays rebuilt from the original images (neuroflow's offline data folder).
        "sha256:06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": "neuroflow",
    },
)


def load_data(path="mnist.npz"):
    """Loads MNIST as `keras.datasets.mnist.load_data` does.

    Args:
        path: a file, a folder holding `mnist.npz`, or a file name in the cache
            (`~/.neuroflow/datasets`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes (60000, 28, 28), (60000,),
        (10000, 28, 28), (10000,); pixels 0..255, labels 0..9.

    Raises:
        neuroflow.datasets.DatasetError: the file is missing offline, or fails its checksum.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
        >>> x_train.shape, y_train[:3]
        ((60000, 28, 28), array([5, 0, 4], dtype=uint8))
    """
    file_path, _ = _cache.fetch(MNIST_FILE, path)
    arrays = _cache.load_npz(file_path)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
