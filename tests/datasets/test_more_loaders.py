"""california_housing and cifar100 on small files in Keras' layouts (no network)."""
import io
import pickle
import tarfile

import numpy
import pytest

from neuroflow import backend
from neuroflow.datasets import DatasetError, california_housing, cifar100
from tests.datasets.test_loaders import trust


def _california(path, rows, rng):
    x = rng.normal(size=(rows, 8))
    y = rng.uniform(15000, 500000, size=rows).astype(numpy.float32)
    numpy.savez(path, x=x, y=y)
    return x, y


def _keras_split(x, y, test_split, seed):
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)
    cut = int(len(x) * (1 - test_split))
    return (x[order][:cut], y[order][:cut]), (x[order][cut:], y[order][cut:])


@pytest.mark.parametrize("version, rows, test_split, seed", [("large", 50, 0.2, 113), ("small", 700, 0.3, 7)])
def test_california_split_as_keras(tmp_path, monkeypatch, offline, version, rows, test_split, seed):
    path = tmp_path / "california_housing.npz"
    x, y = _california(path, rows, numpy.random.default_rng(1))
    trust(monkeypatch, california_housing, "CALIFORNIA_FILE", {path: "keras"})
    got = california_housing.load_data(version=version, path=str(path), test_split=test_split, seed=seed)
    used = 600 if version == "small" else rows
    expected = _keras_split(x[:used], y[:used], test_split, seed)
    for got_part, expected_part in zip(got, expected):
        for a, b in zip(got_part, expected_part):
            numpy.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype
    assert len(got[0][0]) == int(used * (1 - test_split)) and offline == []


def test_california_from_data_dir_and_bad_arguments(tmp_path, monkeypatch, offline):
    path = tmp_path / "california_housing.npz"
    _california(path, 10, numpy.random.default_rng(2))
    trust(monkeypatch, california_housing, "CALIFORNIA_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    (x_train, _), (x_test, _) = california_housing.load_data()
    assert x_train.shape == (8, 8) and x_test.shape == (2, 8)
    with pytest.raises(ValueError, match="version.*'small', 'large'.*version='medium'"):
        california_housing.load_data(version="medium")
    with pytest.raises(ValueError, match="test_split.*test_split=1.5"):
        california_housing.load_data(test_split=1.5)


def test_california_offline_error_and_canonical_address(offline):
    assert california_housing.CALIFORNIA_FILE.url == (
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz")
    with pytest.raises(DatasetError, match="california_housing.npz"):
        california_housing.load_data()
    assert offline == [california_housing.CALIFORNIA_FILE.url]


def _cifar100_archive(path, parts, replace_test=None):
    with tarfile.open(path, "w:gz") as archive:
        for member, part in parts.items():
            data = replace_test if (replace_test and member == "test") else pickle.dumps(part, protocol=2)
            info = tarfile.TarInfo("cifar-100-python/" + member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _cifar100_parts(rng):
    parts = {}
    for member, count in (("train", 5), ("test", 3)):
        fine = rng.integers(0, 100, count).tolist()
        parts[member] = {
            b"filenames": [b"img%d.png" % i for i in range(count)],
            b"batch_label": member.encode(),
            b"fine_labels": fine,
            b"coarse_labels": [label // 5 for label in fine],
            b"data": rng.integers(0, 256, (count, 3072), dtype=numpy.uint8),
        }
    return parts


@pytest.fixture
def cifar100_files(tmp_path, monkeypatch, offline):
    parts = _cifar100_parts(numpy.random.default_rng(3))
    path = tmp_path / "cifar-100-python.tar.gz"
    _cifar100_archive(path, parts)
    trust(monkeypatch, cifar100, "CIFAR100_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    return parts


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_tiny_archive(cifar100_files, label_mode):
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    assert x_train.shape == (5, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert x_train.dtype == x_test.dtype == numpy.uint8
    assert y_train.shape == (5, 1) and y_test.shape == (3, 1) and y_train.dtype == numpy.int64
    key = f"{label_mode}_labels".encode()
    assert y_train[:, 0].tolist() == cifar100_files["train"][key]
    assert y_test[:, 0].tolist() == cifar100_files["test"][key]
    # Rows hold 1024 red, then 1024 green, then 1024 blue values, each row-major 32x32.
    row = cifar100_files["test"][b"data"][2]
    assert x_test[2, 0, 1, 0] == row[1] and x_test[2, 1, 0, 1] == row[1024 + 32] and x_test[2, 31, 31, 2] == row[-1]


def test_cifar100_channels_first(cifar100_files, monkeypatch):
    monkeypatch.setattr(backend, "_image_data_format", "channels_first")
    (x_train, _), _ = cifar100.load_data()
    assert x_train.shape == (5, 3, 32, 32)
    numpy.testing.assert_array_equal(x_train.reshape(5, -1), cifar100_files["train"][b"data"])


def test_cifar100_bad_label_mode(cifar100_files):
    with pytest.raises(ValueError, match="label_mode.*'fine', 'coarse'.*label_mode='medium'"):
        cifar100.load_data(label_mode="medium")


class _Planted:
    def __reduce__(self):
        import os

        return (os.getcwd, ())


def test_cifar100_pickle_with_other_globals_is_refused(tmp_path, monkeypatch, offline):
    path = tmp_path / "cifar-100-python.tar.gz"
    _cifar100_archive(path, _cifar100_parts(numpy.random.default_rng(4)), replace_test=pickle.dumps(_Planted()))
    trust(monkeypatch, cifar100, "CIFAR100_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        cifar100.load_data()


def test_cifar100_offline_error_names_url(offline):
    with pytest.raises(DatasetError, match="cifar-100-python.tar.gz"):
        cifar100.load_data()
    assert offline == ["https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"]
