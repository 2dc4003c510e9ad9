"""Fused optimizer updates on the CPU: one pass over the weights where the NumPy code makes eight to twelve;
and the dense layer's bias + relu (forward) and relu derivative + bias gradient (backward), one pass each
where NumPy makes two or three (ops/matmul.py; 128 x 512: 33 and 19 us less a call, 1 thread).

Optional. With numba installed (`pip install 'neuroflow[fast]'`) the Adam, RMSprop and SGD updates of
large float arrays run as one compiled loop each; without it, or with NEUROFLOW_NUMBA=0, the callers keep
their NumPy code, which stays the reference. Why it pays: an update reads and writes every weight and
slot once per NumPy call, so on a 784 x 512 kernel RMSprop's nine calls are nine trips through memory;
the loop makes one (0.12 ms against 0.41 ms on this project's 2-core VM, 1 thread).

The loops repeat the NumPy path's formulas term for term, in the same order, on scalars already cast
to the arrays' dtype (NumPy casts a Python float to the array's dtype too), and numba keeps IEEE order
(no fastmath: no reassociation, no fused multiply-add), so both paths give the same bits;
tests/ops/test_host_kernels.py checks that for every kernel.

Only arrays of at least MIN_SIZE elements take the loops, and only once the large updates run so far
add up to WARMUP_ELEMENTS: `import numba` and loading the cached loops cost ~0.5 s of CPU (a first
compile ~1 s more, then cached in __pycache__) and ~85 MiB of memory, while a loop saves ~0.8 ns per
element. Waiting until the NumPy updates have handled 1.5e8 elements (a quarter of the break-even
point: 390 steps of the MNIST MLP's 400K weights, 80 of a 1.9M-weight MLP) keeps short fits, such as a
text model's few dozen steps, from paying for what they would not win back. Both paths give the same
bits, so the switch changes no result. The cupy backend has its own kernels (ops/device_kernels.py).
"""
import os

import numpy

from neuroflow import backend

# numpy here is the host's: the loops run on NumPy arrays (tests/test_backend_seam.py).
HOST_NUMPY = "numba loops over host NumPy arrays; the cupy backend has ops/device_kernels.py"

MIN_SIZE = 1 << 16
WARMUP_ELEMENTS = 150_000_000
_FLOATS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))


def adam_loop(g, m, v, w, one_minus_beta_1, one_minus_beta_2, epsilon, alpha):
    # optimizers/adam.py: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); w -= (m / (sqrt(v) + eps)) alpha.
    for i in range(g.shape[0]):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_beta_1
        vi = v[i] + (gi * gi - v[i]) * one_minus_beta_2
        m[i] = mi
        v[i] = vi
        w[i] -= (mi / (numpy.sqrt(vi) + epsilon)) * alpha


def rmsprop_loop(g, v, w, rho, one_minus_rho, epsilon, learning_rate):
    # optimizers/rmsprop.py without momentum or centring: v = v rho + g^2 (1 - rho); w -= (g / sqrt(v + eps)) lr.
    for i in range(g.shape[0]):
        gi = g[i]
        vi = v[i] * rho + (gi * gi) * one_minus_rho
        v[i] = vi
        w[i] -= (gi / numpy.sqrt(vi + epsilon)) * learning_rate


def sgd_loop(g, w, learning_rate):
    # optimizers/sgd.py without momentum: w -= lr g.
    for i in range(g.shape[0]):
        w[i] -= learning_rate * g[i]


def sgd_momentum_loop(g, velocity, w, momentum, learning_rate, nesterov):
    # optimizers/sgd.py: step = lr g; v = v momentum - step; w += v (Nesterov: w += momentum v, then w -= step).
    for i in range(g.shape[0]):
        step = learning_rate * g[i]
        vi = velocity[i] * momentum - step
        velocity[i] = vi
        if nesterov:
            w[i] += momentum * vi
            w[i] -= step
        else:
            w[i] += vi


def bias_relu_loop(pre, bias, zero):
    # ops/matmul.py dense: pre += bias; maximum(pre, 0, out=pre) (NaN stays NaN, -0 becomes +0 as in NumPy).
    rows, columns = pre.shape
    for i in range(rows):
        for j in range(columns):
            value = pre[i, j] + bias[j]
            pre[i, j] = value if value > zero or value != value else zero


def relu_vjp_bias_loop(g, y, g_pre, bias_grad, one, zero):
    # ops/matmul.py dense vjp: g_pre = g * (y > 0); bias_grad = add.reduce(g_pre, axis=0), which adds the
    # rows in order, starting from the first.
    rows, columns = g.shape
    for j in range(columns):
        value = g[0, j] * (one if y[0, j] > zero else zero)
        g_pre[0, j] = value
        bias_grad[j] = value
    for i in range(1, rows):
        for j in range(columns):
            value = g[i, j] * (one if y[i, j] > zero else zero)
            g_pre[i, j] = value
            bias_grad[j] += value


_LOOPS = {"adam": adam_loop, "rmsprop": rmsprop_loop, "sgd": sgd_loop, "sgd_momentum": sgd_momentum_loop,
          "bias_relu": bias_relu_loop, "relu_vjp_bias": relu_vjp_bias_loop}
_compiled = {}
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

    None unless the backend is NumPy, the arrays are C-contiguous, share one float dtype and size,
    hold at least MIN_SIZE elements, and numba is available. The caller passes the arrays flat
    (`flat(a)`) and its scalars cast to the dtype (`cast(a, value)`).
    """
    first = arrays[0]
    if first.size < MIN_SIZE or backend.backend() != "numpy" or first.dtype not in _FLOATS:
        return None
    for array in arrays:
        if (type(array) is not numpy.ndarray or array.dtype != first.dtype or array.size != first.size
                or not array.flags.c_contiguous):
            return None
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


def get_for_rows(name, matrix, others):
    """The compiled loop `name` over a 2-D `matrix` and `others` (its row vectors or same-shape arrays),
    or None, under get's conditions: C-contiguous NumPy arrays of one float dtype, MIN_SIZE elements."""
    if matrix.ndim != 2:
        return None
    for array in others:
        if (type(array) is not numpy.ndarray or array.dtype != matrix.dtype or not array.flags.c_contiguous
                or array.shape[-1] != matrix.shape[1]):
            return None
    return get(name, (matrix,))


def flat(array):
    """The 1-D view of a C-contiguous array that the loops index."""
    return array.reshape(-1)
