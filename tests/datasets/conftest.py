import hashlib
import os
import pathlib

import pytest

from neuroflow.datasets import _cache

REAL_DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"


def real_data_dir():
    """The offline data folder (`NEUROFLOW_DATA_DIR`, else `<repo>/../shared/data`), or None."""
    for directory in (os.environ.get("NEUROFLOW_DATA_DIR"), REAL_DATA):
        if directory and (pathlib.Path(directory) / "mnist.npz").exists():
            return pathlib.Path(directory)
    return None


def sha256_of(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No data folder, an empty cache in tmp, and a download function that records calls and fails."""
    calls = []

    def refuse(url, destination):
        calls.append(url)
        raise OSError("network disabled in tests")

    monkeypatch.delenv("NEUROFLOW_DATA_DIR", raising=False)
    monkeypatch.setenv("NEUROFLOW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_cache, "_download", refuse)
    return calls


@pytest.fixture
def serve(monkeypatch):
    """Makes `_download` write given bytes for given URLs (a fake network); returns the call log."""
    calls = []
    contents = {}

    def fake(url, destination):
        calls.append(url)
        if url not in contents:
            raise OSError(f"no route to {url}")
        pathlib.Path(destination).write_bytes(contents[url])

    monkeypatch.setattr(_cache, "_download", fake)
    fake.contents = contents
    fake.calls = calls
    return fake
