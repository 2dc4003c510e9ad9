"""Writing a file atomically: a temporary file beside the target, then one rename.

Whatever point a writer dies at, the target is either the old file or the new one, never half of
each. A process killed with SIGKILL cannot remove its temporary file, so the file's name carries
the writer's process id and the next write to the same target removes the ones whose process is
gone. The finished file gets the mode the user's umask gives a new file (as `open` would), not the
0600 of `tempfile.mkstemp`, so other readers of a shared model directory can read it.
"""
import contextlib
import glob
import os
import tempfile
import threading

PARTIAL_SUFFIX = ".partial"
_umask_lock = threading.Lock()


def _current_umask():
    # os.umask can only be read by setting it; the lock keeps two threads from racing on the swap.
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def partial_files(filepath):
    """The temporary files a write to `filepath` makes or left behind (`.<name>.<pid>.*.partial`)."""
    directory, name = os.path.split(os.path.abspath(filepath))
    return glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(name)}.*{PARTIAL_SUFFIX}"))


def remove_stale_partials(filepath):
    """Removes the temporary files of writes to `filepath` whose process no longer runs."""
    for path in partial_files(filepath):
        pid = os.path.basename(path)[len(os.path.basename(filepath)) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            with contextlib.suppress(OSError):
                os.remove(path)


def write_atomically(filepath, write):
    """Calls `write(temporary_path)`, then renames the temporary file onto `filepath`.

    Args:
        filepath: the target.
        write: a function writing the whole file at the path it is given (a str: an h5py or
            zipfile writer, or `write_text`'s).

    A failure (or KeyboardInterrupt) leaves `filepath` as it was and removes the temporary file.
    """
    directory, name = os.path.split(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    remove_stale_partials(filepath)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.{os.getpid()}.", suffix=PARTIAL_SUFFIX)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def write_text(filepath, text):
    """Writes `text` (UTF-8) to `filepath` atomically."""

    def write(path):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    write_atomically(filepath, write)
