"""Fused optimizer updates on the CPU: one pass over the weights where the NumPy code makes eight to twelve;
the dense layer's bias + relu (forward) and relu derivative + bias gradient (backward), one pass each
where NumPy makes two or three (ops/matmul.py; 128 x 512: 33 and 19 us less a call, 1 thread); and the
sparse cross-entropy's label pick with its checks, and its gradient (ops/loss_kernels.py), one pass each
where NumPy makes eight and four calls.

Optional. With numba installed (`pip install 'neuroflow[fast]'`) these run as one compiled loop each (at
any size once the library below is built, else on large float arrays); without it, or with NEUROFLOW_NUMBA=0, the callers keep
their NumPy code, which stays the reference. Why it pays: an update reads and writes every weight and
slot once per NumPy call, so on a 784 x 512 kernel RMSprop's nine calls are nine trips through memory;
the loop makes one (0.12 ms against 0.41 ms on this project's 2-core VM, 1 thread).

The loops repeat the NumPy path's formulas term for term, in the same order, on scalars already cast
to the arrays' dtype (NumPy casts a Python float to the array's dtype too), and numba keeps IEEE order
(no fastmath: no reassociation, no fused multiply-add), so both paths give the same bits;
tests/ops/test_host_kernels.py checks that for every kernel.

Where the loops come from, in order:
- ops/host_kernel_library.py's module, when it has been built on this machine (`python -m
  neuroflow.ops.build_host_loops`; ./run demo and ./run bench do it): loaded in under a millisecond
  and about a megabyte, without numba, so arrays of any size take their loop from the first step (the
  digits MLP's Adam: one ~3 us pass for its nine thousand weights instead of twelve NumPy calls).
- numba's jit otherwise, for arrays of at least MIN_SIZE elements, and only once the large updates run
  so far add up to WARMUP_ELEMENTS: `import numba` and loading the cached loops cost ~0.5 s of CPU (a
  first compile ~1 s more, then cached in __pycache__) and ~85 MiB of memory, while a loop saves ~0.8 ns
  per element. Waiting until the NumPy updates have handled 1.5e8 elements (a quarter of the break-even
  point: 390 steps of the MNIST MLP's 400K weights, 80 of a 1.9M-weight MLP) keeps short fits, such as
  a text model's few dozen steps, from paying for what they would not win back.
All paths give the same bits, so the switch changes no result. The loops themselves are in
ops/host_loops.py. The cupy backend has its own kernels (ops/device_kernels.py).
"""
import os

import numpy

from neuroflow import backend
from neuroflow.ops import host_kernel_library, host_loops

# numpy here is the host's: the loops run on NumPy arrays (tests/test_backend_seam.py).
HOST_NUMPY = "numba loops over host NumPy arrays; the cupy backend has ops/device_kernels.py"

MIN_SIZE = 1 << 16
WARMUP_ELEMENTS = 150_000_000
_FLOATS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
_LABELS = numpy.dtype(numpy.int64)

_LOOPS = host_loops.LOOPS
_compiled = {}  # the jit's loops by name
_built = {}  # the library's by (library, name, dtype)
_numba = {"module": None, "missing": None, "elements_before": 0}  # elements updated by NumPy while warming up
_enabled = [os.environ.get("NEUROFLOW_NUMBA", "1").strip().lower() not in ("0", "false", "no", "off")]


def set_enabled(enabled):
    """Turns the numba loops on or off (the tests compare both paths); returns the previous setting."""
    previous = _enabled[0]
    _enabled[0] = bool(enabled)
    return previous


def available():
    """Whether the loops can run: enabled, and numba imports (imported on the first call, not before)."""
    if not _enabled[0] or _numba["missing"] is not None:
        return False
    if _numba["module"] is None:
        try:
            import numba  # optional, and ~0.25 s to import: only once a large update asks for it
        except ImportError as error:
            _numba["missing"] = str(error)
            return False
        _numba["module"] = numba
    return True


def get(name, arrays):
    """The compiled loop `name` for these arrays (weights, slots, gradient), or None to keep the NumPy code.

    None unless the backend is NumPy and the arrays are C-contiguous NumPy arrays of one float dtype
    and size; then the built library's loop for that dtype (any size), else numba's jit for arrays of
    at least MIN_SIZE elements once the warm-up is over. The caller passes the arrays flat (`flat(a)`)
    and its scalars cast to the dtype (`cast(a, value)`).
    """
    first = arrays[0]
    library = _library()
    if (library is None and first.size < MIN_SIZE) or first.dtype not in _FLOATS or backend.backend() != "numpy":
        return None
    for array in arrays:
        if (type(array) is not numpy.ndarray or array.dtype != first.dtype or array.size != first.size
                or not array.flags.c_contiguous):
            return None
    if library is not None:
        kernel = _built.get((library, name, first.dtype))
        if kernel is None:  # (a dtype's name is a Python-level property: ~2 us, so looked up once)
            kernel = _built[library, name, first.dtype] = getattr(library, host_kernel_library.function_name(
                name, first.dtype.name))
        return kernel
    if _numba["module"] is None and _enabled[0]:
        _numba["elements_before"] += first.size
        if _numba["elements_before"] < WARMUP_ELEMENTS:
            return None  # not yet worth importing numba (see the module's docstring)
    if not available():
        return None
    kernel = _compiled.get(name)
    if kernel is None:
        numba = _numba["module"]
        # nogil: ops/parallel.py's threads may update from several threads at once.
        kernel = _compiled[name] = numba.njit(cache=True, nogil=True, error_model="numpy")(_LOOPS[name])
    return kernel


def _library():
    """The ahead-of-time library (ops/host_kernel_library.py) when it is built and loads, else None."""
    return host_kernel_library.load() if _enabled[0] else None


def worth(size):
    """Whether an array of `size` elements may take a loop: any size with the library, MIN_SIZE for the jit.
    (A cheap test for callers to make before gathering a loop's arrays.)"""
    return size >= MIN_SIZE or _library() is not None


def get_for_rows(name, matrix, others):
    """The compiled loop `name` over a C-ordered 2-D `matrix` and `others` (row vectors as long as its rows,
    or arrays of its shape), or None, under get's conditions (one float dtype, C-contiguous NumPy arrays)."""
    if matrix.ndim != 2:
        return None
    for array in others:
        if (type(array) is not numpy.ndarray or array.dtype != matrix.dtype or not array.flags.c_contiguous
                or not (array.shape == matrix.shape or array.shape == matrix.shape[1:])):
            return None
    return get(name, (matrix,))


def get_for_labels(name, matrix, labels):
    """The compiled loop `name` over a C-ordered 2-D float `matrix` of class scores and the int64 `labels` of
    its rows (C-ordered, one per row), or None, under get's conditions."""
    if (matrix.ndim != 2 or type(labels) is not numpy.ndarray or labels.dtype != _LABELS or labels.ndim != 1
            or labels.shape[0] != matrix.shape[0] or not labels.flags.c_contiguous):
        return None
    return get(name, (matrix,))


def flat(array):
    """The 1-D view of a C-contiguous array that the loops index."""
    return array.reshape(-1)
