"""Fashion-MNIST (Zalando, MIT license): 60,000 + 10,000 grayscale 28x28 images of 10 garments.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot.
"""
import gzip

import numpy

from neuroflow.datasets import _cache

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

# Keras downloads the four original IDX files; their SHA-256 as Keras publishes them.
_IDX_HASHES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
IDX_FILES = {
    name: _cache.RemoteFile(
        name=name,
        url=_cache.KERAS_ORIGIN + name,
        hashes={"sha256:" + digest: "keras"},
        aliases=("fashion-mnist/" + name,),
        cache_subdir="fashion-mnist",
    )
    for name, digest in _IDX_HASHES.items()
}
# The same arrays as one pickle-free .npz (neuroflow's offline data folder); used when a verified
# copy is present, never downloaded (Keras publishes only the IDX files), hence no url.
NPZ_FILE = _cache.RemoteFile(
    name="fashion_mnist.npz",
    url="",
    hashes={"sha256:5b6d2c4c694a91887af8ab7d039c04f80af3c29378d731c93a538d2e831aa469": "neuroflow"},
)


def load_data():
    """Loads Fashion-MNIST as `keras.datasets.fashion_mnist.load_data` does.

    Uses `fashion_mnist.npz` from `NEUROFLOW_DATA_DIR` or the cache when a verified copy is there;
    otherwise the four IDX files Keras uses (found locally or downloaded).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes (60000, 28, 28), (60000,),
        (10000, 28, 28), (10000,).

    Raises:
        neuroflow.datasets.DatasetError: the files are missing offline, or fail their checksums.
    """
    local = _cache.find_local(NPZ_FILE)
    if local is not None:
        arrays = _cache.load_npz(local[0])
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    parts = {}
    for name, remote in IDX_FILES.items():
        file_path, _ = _cache.fetch(remote)
        with gzip.open(file_path, "rb") as handle:
            data = handle.read()
        # IDX: labels have an 8-byte header, images a 16-byte one, then raw uint8.
        parts[name] = numpy.frombuffer(data, numpy.uint8, offset=8 if "labels" in name else 16)
    y_train = parts["train-labels-idx1-ubyte.gz"]
    y_test = parts["t10k-labels-idx1-ubyte.gz"]
    x_train = parts["train-images-idx3-ubyte.gz"].reshape(len(y_train), 28, 28)
    x_test = parts["t10k-images-idx3-ubyte.gz"].reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
