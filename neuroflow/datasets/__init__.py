"""Small standard datasets with `keras.datasets`' loaders, plus Iris.

Each module has `load_data()` with Keras' signature, return layout and dtypes. Files are found
at the loader's `path=`, in the folder named by the `NEUROFLOW_DATA_DIR` environment variable (for
offline use), or in the download cache `~/.neuroflow/datasets` (`NEUROFLOW_CACHE_DIR` overrides);
otherwise they are downloaded from Keras' own addresses. Every file is checked against a known
SHA-256 (MD5 for Keras' word-index files) before it is read; see `_cache`.
"""
from neuroflow.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    iris,
    mnist,
    reuters,
)
from neuroflow.datasets._cache import DatasetError

__all__ = [
    "DatasetError",
    "boston_housing",
    "cifar10",
    "fashion_mnist",
    "imdb",
    "iris",
    "mnist",
    "reuters",
    # keras.datasets' remaining loaders.
    "california_housing",
    "cifar100",
]
