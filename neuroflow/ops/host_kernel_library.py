"""The CPU loops (ops/host_loops.py) compiled ahead of time into a small extension module, which a process
loads without importing numba.

Why: numba's jit compiles the loops in the process that runs them, and `import numba` alone costs ~0.5 s
of CPU and ~85 MiB of memory. That is why ops/host_kernels.py waits for large updates before it asks
for numba, and why a small model (the digits MLP's 9000 weights) never gets the loops although it
would gain most from them: its Adam update is twelve NumPy calls of ~1 us each against one pass of
~3 us. Compiled once per machine by numba's ahead-of-time compiler (numba.pycc: the jit's LLVM code
generation for this CPU, IEEE arithmetic without fast-math, so the same bits as the jit and the NumPy
code), the module loads in under a millisecond and about a megabyte, and every update can take its loop.

Build it with `python -m neuroflow.ops.build_host_loops` (`./run demo` and `./run bench` do, when numba
is installed); it goes to NEUROFLOW_HOME (default ~/.neuroflow) under kernels/<key>, the key naming the
Python ABI, the machine, a checksum of this CPU's features and one of the loops' code, so a changed
loop, CPU or interpreter never loads an old build. Without a build, host_kernels runs the jit as
before. The module is this package's own code, built on this machine from the loops in
ops/host_loops.py, as numba's jit cache in __pycache__ is; nothing else is ever loaded from there.

The compiled functions check neither dtypes nor shapes: host_kernels.get hands them only C-ordered
arrays of the one float dtype each was compiled for, and of the ranks in host_loops.SIGNATURES.
"""
import contextlib
import importlib.machinery
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import warnings
import zlib

from neuroflow.ops import host_loops
from neuroflow.utils.file_cache import neuroflow_home

MODULE_NAME = "neuroflow_host_loops"
FORMAT = 1  # bumped whenever the build's settings change, so that older builds are not loaded
DTYPES = {"float32": "f4", "float64": "f8"}

_state = {"loaded": False, "module": None, "error": None}
_loading = threading.Lock()


def function_name(loop, dtype):
    """The exported name of `loop` ("adam") for arrays of `dtype` (a NumPy dtype or its name)."""
    return f"{loop}_{dtype}"


def _cpu_checksum():
    """A checksum of what this CPU can run: the code is compiled for it, so another CPU gets another build."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("flags", "Features")):  # x86, ARM
                    return zlib.crc32(line.encode())
    except OSError:
        pass
    import platform
    return zlib.crc32(f"{platform.processor()} {platform.machine()}".encode())


def _loops_checksum():
    checksum = FORMAT
    for name in sorted(host_loops.LOOPS):
        code = host_loops.LOOPS[name].__code__
        checksum = zlib.crc32(code.co_code + repr((code.co_consts, code.co_names, host_loops.SIGNATURES[name])).encode(),
                              checksum)
    return checksum


def directory(home=None):
    """The folder this interpreter, machine, CPU and set of loops build into and load from."""
    import platform
    key = f"{sys.implementation.cache_tag}-{platform.machine()}-{_cpu_checksum():08x}-{_loops_checksum():08x}"
    return os.path.join(home or neuroflow_home(), "kernels", key)


def _built_file(folder):
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, MODULE_NAME + suffix)
        if os.path.isfile(path):
            return path
    return None


def load(home=None):
    """The built module, or None (not built, or it does not load: `load_error()` says why). Cached: the
    first call decides, unless `home` is given."""
    if _state["loaded"] and home is None:
        return _state["module"]
    with _loading:  # ops/parallel.py's threads may ask at once: one of them loads
        if _state["loaded"] and home is None:
            return _state["module"]
        module, error = _load_from(directory(home))
        if home is None:
            _state.update(loaded=True, module=module, error=error)
        return module


def _load_from(folder):
    module, error = None, None
    path = _built_file(folder)
    if path is None:
        error = "not built (python -m neuroflow.ops.build_host_loops builds it)"
    else:
        try:
            spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            missing = [function_name(loop, dtype) for loop in host_loops.LOOPS for dtype in DTYPES
                       if not callable(getattr(module, function_name(loop, dtype), None))]
            if missing:
                module, error = None, f"{path} lacks {', '.join(missing)}"
        except (ImportError, OSError) as failure:  # a damaged or foreign file: the jit (or NumPy) takes over
            module, error = None, f"{path} does not load: {failure}"
    return module, error


def load_error():
    """Why `load()` gave None (None when it gave the module or has not run)."""
    return _state["error"]


def use(module):
    """Makes `module` (a loaded library, or None for none) the one host_kernels uses; returns the previous one."""
    previous = _state["module"] if _state["loaded"] else load()
    _state.update(loaded=True, module=module, error=None if module is not None else "turned off")
    return previous


@contextlib.contextmanager
def _numpy_error_model(compiler_module):
    """numba.pycc compiles with Python's error model, whose zero-division checks keep LLVM from vectorizing
    the loops (7x slower); the jit's loops use error_model="numpy" (IEEE results, no checks), and so does the build."""
    flags_class = compiler_module.Flags

    class NumpyErrorModelFlags(flags_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.error_model = "numpy"

    compiler_module.Flags = NumpyErrorModelFlags
    try:
        yield
    finally:
        compiler_module.Flags = flags_class


def build(home=None):
    """Compiles the loops for this CPU into `directory(home)` and returns the module's path.

    Needs numba (the 'fast' extra) and a C compiler (numba.pycc links a small C wrapper). Builds into a
    fresh folder beside the target and renames it into place, so that a concurrent build or load never
    sees half a module.
    """
    try:
        with warnings.catch_warnings():  # pycc is "pending deprecation" since numba 0.57, with no replacement yet
            warnings.filterwarnings("ignore", message=".*pycc.*")
            import numba.pycc.compiler as aot_compiler
            from numba.pycc import CC
    except ImportError as error:
        raise RuntimeError(f"building the host loops needs numba's ahead-of-time compiler (pip install "
                           f"'neuroflow[fast]'): {error}") from None
    target = directory(home)
    existing = _built_file(target)
    if existing is not None:
        return existing
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(dir=parent, prefix=".building-")
    try:
        compiler = CC(MODULE_NAME)
        compiler.output_dir = work
        compiler.target_cpu = "host"
        compiler.verbose = False
        for name, loop in host_loops.LOOPS.items():
            for dtype, code in DTYPES.items():
                compiler.export(function_name(name, dtype), host_loops.SIGNATURES[name].format(t=code))(loop)
        with _numpy_error_model(aot_compiler):
            compiler.compile()
        try:
            os.rename(work, target)
        except OSError:  # built meanwhile by another process: keep that one
            if _built_file(target) is None:
                raise
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    path = _built_file(target)
    if path is None:
        raise RuntimeError(f"numba.pycc wrote no {MODULE_NAME} module into {target}")
    return path
