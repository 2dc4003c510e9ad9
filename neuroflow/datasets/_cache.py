"""Finding, downloading and verifying dataset files.

A dataset file is looked up, in order, at the loader's `path=` (a file or a folder), in the folder
named by the `NEUROFLOW_DATA_DIR` environment variable, and in the download cache
(`~/.neuroflow/datasets`, or `NEUROFLOW_CACHE_DIR`). A copy is used only when its checksum matches
a known version of the file: Keras' published hash, or the hash of neuroflow's pickle-free
re-encoding (the layout of a shared offline data folder). A copy that matches nothing is corrupt or
truncated: it is never loaded, a cached one is deleted and fetched again, and a download that
does not match is deleted and reported.

The hash also says which on-disk layout a file has ("keras" or "neuroflow"), so files that need
unpickling (Keras' object arrays, CIFAR's pickled batches) are opened only after their hash matched
Keras' and then only through `RestrictedUnpickler`, which rebuilds NumPy arrays and nothing else.
"""
import dataclasses
import io
import json
import os
import pickle
import tempfile
import urllib.error
import warnings
import zipfile

import numpy

from neuroflow.utils.download import download as _download
from neuroflow.utils.download import draw_progress as _draw_progress  # noqa: F401 (the loaders' name)
from neuroflow.utils.download import file_digests

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "loads files into host arrays; fit moves each batch to the device"

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DATA_DIR_ENV = "NEUROFLOW_DATA_DIR"
CACHE_DIR_ENV = "NEUROFLOW_CACHE_DIR"


class DatasetError(OSError):
    """A dataset file could not be found, downloaded or verified."""


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One dataset file: where it is published and which contents are trusted.

    Attributes:
        name: the file name in the cache and in a data folder, e.g. "mnist.npz".
        url: the canonical download address (Keras' own).
        hashes: maps "sha256:<hex>" or "md5:<hex>" to the layout of a file with that content,
            "keras" (Keras' published file) or "neuroflow" (the pickle-free re-encoding).
        aliases: other relative paths under which a data folder may hold a copy.
        cache_subdir: subfolder of the cache where downloads go.
    """

    name: str
    url: str
    hashes: dict
    aliases: tuple = ()
    cache_subdir: str = ""


def cache_dir():
    """The download cache: `NEUROFLOW_CACHE_DIR`, else `~/.neuroflow/datasets`.

    Falls back to a folder under the system temp directory when the home folder is not writable
    (as Keras falls back to a `.keras` folder there).
    """
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    folder = os.path.join(os.path.expanduser("~"), ".neuroflow", "datasets")
    try:
        os.makedirs(folder, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return os.path.join(tempfile.gettempdir(), ".neuroflow", "datasets")


def data_dir():
    """The offline data folder named by `NEUROFLOW_DATA_DIR`, or None."""
    configured = os.environ.get(DATA_DIR_ENV)
    return os.path.abspath(os.path.expanduser(configured)) if configured else None


def identify(path, remote):
    """The layout of the file at `path` when its checksum matches a known version, else None."""
    algorithms = sorted({entry.split(":", 1)[0] for entry in remote.hashes})
    digests = file_digests(path, algorithms)
    for entry, layout in remote.hashes.items():
        algorithm, expected = entry.split(":", 1)
        if digests[algorithm] == expected.lower():
            return layout
    return None


def _expected_text(remote):
    return " or ".join(f"{e.split(':', 1)[0].upper()} {e.split(':', 1)[1]}" for e in remote.hashes)


def _mismatch_text(path, remote):
    digest = file_digests(path, ["sha256"])["sha256"]
    return (
        f"{path} has SHA-256 {digest}, which matches no known version of {remote.name} "
        f"(expected {_expected_text(remote)}); the file is corrupt or truncated"
    )


def _local_candidates(remote, path):
    """Existing local copies to try, in order: `path=`, then the data folder."""
    names = (remote.name,) + tuple(remote.aliases)
    candidates = []
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if os.path.isdir(path):
            candidates += [os.path.join(path, name) for name in names]
        elif os.path.isfile(path):
            candidates.append(path)
    folder = data_dir()
    if folder is not None:
        extra = () if path is None else (os.path.basename(path),)
        candidates += [os.path.join(folder, name) for name in extra + names]
    unique = []
    for candidate in candidates:
        if os.path.isfile(candidate) and candidate not in unique:
            unique.append(candidate)
    return unique


def _cache_target(remote, path):
    """Where a download goes: `path` relative to the cache (Keras' meaning of `path=`)."""
    folder = os.path.join(cache_dir(), remote.cache_subdir)
    if path is None or os.path.isdir(os.path.expanduser(os.fspath(path))):
        return os.path.join(folder, remote.name)
    path = os.path.expanduser(os.fspath(path))
    if os.path.isfile(path) and os.path.isabs(path):
        # An existing file the user pointed at is theirs; never overwrite it with a download.
        return os.path.join(folder, os.path.basename(path))
    return os.path.join(folder, path)


def find_local(remote, path=None):
    """A verified local copy of `remote` as (path, layout), or None; never downloads.

    Copies whose checksum matches no known version are skipped with a warning.
    """
    for candidate in _local_candidates(remote, path) + [_cache_target(remote, path)]:
        if not os.path.isfile(candidate):
            continue
        layout = identify(candidate, remote)
        if layout is not None:
            return candidate, layout
        warnings.warn(f"Ignoring {_mismatch_text(candidate, remote)}.", stacklevel=3)
    return None


def fetch(remote, path=None):
    """A verified copy of `remote` as (path, layout): a local one, else a fresh download.

    Args:
        remote: the `RemoteFile` to find.
        path: the loader's `path=`: a file, a folder holding the file, or a file name relative
            to the cache (Keras' meaning).

    Returns:
        (file path, layout), the layout being "keras" or "neuroflow".

    Raises:
        DatasetError: no verified copy exists and the download failed or did not verify.
    """
    rejected = []
    for candidate in _local_candidates(remote, path):
        layout = identify(candidate, remote)
        if layout is not None:
            return candidate, layout
        rejected.append(candidate)
        warnings.warn(f"Ignoring {_mismatch_text(candidate, remote)}.", stacklevel=2)
    target = _cache_target(remote, path)
    if os.path.isfile(target):
        layout = identify(target, remote)
        if layout is not None:
            return target, layout
        warnings.warn(f"{_mismatch_text(target, remote)}; deleting it and downloading it again.", stacklevel=2)
        rejected.append(target)
        os.remove(target)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = target + ".part"
    try:
        _download(remote.url, partial)
    except (OSError, urllib.error.URLError) as error:
        if os.path.exists(partial):
            os.remove(partial)
        folder = data_dir()
        searched = [f"path={path!r}"] if path is not None and path != remote.name else []
        searched.append(f"{DATA_DIR_ENV}={folder}" if folder else f"{DATA_DIR_ENV} (not set)")
        searched.append(f"the cache {os.path.dirname(target)}")
        corrupt = f" Corrupt copies found and not used: {', '.join(rejected)}." if rejected else ""
        raise DatasetError(
            f"Could not download {remote.name} from {remote.url} ({error}), and no verified copy "
            f"was found in {', '.join(searched)}.{corrupt} To work offline, download {remote.url} "
            f"elsewhere and put it in a folder named by the {DATA_DIR_ENV} environment variable, "
            f"or pass its location as path=."
        ) from error
    layout = identify(partial, remote)
    if layout is None:
        message = _mismatch_text(partial, remote)
        os.remove(partial)
        raise DatasetError(
            f"The download of {remote.url} did not verify: {message}. It was deleted; try again, "
            f"or point {DATA_DIR_ENV} at a verified copy."
        )
    os.replace(partial, target)
    return target, layout


# --- Reading pickled content safely -------------------------------------------------------------

_numpy_core = "numpy._core" if hasattr(numpy, "_core") else "numpy.core"

# Only what rebuilding arrays needs: arrays, dtypes, scalars, and bytes written by protocol 2.
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}
for _prefix in ("numpy.core", "numpy._core"):
    _ALLOWED_GLOBALS |= {
        (f"{_prefix}.multiarray", "_reconstruct"),
        (f"{_prefix}.multiarray", "scalar"),
        (f"{_prefix}.numeric", "_frombuffer"),
    }


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays, dtypes and plain Python data, and refuses the rest.

    Raises:
        pickle.UnpicklingError: the stream names any other global (a function or class).
    """

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a dataset file.")
        if module.startswith("numpy.core"):
            # NumPy 2 moved numpy.core to numpy._core; old pickles name the old place.
            module = _numpy_core + module[len("numpy.core"):]
        return super().find_class(module, name)


def restricted_loads(data, encoding="latin1"):
    """Unpickles bytes with `RestrictedUnpickler` (latin1 reads Python 2 pickles of arrays)."""
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def load_npz(path, allow_objects=False):
    """The arrays of an .npz file as a dict; object arrays only when `allow_objects`.

    Plain arrays are read with `allow_pickle=False`. Object arrays (Keras' ragged sequences) are
    rebuilt with `RestrictedUnpickler`; callers allow them only for files whose hash matched.

    Raises:
        DatasetError: the file holds object arrays and `allow_objects` is False.
    """
    arrays = {}
    with numpy.load(path, allow_pickle=False) as npz:
        for key in npz.files:
            try:
                arrays[key] = npz[key]
            except ValueError:
                if not allow_objects:
                    raise DatasetError(
                        f"{path}: array {key!r} holds pickled Python objects, which are loaded only "
                        f"from files whose checksum matches Keras' published one."
                    ) from None
                arrays[key] = _read_object_array(path, key)
    return arrays


def fetch_json(remote, path=None):
    """The JSON value of `remote`'s file (a word index), fetched as `fetch` finds or downloads it."""
    file_path, _ = fetch(remote, path)
    with open(file_path, encoding="utf-8") as handle:
        return json.load(handle)


def _read_object_array(path, key):
    with zipfile.ZipFile(path) as archive:
        data = archive.read(key + ".npy")
    stream = io.BytesIO(data)
    version = numpy.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran_order, dtype = numpy.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran_order, dtype = numpy.lib.format.read_array_header_2_0(stream)
    array = RestrictedUnpickler(stream, encoding="latin1").load()
    array = numpy.asarray(array, dtype=object) if not isinstance(array, numpy.ndarray) else array
    if array.shape != tuple(shape):
        array = array.reshape(shape, order="F" if fortran_order else "C")
    return array
