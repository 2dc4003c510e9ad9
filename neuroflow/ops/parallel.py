"""Splitting large elementwise NumPy work over the batch axis across a few threads.

Why: BLAS spreads a matrix product over every core, but NumPy's ufuncs and copies run on one
thread, so on a 2-core machine a convnet step spends as long in im2col copies, col2im sums,
bias + relu and pooling as in its products, with one core idle. NumPy releases the GIL inside
ufunc loops and copies of non-object arrays, so Python threads that each handle a slice of the
batch (writing into their own rows of a preallocated output) run truly in parallel.

This only pays when the BLAS threads sleep soon after each product: a spinning OpenBLAS worker
(its default for ~0.1 s) shares a core with our second thread and makes the split slower than
no split. So the split is on where fit trains a convolutional network (`managed_threads`, at the
end of this file: OpenBLAS on one thread, the convolution products split too), where the user
started Python with OPENBLAS_THREAD_TIMEOUT set (`backend.blas_threads_yield()`, which explains
the trade-off) or set NEUROFLOW_NUM_THREADS; otherwise the work stays on one thread.

Handing work to a thread costs ~20-50 us, so only arrays above `MIN_ELEMENTS` are split; smaller
ones, CuPy arrays (the GPU is already parallel) and a one-thread setting run `fn(0, n)` in the
calling thread. The thread count is, in order: NEUROFLOW_NUM_THREADS if set; 1 when BLAS threads
spin (above); else the smallest of the CPUs this process may run on (os.sched_getaffinity),
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS (when set), so a 1-thread BLAS setting means a 1-thread
neuroflow too.

Usage: `run_chunks(n, fn, size)` calls `fn(start, stop)` on contiguous slices covering range(n);
the slices must write disjoint outputs.
"""
import contextlib
import os
import threading

from neuroflow import backend

# Below ~1 MiB of float32 per call, the hand-off costs about as much as it saves.
MIN_ELEMENTS = 1 << 18

_pool = None
_threads = None
_lock = threading.Lock()


def _configured_threads():
    value = os.environ.get("NEUROFLOW_NUM_THREADS")
    if value:
        try:
            return max(int(value), 1)
        except ValueError:
            raise ValueError(f"NEUROFLOW_NUM_THREADS must be a positive int, got {value!r}") from None
    if not backend.blas_threads_yield():
        return 1
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        try:
            count = min(count, int(os.environ.get(variable, "")))
        except ValueError:
            pass  # unset or not a number: no limit from it
    return max(count, 1)


def num_threads():
    """The number of threads large elementwise work is split over (1: no splitting)."""
    global _threads
    if _threads is None:
        _threads = _configured_threads()
    return _threads


def set_num_threads(count):
    """Sets the thread count (None: read the environment again); the pool is rebuilt on next use."""
    global _threads, _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None
        _threads = None if count is None else max(int(count), 1)


def _executor():
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                from concurrent.futures import ThreadPoolExecutor

                # The calling thread does one share itself, so the pool holds one thread fewer.
                _pool = ThreadPoolExecutor(max_workers=num_threads() - 1, thread_name_prefix="neuroflow")
    return _pool


def _forget_pool_in_child():
    # A forked child inherits the executor object but not its threads; work submitted to it
    # would wait forever, so the child builds its own pool on first use.
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def chunk_bounds(n, parts):
    """`parts` contiguous (start, stop) slices of range(n), sizes differing by at most one."""
    parts = max(min(parts, n), 1)
    base, extra = divmod(n, parts)
    bounds, start = [], 0
    for k in range(parts):
        stop = start + base + (k < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def run_chunks(n, fn, size):
    """Calls fn(start, stop) over slices of range(n), in parallel when the work is large.

    Args:
        n: the length of the axis being split (usually the batch).
        fn: writes the results for rows start:stop; different slices must not write the same memory.
        size: the number of elements the whole call touches, compared with MIN_ELEMENTS.
    """
    threads = num_threads()
    if threads == 1 or n < 2 or size < MIN_ELEMENTS or backend.xp.__name__ != "numpy":
        fn(0, n)
        return
    bounds = chunk_bounds(n, threads)
    pool = _executor()
    futures = [pool.submit(fn, start, stop) for start, stop in bounds[1:]]
    error = None
    try:
        fn(*bounds[0])
    except BaseException as caught:  # still wait for the others: they write into shared outputs
        error = caught
    for future in futures:
        try:
            future.result()
        except BaseException as caught:
            error = error or caught
    if error is not None:
        raise error


# ---- neuroflow-managed threads for convolutional networks --------------------------------------
#
# The split above pays only while no BLAS worker spins on the other cores. For a convnet, fit can
# arrange that itself: it sets OpenBLAS to one thread (at run time, through OpenBLAS's own
# openblas_set_num_threads) and splits the convolution products over the batch together with
# the elementwise work (ops/convolution/). The MNIST convnet's step then takes 6-16% less time
# on 2 cores than with OpenBLAS's threads (lockstep A/B runs of benchmarks/cnn_epoch.py's worker).

_BLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
                 "openblas_set_num_threads")
_blas_control = None  # (set_num_threads, get_num_threads) of the loaded OpenBLAS, False if none


def _openblas_control():
    """OpenBLAS's thread-count functions, found among the libraries this process loaded, or None."""
    global _blas_control
    if _blas_control is None:
        _blas_control = False
        try:
            import ctypes
            import re

            with open("/proc/self/maps") as maps:
                paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps.read())))
            for path in paths:
                library = ctypes.CDLL(path)
                for setter in _BLAS_SETTERS:
                    getter = setter.replace("set_num_threads", "get_num_threads")
                    if hasattr(library, setter) and hasattr(library, getter):
                        _blas_control = (getattr(library, setter), getattr(library, getter))
                        break
                if _blas_control:
                    break
        except (OSError, AttributeError):  # not Linux, or no OpenBLAS: leave BLAS alone
            _blas_control = False
    return _blas_control or None


def _requested_threads():
    """The thread count the user asked for: NEUROFLOW_NUM_THREADS, else the CPUs this process may use,
    lowered by OMP_NUM_THREADS / OPENBLAS_NUM_THREADS when set."""
    value = os.environ.get("NEUROFLOW_NUM_THREADS")
    if value:
        return _configured_threads()
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        try:
            count = min(count, int(os.environ.get(variable, "")))
        except ValueError:
            pass
    return max(count, 1)


@contextlib.contextmanager
def managed_threads():
    """While active, OpenBLAS runs on one thread and neuroflow splits the work over the cores.

    Does nothing (the block runs as usual) with one core or one requested thread, under CuPy, or
    where OpenBLAS's thread count cannot be set.
    """
    control = _openblas_control() if backend.xp.__name__ == "numpy" else None
    threads = _requested_threads()
    if control is None or threads < 2:
        yield
        return
    set_blas, get_blas = control
    previous_blas, previous_threads = get_blas(), _threads
    set_blas(1)
    set_num_threads(threads)
    try:
        yield
    finally:
        set_blas(previous_blas)
        set_num_threads(previous_threads)
