"""The array seam: every array call in neuroflow goes through `backend.xp`.

`xp` is NumPy today; `set_backend("cupy")` swaps in CuPy, which mirrors NumPy's API, so GPU
support is a switch here rather than a rewrite elsewhere. This is the only module that may
import cupy. Code elsewhere reads `backend.xp` at call time (never `from backend import xp`),
so the switch takes effect everywhere at once.
"""
import contextlib
import os

from neuroflow import dtypes
from neuroflow.utils import naming
from neuroflow.utils.symbolic import is_keras_tensor  # noqa: F401  (keras.backend.is_keras_tensor)


def _blas_spin_is_short():
    """Whether OpenBLAS was told to put its idle threads to sleep soon after each product.

    After a matrix product OpenBLAS keeps its worker threads spinning for ~0.1 s (2**28 cycles)
    waiting for the next one. ops/parallel.py splits large elementwise work (im2col, col2im,
    pooling, relu) over the same cores, and a thread that shares its core with a spinning BLAS
    worker runs at half speed or worse; with OPENBLAS_THREAD_TIMEOUT=20 (2**20 cycles, ~0.3 ms)
    the split took the MNIST convnet step from 34-40 to 24-31 ms on 2 cores. neuroflow does not
    set the variable itself: OpenBLAS reads it once, when NumPy loads, and short spins make
    workloads of back-to-back products (an MLP's) wait for sleeping threads. Set it before
    starting Python (`OPENBLAS_THREAD_TIMEOUT=20 python train.py`) to turn the split on.
    """
    return "OPENBLAS_THREAD_TIMEOUT" in os.environ


_blas_spin_short = _blas_spin_is_short()

import numpy  # noqa: E402

xp = numpy
_floatx = "float32"
_epsilon = 1e-7
_name = "numpy"


def floatx():
    """The default float dtype name for weights and inputs ('float32' unless changed)."""
    return _floatx


def set_floatx(value):
    """Sets the default float dtype: 'float16', 'float32' or 'float64'."""
    global _floatx
    dtype = str(numpy.dtype(value))
    if dtype not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx expects 'float16', 'float32' or 'float64', got {dtype!r}")
    _floatx = dtype


def epsilon():
    """The fuzz factor Keras uses to keep logs and divisions finite (1e-7)."""
    return _epsilon


def set_epsilon(value):
    global _epsilon
    _epsilon = float(value)


def backend():
    """The name of the array module in use: 'numpy' or 'cupy'."""
    return _name


def _import_cupy():
    """CuPy with a usable GPU, or an error naming what is missing (CuPy itself, or a GPU / driver)."""
    try:
        import cupy  # the gpu extra: imported only when asked for
    except ImportError as error:
        raise ImportError("The 'cupy' backend needs CuPy, which is not installed: pip install 'neuroflow[gpu]' "
                          "(or a cupy-cudaXXx wheel matching your CUDA), or use set_backend('numpy')") from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError and friends: no driver, no device
        raise RuntimeError(f"The 'cupy' backend needs a CUDA GPU, but CuPy found none ({error}); "
                           "check the NVIDIA driver (nvidia-smi) or use set_backend('numpy')") from error
    if count < 1:
        raise RuntimeError("The 'cupy' backend needs a CUDA GPU, but CuPy found none; use set_backend('numpy')")
    return cupy


def set_backend(name):
    """Switches the array module: 'numpy' or 'cupy' (needs the `gpu` extra and a CUDA GPU).

    Call it before building models: arrays already made stay on the module that made them.

    Raises:
        ImportError: 'cupy' without CuPy installed.
        RuntimeError: 'cupy' without a GPU (or without a working driver).
        ValueError: any other name.
    """
    global xp, _name
    _pending_checks.clear()  # checks of the old device's arrays
    if name == "numpy":
        xp, _name = numpy, "numpy"
    elif name == "cupy":
        xp, _name = _import_cupy(), "cupy"
    elif name in _installed_modules:
        xp, _name = _installed_modules[name], name
    else:
        raise ValueError(f"set_backend expects 'numpy' or 'cupy', got {name!r}")


_installed_modules = {}


def use_array_module(name, module):
    """Installs and switches to another NumPy-like module under `name` (tests: neuroflow/testing/device_standin.py)."""
    _installed_modules[name] = module
    set_backend(name)


def on_device():
    """Whether arrays live off the host (CuPy, or the tests' stand-in device): host copies must be explicit."""
    return xp is not numpy


_SCATTER_UFUNCS = {"add": "add", "max": "maximum", "min": "minimum", "mul": "multiply"}


def scatter_reduce(reduction, array, indices, values):
    """Combines `values` into `array` at `indices` in place, repeated indices accumulating (numpy's ufunc.at).

    Args:
        reduction: 'add', 'max', 'min' or 'mul'.

    CuPy's ufuncs have no general `.at`; `cupyx.scatter_add` / `scatter_max` / `scatter_min` behave
    identically to numpy's add.at / maximum.at / minimum.at ('mul' has no CuPy counterpart).
    """
    if xp is numpy:
        getattr(numpy, _SCATTER_UFUNCS[reduction]).at(array, indices, values)
    elif _name == "cupy":
        import cupyx  # ships with cupy (the gpu extra); imported only on that backend

        if reduction == "mul":
            raise NotImplementedError("a multiplying scatter (ufunc multiply.at) has no CuPy counterpart")
        getattr(cupyx, f"scatter_{reduction}")(array, indices, values)
    else:
        xp.scatter_reduce(reduction, array, indices, values)


def scatter_add(array, indices, values):
    """`numpy.add.at(array, indices, values)` on any backend (cupyx.scatter_add on CuPy)."""
    scatter_reduce("add", array, indices, values)


_pending_checks = []
_deferring = False


def check_later(failed, raise_error):
    """Raises `raise_error()` if the boolean array `failed` is true, without making a training step wait for the device.

    On NumPy, and outside a training step, it checks at once. Inside a step on a device (see
    `deferred_checks`), reading `failed` would stop the host until the GPU catches up, once per
    check per step; the check is kept instead and runs with the step's one copy to the host
    (`host_floats`, for its logs), so a bad batch still fails in its own step.
    """
    if xp is numpy or not _deferring:
        if failed:
            raise_error()
    else:
        _pending_checks.append((failed, raise_error))


def deferred_checks():
    """The block is a training step: `check_later` keeps its checks until the step copies its logs to the host.

    On NumPy `check_later` checks at once, so there is nothing to keep: a shared empty context, not a
    generator-based one entered every step.
    """
    return _NOTHING_DEFERRED if xp is numpy else _deferring_checks()


_NOTHING_DEFERRED = contextlib.nullcontext()


@contextlib.contextmanager
def _deferring_checks():
    global _deferring
    previous, _deferring = _deferring, True
    try:
        yield
        run_pending_checks()
    finally:
        _deferring = previous
        if not previous:
            _pending_checks.clear()


def run_pending_checks():
    """Runs the checks `check_later` kept (one copy to the host for all of them)."""
    if not _pending_checks:
        return
    checks = _pending_checks[:]
    _pending_checks.clear()
    flags = xp.asnumpy(xp.stack([xp.asarray(failed, dtype=bool).reshape(()) for failed, _ in checks]))
    for (_, raise_error), failed in zip(checks, flags):
        if failed:
            raise_error()


def host_floats(values):
    """Python floats of scalars that may live on the device: one copy to the host for all of them (a step's logs)."""
    if xp is numpy or not values:
        return [float(value) for value in values]
    checks = _pending_checks[:]
    _pending_checks.clear()
    stacked = xp.stack([xp.asarray(value, dtype="float64").reshape(()) for value in values]
                       + [xp.asarray(failed, dtype="float64").reshape(()) for failed, _ in checks])
    host = xp.asnumpy(stacked).tolist()
    for (_, raise_error), failed in zip(checks, host[len(values):]):
        if failed:
            raise_error()
    return host[:len(values)]


def device_free_memory():
    """Bytes the device can still allocate: the driver's free memory plus what CuPy's memory pool
    holds cached and unused (the pool hands those out first). None on the host, or when the array
    module cannot say.
    """
    runtime = getattr(getattr(xp, "cuda", None), "runtime", None) if xp is not numpy else None
    if runtime is None:
        return None
    free, _total = runtime.memGetInfo()
    pool = getattr(xp, "get_default_memory_pool", None)
    return int(free) + (int(pool().free_bytes()) if pool is not None else 0)


def list_devices(device_type=None):
    """The devices neuroflow computes on, as Keras names them: ['cpu:0'] or ['gpu:0', 'gpu:1', ...].

    Args:
        device_type: 'cpu' or 'gpu' to list only those; None lists the active backend's devices.
    """
    if device_type not in (None, "cpu", "gpu"):
        raise ValueError(f"list_devices expects device_type None, 'cpu' or 'gpu', got {device_type!r}")
    if device_type == "cpu" or (device_type is None and not on_device()):
        return ["cpu:0"]
    if _name == "cupy":
        return [f"gpu:{index}" for index in range(xp.cuda.runtime.getDeviceCount())]
    return ["gpu:0"] if on_device() else []


def device_description():
    """One line naming the backend and its device, as a banner shows it: 'numpy (cpu:0)', 'cupy (gpu:0 NVIDIA H100)'."""
    if _name == "cupy":
        device = xp.cuda.Device()
        name = xp.cuda.runtime.getDeviceProperties(device.id)["name"]
        name = name.decode() if isinstance(name, bytes) else name
        return f"cupy (gpu:{device.id} {name})"
    if on_device():
        return f"{_name} (gpu:0 stand-in on the CPU)"
    return "numpy (cpu:0)"


@contextlib.contextmanager
def device(device_name):
    """Keras' `keras.device(name)`: run the block on a device, "cpu", "gpu" or "cuda" with an
    optional ":index".

    neuroflow places every array with its one array module: "cpu" is where NumPy computes, and
    with `set_backend("cupy")` "gpu:N" selects CUDA device N for the block. A device the active
    module does not compute on is refused, not ignored.

    Raises:
        ValueError: for a malformed name, or a device the active array module cannot use.
    """
    kind, _, index = str(device_name).lower().partition(":")
    if not isinstance(device_name, str) or kind not in ("cpu", "gpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"Invalid value for argument `device_name`: expected 'cpu', 'gpu' or 'cuda', optionally "
                         f"followed by ':index' (e.g. 'gpu:0'). Received: device_name={device_name!r}")
    if (kind == "cpu") != (_name == "numpy"):
        raise ValueError(f"device({device_name!r}): neuroflow computes with {_name} "
                         f"({'the CPU' if _name == 'numpy' else 'the GPU'}); switch the array module with "
                         "neuroflow.backend.set_backend('numpy' or 'cupy') instead")
    if kind == "cpu":
        yield
        return
    with xp.cuda.Device(int(index or 0)):
        yield


def blas_threads_yield():
    """Whether NumPy's BLAS frees its cores right after a product, so other threads can use them.

    True for OpenBLAS when OPENBLAS_THREAD_TIMEOUT was in effect at load time (see
    `_blas_spin_is_short`); False for other BLAS builds, whose thread pools (OpenMP, MKL) spin.
    """
    if not _blas_spin_short:
        return False
    try:
        name = numpy.__config__.CONFIG["Build Dependencies"]["blas"]["name"]
    except (AttributeError, KeyError, TypeError):
        return False
    return "openblas" in str(name).lower()


def to_numpy(array):
    """Returns a NumPy array for an array of the active module (copies from the GPU if needed)."""
    if xp is not numpy and not isinstance(array, numpy.ndarray):
        run_pending_checks()
        return xp.asnumpy(array)
    return numpy.asarray(array)


def to_device(array):
    """A host (NumPy) array copied to the active backend's device; anything else as it is."""
    if xp is not numpy and isinstance(array, numpy.ndarray):
        return xp.asarray(array)
    return array


def is_float_dtype(dtype):
    return numpy.dtype(dtype).kind == "f"


# ---- Keras' keras.backend dtype and uid helpers --------------------------------------------------

# Python's types as Keras names them (its non-TensorFlow backends: int is int32).
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", complex: "complex64", "int": "int32"}


def standardize_dtype(dtype):
    """A dtype's name as Keras writes it: None is floatx, Python's int 'int32', float 'float32'.

    Raises:
        ValueError: for what is not a dtype (Keras refuses the bare name 'float').
    """
    if dtype is None:
        return _floatx
    if dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    if dtype in ("string", "bfloat16"):
        return dtype
    try:
        name = numpy.dtype(getattr(dtype, "name", dtype)).name if dtype != "float" else None
    except TypeError:
        name = None
    if name is None or name.startswith(("object", "str", "bytes", "void", "datetime", "timedelta")):
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def is_int_dtype(dtype):
    """Whether `dtype` is a signed or unsigned integer dtype."""
    name = standardize_dtype(dtype)
    return name.startswith(("int", "uint"))


_uids = {}


def get_uid(prefix=""):
    """1, 2, 3 ... for successive calls with the same `prefix` (restarts at clear_session)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


_image_data_format = "channels_last"


def image_data_format():
    """The default data layout of image layers: 'channels_last' (NHWC) unless changed."""
    return _image_data_format


def set_image_data_format(data_format):
    global _image_data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    _image_data_format = data_format


def clear_session():
    """Resets global state as keras.backend.clear_session does: layer auto-names restart from 'dense'."""
    naming.reset_names()
    _uids.clear()


def _keep_freed_memory():
    """Asks glibc to reuse freed memory for large arrays instead of returning it to the system.

    By default glibc serves every allocation above 128 KiB-32 MiB (its threshold adapts) with a
    fresh mmap and unmaps it on free, so each training step's large temporaries (im2col columns,
    activations, their gradients) arrive as untouched pages that the kernel must fault in one by
    one. On the VMs we measured, that page-faulting was half of a convnet step (60 -> 30 ms per
    batch of 128). Keeping freed memory in the heap, as PyTorch's caching allocator does, avoids
    it; peak memory is unchanged, the process just returns memory to the system lazily.
    Set NEUROFLOW_MALLOC_TUNING=0 to leave the allocator alone.
    """
    import os
    import sys

    if sys.platform != "linux" or os.environ.get("NEUROFLOW_MALLOC_TUNING", "1") == "0":
        return False
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    done = mallopt(m_mmap_threshold, 32 * 1024 * 1024)  # glibc's largest allowed threshold
    done &= mallopt(m_trim_threshold, 512 * 1024 * 1024)
    return bool(done)


_malloc_tuned = _keep_freed_memory()


def result_type(*dtypes_):
    """The dtype Keras gives an op on inputs of these dtypes (keras.backend.result_type).

    Args:
        *dtypes_: dtype names, NumPy dtypes, or the Python types `bool`, `int`, `float` (weak: they take the
            other inputs' dtype); None means floatx.

    Returns:
        The dtype name: the least upper bound on Keras' promotion lattice (neuroflow/dtypes.py), a lone weak
        int giving 'int32' and a lone weak float floatx.
    """
    if not dtypes_:
        return floatx()
    best = dtypes.least_upper_bound([dtypes.lattice_name(dtype, _floatx) for dtype in dtypes_])
    if best == "int":
        return "int32"
    if best == "float":
        return floatx()
    return best


def _backend_from_environment():
    """NEUROFLOW_BACKEND=cupy (or numpy) picks the array module at import, as KERAS_BACKEND does in Keras."""
    name = os.environ.get("NEUROFLOW_BACKEND", "").strip().lower()
    if name and name != "numpy":
        set_backend(name)


_backend_from_environment()
