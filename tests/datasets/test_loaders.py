"""Loaders on small fixture files in both on-disk layouts, compared with Keras' procedure."""
import dataclasses
import gzip
import io
import json
import pickle
import tarfile

import numpy
import pytest

from neuroflow.datasets import (
    DatasetError,
    boston_housing,
    cifar10,
    fashion_mnist,
    imdb,
    iris,
    mnist,
    reuters,
)
from tests.datasets import reference
from tests.datasets.conftest import sha256_of


def ragged(rng, count, vocabulary=60, shortest=1, longest=15):
    return [rng.integers(1, vocabulary, size=rng.integers(shortest, longest + 1)).tolist() for _ in range(count)]


def object_array(lists):
    result = numpy.empty(len(lists), dtype=object)
    for i, item in enumerate(lists):
        result[i] = item
    return result


def tokens_and_offsets(lists):
    offsets = numpy.concatenate([[0], numpy.cumsum([len(x) for x in lists])]).astype(numpy.int64)
    tokens = numpy.array([w for x in lists for w in x], dtype=numpy.int32)
    return tokens, offsets


def trust(monkeypatch, module, attribute, layouts):
    """Replaces a loader's known hashes by those of fixture files: {path: layout}."""
    remote = getattr(module, attribute)
    hashes = {"sha256:" + sha256_of(path): layout for path, layout in layouts.items()}
    monkeypatch.setattr(module, attribute, dataclasses.replace(remote, hashes=hashes))


def assert_sequences_equal(actual, expected):
    assert isinstance(actual, numpy.ndarray) and actual.dtype == object and actual.ndim == 1
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        assert type(got) is list and got == want
        assert all(type(w) is int for w in got)


# --- IMDB ---------------------------------------------------------------------------------------

@pytest.fixture
def imdb_files(tmp_path, monkeypatch, offline):
    rng = numpy.random.default_rng(0)
    raw = {"x_train": ragged(rng, 40), "x_test": ragged(rng, 30)}
    raw["y_train"] = rng.integers(0, 2, 40)
    raw["y_test"] = rng.integers(0, 2, 30)
    (tmp_path / "k").mkdir()
    (tmp_path / "n").mkdir()
    keras_file, tokens_file = tmp_path / "k" / "imdb.npz", tmp_path / "n" / "imdb.npz"
    numpy.savez(keras_file, x_train=object_array(raw["x_train"]), y_train=raw["y_train"],
                x_test=object_array(raw["x_test"]), y_test=raw["y_test"])
    flat = {}
    for name in ("x_train", "x_test"):
        flat[name + "_tokens"], flat[name + "_offsets"] = tokens_and_offsets(raw[name])
    numpy.savez(tokens_file, y_train=raw["y_train"], y_test=raw["y_test"], **flat)
    trust(monkeypatch, imdb, "IMDB_FILE", {keras_file: "keras", tokens_file: "neuroflow"})
    return raw, keras_file, tokens_file


IMDB_OPTIONS = [
    {},
    {"num_words": 20},
    {"num_words": 25, "skip_top": 6},
    {"maxlen": 9},
    {"maxlen": 9, "num_words": 30, "oov_char": None},
    {"start_char": None},
    {"start_char": None, "index_from": 0},
    {"seed": 7, "index_from": 5, "start_char": 2, "oov_char": 3},
    {"skip_top": 2},  # start_char 1 < skip_top, so it becomes oov_char too, as in Keras
]


@pytest.mark.parametrize("options", IMDB_OPTIONS)
def test_imdb_both_layouts_match_keras_procedure(imdb_files, options):
    raw, keras_file, tokens_file = imdb_files
    (want_xtr, want_ytr), (want_xte, want_yte) = reference.imdb(
        raw["x_train"], raw["y_train"], raw["x_test"], raw["y_test"], **options
    )
    for path in (keras_file, tokens_file):
        (x_train, y_train), (x_test, y_test) = imdb.load_data(path=str(path), **options)
        assert_sequences_equal(x_train, want_xtr)
        assert_sequences_equal(x_test, want_xte)
        numpy.testing.assert_array_equal(y_train, want_ytr)
        numpy.testing.assert_array_equal(y_test, want_yte)
        assert y_train.dtype == numpy.int64


def test_imdb_worked_example(imdb_files):
    raw, _, tokens_file = imdb_files
    order = numpy.arange(40)
    numpy.random.RandomState(113).shuffle(order)
    (x_train, y_train), _ = imdb.load_data(path=str(tokens_file), num_words=20)
    first = raw["x_train"][order[0]]
    assert x_train[0] == [1] + [w + 3 if w + 3 < 20 else 2 for w in first]
    assert y_train[0] == raw["y_train"][order[0]]


def test_imdb_maxlen_that_keeps_nothing(imdb_files):
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(path=str(imdb_files[2]), maxlen=2)


def test_imdb_file_with_unknown_hash_is_not_loaded(imdb_files, tmp_path):
    raw, keras_file, _ = imdb_files
    tampered = tmp_path / "t" / "imdb.npz"
    tampered.parent.mkdir()
    tampered.write_bytes(keras_file.read_bytes()[:-10])
    with pytest.warns(UserWarning, match="corrupt or truncated"), pytest.raises(DatasetError, match="imdb.npz"):
        imdb.load_data(path=str(tampered))


def test_pickled_file_under_a_pickle_free_hash_is_refused(imdb_files, monkeypatch):
    # A file whose hash is trusted as the pickle-free layout must not be unpickled.
    _, keras_file, _ = imdb_files
    trust(monkeypatch, imdb, "IMDB_FILE", {keras_file: "neuroflow"})
    with pytest.raises(DatasetError, match="pickled Python objects"):
        imdb.load_data(path=str(keras_file))


def test_imdb_bad_options(imdb_files):
    with pytest.raises(ValueError, match="num_words"):
        imdb.load_data(path=str(imdb_files[2]), num_words=-1)
    with pytest.raises(ValueError, match="skip_top"):
        imdb.load_data(path=str(imdb_files[2]), skip_top=None)


def test_word_index_verified_by_keras_md5(tmp_path, monkeypatch, offline):
    path = tmp_path / "imdb_word_index.json"
    path.write_text(json.dumps({"the": 1, "and": 2}))
    import hashlib

    remote = dataclasses.replace(imdb.WORD_INDEX_FILE, hashes={"md5:" + hashlib.md5(path.read_bytes()).hexdigest(): "keras"})
    monkeypatch.setattr(imdb, "WORD_INDEX_FILE", remote)
    assert imdb.get_word_index(path=str(tmp_path)) == {"the": 1, "and": 2}
    path.write_text(json.dumps({"the": 1, "and": 3}))
    with pytest.warns(UserWarning), pytest.raises(DatasetError, match="imdb_word_index.json"):
        imdb.get_word_index(path=str(path))


# --- Reuters ------------------------------------------------------------------------------------

@pytest.fixture
def reuters_files(tmp_path, monkeypatch, offline):
    rng = numpy.random.default_rng(1)
    xs, ys = ragged(rng, 50), rng.integers(0, 46, 50)
    keras_file, tokens_file = tmp_path / "reuters_keras.npz", tmp_path / "reuters_flat.npz"
    numpy.savez(keras_file, x=object_array(xs), y=ys)
    tokens, offsets = tokens_and_offsets(xs)
    numpy.savez(tokens_file, x_tokens=tokens, x_offsets=offsets, y=ys)
    trust(monkeypatch, reuters, "REUTERS_FILE", {keras_file: "keras", tokens_file: "neuroflow"})
    return xs, ys, keras_file, tokens_file


@pytest.mark.parametrize(
    "options",
    [{}, {"num_words": 20}, {"maxlen": 10, "test_split": 0.3}, {"skip_top": 4, "oov_char": None},
     {"start_char": None, "index_from": 0, "seed": 3}, {"test_split": 0.0}],
)
def test_reuters_both_layouts_match_keras_procedure(reuters_files, options):
    xs, ys, keras_file, tokens_file = reuters_files
    (want_xtr, want_ytr), (want_xte, want_yte) = reference.reuters(xs, ys, **options)
    for path in (keras_file, tokens_file):
        (x_train, y_train), (x_test, y_test) = reuters.load_data(path=str(path), **options)
        assert_sequences_equal(x_train, want_xtr)
        assert_sequences_equal(x_test, want_xte)
        numpy.testing.assert_array_equal(y_train, want_ytr)
        numpy.testing.assert_array_equal(y_test, want_yte)
    assert len(x_train) == int(50 * (1 - options.get("test_split", 0.2))) or "maxlen" in options


def test_reuters_label_names():
    names = reuters.get_label_names()
    assert len(names) == 46 and names[:5] == ("cocoa", "grain", "veg-oil", "earn", "acq")
    assert names[-1] == "lead"


# --- Images and tables --------------------------------------------------------------------------

def test_mnist_fixture_layout(tmp_path, monkeypatch, offline):
    rng = numpy.random.default_rng(2)
    arrays = {
        "x_train": rng.integers(0, 256, (6, 28, 28), dtype=numpy.uint8),
        "y_train": numpy.arange(6, dtype=numpy.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=numpy.uint8),
        "y_test": numpy.array([7, 2], dtype=numpy.uint8),
    }
    path = tmp_path / "mnist.npz"
    numpy.savez(path, **arrays)
    trust(monkeypatch, mnist, "MNIST_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for got, name in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")):
        assert got.dtype == numpy.uint8
        numpy.testing.assert_array_equal(got, arrays[name])
    assert offline == []


def test_mnist_offline_error(offline):
    with pytest.raises(DatasetError) as info:
        mnist.load_data()
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in str(info.value)
    assert "NEUROFLOW_DATA_DIR" in str(info.value)


def test_boston_fixture_split(tmp_path, monkeypatch, offline):
    x = numpy.arange(10 * 13, dtype=numpy.float64).reshape(10, 13)
    y = numpy.arange(10, dtype=numpy.float64) * 1.5
    path = tmp_path / "boston_housing.npz"
    numpy.savez(path, x=x, y=y)
    trust(monkeypatch, boston_housing, "BOSTON_FILE", {path: "keras"})
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(path=str(path), test_split=0.3)
    order = numpy.arange(10)
    numpy.random.RandomState(113).shuffle(order)
    numpy.testing.assert_array_equal(x_train, x[order[:7]])
    numpy.testing.assert_array_equal(y_test, y[order[7:]])
    assert x_train.shape == (7, 13) and x_test.shape == (3, 13) and y_train.dtype == numpy.float64
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(path=str(path), test_split=1.0)


def _idx(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes())


def test_fashion_mnist_from_keras_idx_files(tmp_path, monkeypatch, offline):
    rng = numpy.random.default_rng(3)
    x_train = rng.integers(0, 256, (5, 28, 28), dtype=numpy.uint8)
    x_test = rng.integers(0, 256, (3, 28, 28), dtype=numpy.uint8)
    y_train, y_test = numpy.array([9, 0, 0, 3, 0], numpy.uint8), numpy.array([9, 2, 1], numpy.uint8)
    folder = tmp_path / "data" / "fashion-mnist"  # Keras' cache layout
    folder.mkdir(parents=True)
    contents = {
        "train-labels-idx1-ubyte.gz": _idx(y_train, 2049),
        "train-images-idx3-ubyte.gz": _idx(x_train, 2051),
        "t10k-labels-idx1-ubyte.gz": _idx(y_test, 2049),
        "t10k-images-idx3-ubyte.gz": _idx(x_test, 2051),
    }
    files = {}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        files[name] = dataclasses.replace(
            fashion_mnist.IDX_FILES[name], hashes={"sha256:" + sha256_of(folder / name): "keras"}
        )
    monkeypatch.setattr(fashion_mnist, "IDX_FILES", files)
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path / "data"))
    (a, b), (c, d) = fashion_mnist.load_data()
    numpy.testing.assert_array_equal(a, x_train)
    numpy.testing.assert_array_equal(b, y_train)
    numpy.testing.assert_array_equal(c, x_test)
    numpy.testing.assert_array_equal(d, y_test)
    assert a.dtype == b.dtype == numpy.uint8 and a.shape == (5, 28, 28)


def _cifar_archive(path, batches, extra_pickle=None):
    with tarfile.open(path, "w:gz") as archive:
        for member, batch in batches.items():
            data = extra_pickle if (extra_pickle and member == "test_batch") else pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo("cifar-10-batches-py/" + member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _cifar_batches(rng, per_batch=2):
    batches = {}
    for member in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches[member] = {
            b"batch_label": member.encode(),
            b"labels": rng.integers(0, 10, per_batch).tolist(),
            b"data": rng.integers(0, 256, (per_batch, 3072), dtype=numpy.uint8),
            b"filenames": [b"img%d.png" % i for i in range(per_batch)],
        }
    return batches


def test_cifar10_tiny_archive(tmp_path, monkeypatch, offline):
    batches = _cifar_batches(numpy.random.default_rng(4))
    path = tmp_path / "cifar-10-python.tar.gz"
    _cifar_archive(path, batches)
    trust(monkeypatch, cifar10, "CIFAR10_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1)
    assert x_test.shape == (2, 32, 32, 3) and y_test.shape == (2, 1)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == numpy.uint8
    # Rows hold 1024 red, then 1024 green, then 1024 blue values, each row-major 32x32.
    data = batches["data_batch_3"][b"data"][1]
    image = x_train[5]
    assert image[0, 0, 0] == data[0] and image[0, 1, 0] == data[1] and image[1, 0, 0] == data[32]
    assert image[2, 5, 1] == data[1024 + 2 * 32 + 5] and image[31, 31, 2] == data[3071]
    assert y_train[:, 0].tolist() == sum((batches[f"data_batch_{i}"][b"labels"] for i in range(1, 6)), [])
    assert y_test[:, 0].tolist() == batches["test_batch"][b"labels"]


class _Planted:
    def __reduce__(self):
        import os

        return (os.getcwd, ())


def test_cifar10_pickle_with_other_globals_is_refused(tmp_path, monkeypatch, offline):
    path = tmp_path / "cifar-10-python.tar.gz"
    _cifar_archive(path, _cifar_batches(numpy.random.default_rng(5)), extra_pickle=pickle.dumps(_Planted()))
    trust(monkeypatch, cifar10, "CIFAR10_FILE", {path: "keras"})
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(tmp_path))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        cifar10.load_data()


def test_cifar10_offline_error_names_url(offline):
    with pytest.raises(DatasetError, match="cifar-10-python.tar.gz"):
        cifar10.load_data()


# --- Iris ---------------------------------------------------------------------------------------

def test_iris_contents_and_split():
    x, y = iris._read()
    assert x.shape == (150, 4) and x.dtype == numpy.float32 and y.dtype == numpy.int64
    assert numpy.bincount(y).tolist() == [50, 50, 50]
    # Column sums of Fisher's data (R's `colSums(iris[1:4])`): 876.5 458.6 563.7 179.9.
    numpy.testing.assert_allclose(x.astype(numpy.float64).sum(axis=0), [876.5, 458.6, 563.7, 179.9], atol=1e-3)
    numpy.testing.assert_allclose(x[0], [5.1, 3.5, 1.4, 0.2])
    numpy.testing.assert_allclose(x[-1], [5.9, 3.0, 5.1, 1.8])
    (x_train, y_train), (x_test, y_test) = iris.load_data()
    assert x_train.shape == (120, 4) and x_test.shape == (30, 4)
    order = numpy.arange(150)
    numpy.random.RandomState(113).shuffle(order)
    numpy.testing.assert_array_equal(x_test, x[order[120:]])
    numpy.testing.assert_array_equal(y_train, y[order[:120]])
    (_, _), (x_small, _) = iris.load_data(test_split=0.1, seed=1)
    assert len(x_small) == 15
    with pytest.raises(ValueError, match="test_split"):
        iris.load_data(test_split=-0.1)
