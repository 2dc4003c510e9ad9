"""Downloading a URL to a file with a progress line, and checking a file against a hash.

Shared by `utils.get_file` and the dataset loaders (datasets/_cache.py), so both verify files the
same way: SHA-256 or MD5, the algorithm told by name or guessed from the length of the hex digest
(64 characters: SHA-256, 32: MD5), as Keras' `file_hash` argument is.
"""
import hashlib
import os
import sys
import time

# (realpath, size, mtime_ns, algorithm) -> hex digest, so a file checked twice is hashed once.
_digest_memo = {}


def file_digests(path, algorithms):
    """Hex digests of a file for each algorithm name ("sha256", "md5"), computed in one pass."""
    stat = os.stat(path)
    key = (os.path.realpath(path), stat.st_size, stat.st_mtime_ns)
    missing = [a for a in algorithms if (key, a) not in _digest_memo]
    if missing:
        hashers = {a: hashlib.new(a) for a in missing}
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                for hasher in hashers.values():
                    hasher.update(block)
        for algorithm, hasher in hashers.items():
            _digest_memo[(key, algorithm)] = hasher.hexdigest()
    return {a: _digest_memo[(key, a)] for a in algorithms}


def hash_algorithm(file_hash, algorithm="auto"):
    """The algorithm that checks `file_hash`: "sha256" or "md5" as named, or guessed for "auto".

    Raises:
        ValueError: for another algorithm name.
    """
    if algorithm in ("sha256", "md5"):
        return algorithm
    if algorithm != "auto":
        raise ValueError(f"Invalid value for argument `hash_algorithm`: expected 'auto', 'sha256' or 'md5'. "
                         f"Received: hash_algorithm={algorithm!r}")
    return "md5" if len(str(file_hash)) == 32 else "sha256"


def validate_file(fpath, file_hash, algorithm="auto"):
    """Whether the file at `fpath` has the hex digest `file_hash` (Keras' `validate_file`)."""
    algorithm = hash_algorithm(file_hash, algorithm)
    return file_digests(fpath, [algorithm])[algorithm] == str(file_hash).lower()


def download(url, destination, timeout=60):
    """Downloads `url` (http, https or file) to `destination`, drawing a progress line on stderr."""
    # Imported here: urllib.request brings http.client, email, ssl and socket, a third of the CPU
    # time of `import neuroflow` (55 ms here), for the few programs that download anything.
    import urllib.request
    with urllib.request.urlopen(url, timeout=timeout) as response, open(destination, "wb") as handle:
        total = int(response.headers.get("Content-Length") or 0)
        label = url.rsplit("/", 1)[-1]
        done, last_drawn = 0, 0.0
        for block in iter(lambda: response.read(1 << 16), b""):
            handle.write(block)
            done += len(block)
            now = time.monotonic()
            if now - last_drawn > 0.1:
                draw_progress(label, done, total)
                last_drawn = now
        draw_progress(label, done, total)
        sys.stderr.write("\n")
        sys.stderr.flush()


def draw_progress(label, done, total, width=30):
    """Redraws one line: `mnist.npz [=========>     ] 45% 5.2/11.5 MB`."""
    megabytes = done / 1e6
    if total:
        fraction = min(done / total, 1.0)
        filled = int(width * fraction)
        bar = "=" * filled + (">" if filled < width else "") + " " * max(width - filled - 1, 0)
        text = f"\r{label} [{bar}] {fraction:4.0%} {megabytes:.1f}/{total / 1e6:.1f} MB"
    else:
        text = f"\r{label} {megabytes:.1f} MB"
    sys.stderr.write(text)
    sys.stderr.flush()


class DownloadError(OSError):
    """A URL could not be fetched (no network, a wrong address, a server error)."""
