"""`get_file`: a file from a URL, downloaded once into a cache folder, checked against a hash, and
extracted when it is an archive (keras.utils.get_file).

The cache is `cache_dir/cache_subdir`: `cache_dir` defaults to `NEUROFLOW_HOME` or `~/.neuroflow`
(Keras uses `KERAS_HOME` or `~/.keras`), `cache_subdir` to "datasets". A file already in the cache
is used without network access; one whose hash does not match is fetched again. Without network,
the error names the URL and where to put a copy made elsewhere.
"""
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import warnings
import zipfile

from neuroflow.utils.download import DownloadError, download, validate_file
from neuroflow.utils.download import hash_algorithm as resolve_algorithm

HOME_ENV = "NEUROFLOW_HOME"


def neuroflow_home():
    """The base of the cache: `NEUROFLOW_HOME`, else `~/.neuroflow`."""
    return os.path.expanduser(os.environ.get(HOME_ENV) or os.path.join("~", ".neuroflow"))


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Downloads `origin` into the cache unless a verified copy is there, and returns its path.

    Args:
        fname: the file's name in the cache (default: the last part of the URL's path); with
            `extract`, a name without an extension names the extraction folder.
        origin: the URL (http, https or file).
        untar: deprecated spelling of `extract=True, archive_format="tar"`.
        md5_hash: deprecated spelling of `file_hash=..., hash_algorithm="md5"`.
        file_hash: the expected SHA-256 or MD5 hex digest of the file.
        cache_subdir: folder under `cache_dir` (an absolute path is used as it is).
        hash_algorithm: "sha256", "md5" or "auto" (told by the digest's length).
        extract: extract the archive (tar, tar.gz, tar.bz2, zip) and return the folder instead.
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of these, or None.
        cache_dir: the cache's base (default `NEUROFLOW_HOME` or `~/.neuroflow`).
        force_download: download even when a verified copy is cached.

    Returns:
        The path of the file, or of the extraction folder with `extract` / `untar`.

    Raises:
        ValueError: no origin, a path as `fname`, or a download whose hash does not match.
        DownloadError: the download failed; the message says where to place the file by hand.
    """
    if origin is None:
        raise ValueError("Please specify the `origin` argument (the URL of the file to download). Received: origin=None")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else neuroflow_home()
    os.makedirs(base, exist_ok=True)
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".neuroflow")
    folder = os.path.join(base, cache_subdir)
    os.makedirs(folder, exist_ok=True)

    given = os.fspath(fname) if fname is not None else None
    name = given or os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(f"Cannot tell the file name from origin={origin!r}; pass the `fname` argument")
    if os.sep in name:
        raise ValueError("Paths are not accepted as the `fname` argument; give the folder as `cache_dir`. "
                         f"Received: fname={name!r}")
    target, extraction_dir = _targets(folder, name, given is not None, extract or untar)

    fresh = force_download or not os.path.exists(target)
    if not fresh and file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        warnings.warn(f"The cached file {target} does not match the expected {_algorithm(file_hash, hash_algorithm)} "
                      f"hash {file_hash}: downloading it again.", stacklevel=2)
        fresh = True
    if fresh:
        _fetch(origin, target, file_hash, hash_algorithm)

    if extract or untar:
        if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn(f"Could not extract {target}: it is not a {archive_format} archive.", stacklevel=2)
        return extraction_dir
    return target


def _targets(folder, name, named, extract):
    """(where the download goes, where an archive is extracted), as Keras 3 lays them out."""
    if not extract:
        return os.path.join(folder, name), None
    if named and "." in name:
        return os.path.join(folder, name), os.path.join(folder, name[: name.find(".")] + "_extracted")
    return os.path.join(folder, name + "_archive"), os.path.join(folder, name)


def _algorithm(file_hash, algorithm):
    return resolve_algorithm(file_hash, algorithm).upper().replace("SHA256", "SHA-256")


def _fetch(origin, target, file_hash, algorithm):
    partial = target + ".part"
    try:
        download(origin, partial)
    except (OSError, urllib.error.URLError, ValueError) as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise DownloadError(f"Could not download {origin} ({error}). To work offline, download {origin} elsewhere "
                            f"and place the file at {target} (or pass cache_dir= naming a folder that holds it "
                            "under cache_subdir).") from error
    if file_hash is not None and not validate_file(partial, file_hash, algorithm):
        os.remove(partial)
        raise ValueError(f"The file downloaded from {origin} is incomplete or corrupted: its "
                         f"{_algorithm(file_hash, algorithm)} hash does not match file_hash={file_hash!r}. "
                         "It was deleted.")
    os.replace(partial, target)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar or zip archive into `path`; False when it is none of `archive_format`.

    Members that would land outside `path` (absolute names, '..') are refused.
    """
    if not archive_format:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format] if isinstance(archive_format, str) \
        else list(archive_format)
    for kind in formats:
        if kind not in ("tar", "zip"):
            raise ValueError(f"Invalid value for argument `archive_format`: expected 'auto', 'tar', 'zip' or None. "
                             f"Received: archive_format={kind!r}")
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                _unpack(archive, path, [m.name for m in archive.getmembers()])
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                _unpack(archive, path, archive.namelist())
            return True
    return False


def _unpack(archive, path, names):
    root = os.path.realpath(path)
    for member in names:
        destination = os.path.realpath(os.path.join(root, member))
        if os.path.commonpath([root, destination]) != root:
            raise ValueError(f"Refusing to extract {member!r}: it would be written outside {path}")
    try:
        if isinstance(archive, tarfile.TarFile) and hasattr(tarfile, "data_filter"):
            archive.extractall(path, filter="data")
        else:
            archive.extractall(path)
    except (tarfile.TarError, RuntimeError, KeyboardInterrupt):
        shutil.rmtree(path, ignore_errors=True)
        raise
