"""Finding, verifying and (re)downloading dataset files, with no network."""
import hashlib
import os
import pickle

import numpy
import pytest

from neuroflow.datasets import _cache
from neuroflow.datasets._cache import DatasetError, RemoteFile

GOOD = b"the real file contents\n" * 100
URL = "https://example.invalid/data/thing.bin"


def remote_for(content, layout="keras", **kwargs):
    digest = hashlib.sha256(content).hexdigest()
    return RemoteFile(name="thing.bin", url=URL, hashes={"sha256:" + digest: layout}, **kwargs)


def test_offline_without_copy_names_url_and_variable(offline):
    with pytest.raises(DatasetError) as info:
        _cache.fetch(remote_for(GOOD))
    message = str(info.value)
    assert URL in message and "NEUROFLOW_DATA_DIR" in message and "path=" in message
    assert offline == [URL]


def test_download_goes_to_cache_and_is_reused(offline, serve, tmp_path):
    serve.contents[URL] = GOOD
    path, layout = _cache.fetch(remote_for(GOOD))
    assert path == str(tmp_path / "cache" / "thing.bin")
    assert layout == "keras" and open(path, "rb").read() == GOOD
    assert not os.path.exists(path + ".part")
    again, _ = _cache.fetch(remote_for(GOOD))
    assert again == path and serve.calls == [URL]  # the second call did not download


def test_truncated_cache_file_is_fetched_again(offline, serve, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "thing.bin").write_bytes(GOOD[:50])
    serve.contents[URL] = GOOD
    with pytest.warns(UserWarning, match="corrupt or truncated"):
        path, _ = _cache.fetch(remote_for(GOOD))
    assert open(path, "rb").read() == GOOD and serve.calls == [URL]


def test_corrupt_cache_file_and_no_network_is_an_error_not_a_load(offline, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "thing.bin").write_bytes(GOOD[:50])
    with pytest.warns(UserWarning), pytest.raises(DatasetError) as info:
        _cache.fetch(remote_for(GOOD))
    assert URL in str(info.value) and "Corrupt copies" in str(info.value)


def test_download_that_does_not_verify_is_deleted(offline, serve, tmp_path):
    serve.contents[URL] = GOOD[:-1]
    with pytest.raises(DatasetError, match="did not verify"):
        _cache.fetch(remote_for(GOOD))
    assert os.listdir(tmp_path / "cache") == []


def test_data_dir_copy_is_used_and_corrupt_one_is_left_alone(offline, serve, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "thing.bin").write_bytes(GOOD)
    monkeypatch.setenv("NEUROFLOW_DATA_DIR", str(data))
    assert _cache.fetch(remote_for(GOOD))[0] == str(data / "thing.bin")
    assert serve.calls == []
    (data / "thing.bin").write_bytes(b"garbage")
    serve.contents[URL] = GOOD
    with pytest.warns(UserWarning, match="Ignoring"):
        path, _ = _cache.fetch(remote_for(GOOD))
    assert path == str(tmp_path / "cache" / "thing.bin")
    assert (data / "thing.bin").read_bytes() == b"garbage"  # the user's copy is not touched


def test_path_argument_file_folder_and_alias(offline, tmp_path):
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "thing.bin").write_bytes(GOOD)
    remote = remote_for(GOOD, aliases=("sub/thing.bin",))
    assert _cache.fetch(remote, path=str(folder / "sub" / "thing.bin"))[0] == str(folder / "sub" / "thing.bin")
    assert _cache.fetch(remote, path=str(folder))[0] == str(folder / "sub" / "thing.bin")


def test_md5_hash_and_layout_choice(tmp_path):
    good_md5 = "md5:" + hashlib.md5(GOOD).hexdigest()
    remote = RemoteFile(name="x", url=URL, hashes={good_md5: "keras", "sha256:" + "0" * 64: "neuroflow"})
    path = tmp_path / "probe.bin"
    path.write_bytes(GOOD)
    assert _cache.identify(str(path), remote) == "keras"
    path.write_bytes(GOOD + b"!")
    assert _cache.identify(str(path), remote) is None


def test_real_download_function_on_a_file_url_draws_progress(tmp_path, capsys):
    source = tmp_path / "source.bin"
    source.write_bytes(GOOD)
    _cache._download(source.as_uri(), str(tmp_path / "copy.bin"))
    assert (tmp_path / "copy.bin").read_bytes() == GOOD
    err = capsys.readouterr().err
    assert "source.bin [" in err and "100%" in err


def test_progress_bar_text(capsys):
    _cache._draw_progress("mnist.npz", 5_000_000, 10_000_000, width=10)
    assert capsys.readouterr().err == "\rmnist.npz [=====>    ]  50% 5.0/10.0 MB"


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROFLOW_CACHE_DIR", str(tmp_path / "c"))
    assert _cache.cache_dir() == str(tmp_path / "c")
    monkeypatch.delenv("NEUROFLOW_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.cache_dir() == str(tmp_path / "home" / ".neuroflow" / "datasets")


class _Evil:
    def __reduce__(self):
        return (os.getcwd, ())


def test_restricted_unpickler_refuses_functions_and_rebuilds_arrays():
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        _cache.restricted_loads(pickle.dumps(_Evil()))
    array = numpy.arange(6, dtype=numpy.uint8).reshape(2, 3)
    for protocol in (2, 4, 5):
        data = pickle.dumps({b"data": array, b"labels": [1, 2], b"name": b"x"}, protocol=protocol)
        loaded = _cache.restricted_loads(data, encoding="bytes")
        numpy.testing.assert_array_equal(loaded[b"data"], array)
        assert loaded[b"labels"] == [1, 2]


def test_object_arrays_need_permission(tmp_path):
    path = tmp_path / "objects.npz"
    ragged = numpy.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2, 3], [4]
    numpy.savez(path, x=ragged, y=numpy.array([0, 1]))
    with pytest.raises(DatasetError, match="pickled Python objects"):
        _cache.load_npz(path)
    loaded = _cache.load_npz(path, allow_objects=True)
    assert list(loaded["x"]) == [[1, 2, 3], [4]]
    numpy.testing.assert_array_equal(loaded["y"], [0, 1])


def test_object_array_with_a_planted_global_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    planted = numpy.empty(1, dtype=object)
    planted[0] = _Evil()
    numpy.savez(path, x=planted)
    with pytest.raises(pickle.UnpicklingError):
        _cache.load_npz(path, allow_objects=True)
