"""get_file: download over a local HTTP server (127.0.0.1, never the network) or file:// URLs,
checksums (sha256 / md5, Keras' file_hash), the cache, extraction, and the offline error."""
import functools
import hashlib
import http.server
import os
import tarfile
import threading
import zipfile

import pytest

from neuroflow.utils import get_file
from neuroflow.utils.download import DownloadError, hash_algorithm, validate_file
from neuroflow.utils.file_cache import extract_archive


@pytest.fixture
def server(tmp_path):
    """A bounded HTTP server on 127.0.0.1 serving tmp_path/'served'; yields (base URL, folder, request log)."""
    folder = tmp_path / "served"
    folder.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", folder, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def digest(path, algorithm="sha256"):
    return hashlib.new(algorithm, open(path, "rb").read()).hexdigest()


def test_download_over_http_is_cached_and_reused(server, tmp_path):
    base, folder, requests = server
    (folder / "data.bin").write_bytes(b"0123456789" * 100)
    cache = tmp_path / "cache"
    path = get_file(origin=base + "data.bin", cache_dir=str(cache), file_hash=digest(folder / "data.bin"))
    assert path == os.path.join(str(cache), "datasets", "data.bin")
    assert open(path, "rb").read() == b"0123456789" * 100
    assert len(requests) == 1
    assert get_file("data.bin", base + "data.bin", cache_dir=str(cache)) == path
    assert len(requests) == 1  # served from the cache
    get_file("data.bin", base + "data.bin", cache_dir=str(cache), force_download=True)
    assert len(requests) == 2


def test_md5_hash_and_cache_subdir(server, tmp_path):
    base, folder, _ = server
    (folder / "a.txt").write_text("hello")
    md5 = digest(folder / "a.txt", "md5")
    path = get_file("b.txt", base + "a.txt", md5_hash=md5, cache_dir=str(tmp_path), cache_subdir="mine")
    assert path == os.path.join(str(tmp_path), "mine", "b.txt")
    assert validate_file(path, md5) and validate_file(path, md5, "md5")
    assert hash_algorithm(md5) == "md5" and hash_algorithm("0" * 64) == "sha256"


def test_hash_mismatch_deletes_the_download(server, tmp_path):
    base, folder, _ = server
    (folder / "a.txt").write_text("hello")
    with pytest.raises(ValueError, match="incomplete or corrupted.*SHA-256"):
        get_file(origin=base + "a.txt", file_hash="0" * 64, cache_dir=str(tmp_path))
    assert not os.path.exists(os.path.join(str(tmp_path), "datasets", "a.txt"))


def test_stale_cached_copy_is_downloaded_again(server, tmp_path):
    base, folder, requests = server
    (folder / "a.txt").write_text("new")
    cached = tmp_path / "datasets" / "a.txt"
    cached.parent.mkdir()
    cached.write_text("old")
    with pytest.warns(UserWarning, match="does not match"):
        path = get_file(origin=base + "a.txt", file_hash=digest(folder / "a.txt"), cache_dir=str(tmp_path))
    assert open(path).read() == "new" and len(requests) == 1


def test_offline_error_names_the_url_and_where_to_put_the_file(tmp_path):
    origin = "http://127.0.0.1:9/nowhere/data.npz"  # the discard port: the connection is refused at once
    with pytest.raises(DownloadError) as info:
        get_file(origin=origin, cache_dir=str(tmp_path))
    message = str(info.value)
    assert origin in message and os.path.join(str(tmp_path), "datasets", "data.npz") in message
    assert not os.listdir(tmp_path / "datasets")


def test_file_url_and_extract_tar(tmp_path):
    source = tmp_path / "src"
    (source / "inner").mkdir(parents=True)
    (source / "inner" / "x.txt").write_text("x")
    archive = tmp_path / "pack.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "inner", arcname="inner")
    cache = tmp_path / "cache"
    folder = get_file("pack.tar.gz", archive.as_uri(), extract=True, cache_dir=str(cache))
    assert folder == os.path.join(str(cache), "datasets", "pack_extracted")
    assert open(os.path.join(folder, "inner", "x.txt")).read() == "x"
    untarred = get_file("pack", archive.as_uri(), untar=True, cache_dir=str(cache))
    assert untarred == os.path.join(str(cache), "datasets", "pack")
    assert os.path.isfile(os.path.join(untarred, "inner", "x.txt"))


def test_extract_zip_and_refuse_escaping_members(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("d/y.txt", "y")
    assert extract_archive(str(archive), str(tmp_path / "out"))
    assert (tmp_path / "out" / "d" / "y.txt").read_text() == "y"
    assert not extract_archive(str(archive), str(tmp_path / "out2"), "tar")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.txt", "no")
    with pytest.raises(ValueError, match="outside"):
        extract_archive(str(evil), str(tmp_path / "out3"))
    with pytest.raises(ValueError, match="archive_format"):
        extract_archive(str(archive), str(tmp_path / "out4"), "rar")


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="fname"):
        get_file(os.path.join("a", "b"), "http://127.0.0.1:9/b", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="hash_algorithm"):
        hash_algorithm("0" * 64, "sha1")
