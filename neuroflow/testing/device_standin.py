"""A NumPy-backed stand-in for CuPy, so CPU tests catch the breakage a GPU would show.

Its arrays (`DeviceArray`) live "on the device" the way CuPy's do: they compute with NumPy
underneath, so results equal the NumPy backend's bit for bit, but they refuse what CuPy refuses:

- `numpy.asarray(x)` / `numpy.array(x)` raise TypeError (CuPy's `__array__` does), so a hidden
  host transfer fails loudly; `x.get()`, `module.asnumpy(x)`, `float(x)`, `x.item()` work and are
  counted in `transfers` (each is a device -> host copy and a synchronisation on a GPU);
- a function of the module given a NumPy array (other than `asarray` / `array`, which copy it to
  the device) raises TypeError, as `cupy.exp(numpy_array)` does, and so does mixing a NumPy array
  and a device array in an operator;
- host data entering the device (`asarray` / `array` of a NumPy array, a list or a Python scalar,
  a NumPy value or index array in `a[...]` / `a[...] = ...`, where CuPy copies it over) is counted
  in `host_to_device`;
- `module.cuda.runtime.memGetInfo()` answers (free, total) bytes as CuPy's does, from a figure a
  test sets with `free_memory(bytes)` (16 GiB free of 32 unless set);
- full reductions return 0-d device arrays, not NumPy scalars, as CuPy's do;
- ufuncs have no `.at` (CuPy offers `cupyx.scatter_add` instead; use `backend.scatter_add`).

Test-only: `use_standin()` (a context manager) switches neuroflow's backend to it and back.
"""
import contextlib
import functools
import re
import types

import numpy

from neuroflow import backend
from neuroflow.testing import cudnn_standin

# numpy here is the stand-in device itself (tests/test_backend_seam.py).
HOST_NUMPY = "the stand-in device's implementation: NumPy underneath by design"

_IMPLICIT_CONVERSION = ("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")
_ACCEPT_HOST = frozenset({"asarray", "array", "asanyarray", "asnumpy"})
_UPLOADS = frozenset({"asarray", "array", "asanyarray"})


class _Counter:
    """Copies in one direction since the last `reset`, and the bytes they moved."""

    def __init__(self):
        self.count = 0
        self.bytes = 0

    def add(self, nbytes):
        self.count += 1
        self.bytes += int(nbytes)

    def reset(self):
        self.count = 0
        self.bytes = 0


# Device -> host copies (each is a synchronisation on a GPU); `device_to_host` is the same counter.
transfers = device_to_host = _Counter()
# Host -> device copies (on a GPU, each is a cudaMemcpy from pageable host memory).
host_to_device = _Counter()


def reset_counters():
    """Both directions' counts back to 0."""
    device_to_host.reset()
    host_to_device.reset()


class _ElementwiseKernel:
    """cupy.ElementwiseKernel's stand-in: runs the kernel's C body as NumPy statements, whole arrays at a time.

    Enough of the C for neuroflow's fused kernels (ops/device_kernels.py): `a = expr;`, `a += expr;`,
    local declarations `T a = expr;`, `(T)x` casts, `sqrt`, `tanh`, `exp`. Same operations in the same
    order as the C, so on NumPy they round alike (a GPU compiler may contract a * b + c into one fused
    multiply-add; that is the tolerance on a GPU). Names CuPy reserves (`i`, `n`, `_ind`) are refused.
    """

    _RESERVED = frozenset({"i", "n", "_ind"})

    def __init__(self, in_params, out_params, operation, name="kernel"):
        self.name = name
        self.inputs = [parameter.split()[-1] for parameter in in_params.split(",")]
        self.outputs = [parameter.split()[-1] for parameter in out_params.split(",")]
        clash = self._RESERVED.intersection(self.inputs + self.outputs)
        if clash or len(set(self.inputs + self.outputs)) != len(self.inputs + self.outputs):
            raise ValueError(f"ElementwiseKernel {name}: parameter names reserved by CuPy or repeated: {sorted(clash)}")
        python = re.sub(r"\(T\)\s*([\w.]+|\([^()]*\))", r"T(\1)", operation)
        statements = [re.sub(r"^T\s+(\w+\s*=)", r"\1", line.strip()) for line in python.split(";") if line.strip()]
        self.code = compile("\n".join(statements), name, "exec")

    def __call__(self, *args):
        arrays = [_unwrap(arg, "ElementwiseKernel") for arg in args]
        inputs, outputs = arrays[:len(self.inputs)], arrays[len(self.inputs):]
        first = next(array for array in arrays if isinstance(array, numpy.ndarray))
        if not outputs:
            shape = numpy.broadcast_shapes(*[numpy.shape(array) for array in inputs])
            outputs = [numpy.empty(shape, dtype=first.dtype) for _ in self.outputs]
        names = dict(zip(self.inputs, inputs), **dict(zip(self.outputs, outputs)), T=first.dtype.type, sqrt=numpy.sqrt,
                     tanh=numpy.tanh, exp=numpy.exp)
        exec(self.code, {"__builtins__": {}}, names)
        for name, out in zip(self.outputs, outputs):
            if names[name] is not out:  # `a = expr` rebinds: write the value into the output array
                out[...] = names[name]
        results = [args[len(self.inputs) + index] if len(args) > len(self.inputs) else DeviceArray(out)
                   for index, out in enumerate(outputs)]
        return results[0] if len(results) == 1 else tuple(results)


def _refuse_host(value, where):
    raise TypeError(f"Unsupported type {type(value)} in {where}: a NumPy array given to the device "
                    "(CuPy refuses it); move it with backend.xp.asarray first")


def _unwrap(value, where, accept_host=False):
    if isinstance(value, DeviceArray):
        return value._data
    if isinstance(value, numpy.ndarray) and not accept_host:
        _refuse_host(value, where)
    if isinstance(value, (list, tuple)) and value and any(isinstance(item, (DeviceArray, numpy.ndarray)) for item in value):
        return type(value)(_unwrap(item, where, accept_host) for item in value)
    return value


def _wrap(value):
    if isinstance(value, numpy.ndarray):
        return DeviceArray(value)
    if isinstance(value, numpy.generic):
        return DeviceArray(numpy.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(item) for item in value)
    if isinstance(value, list) and value and isinstance(value[0], numpy.ndarray):
        return [_wrap(item) for item in value]
    return value


def _wrapped_indices(key, shape):
    """Integer index arrays taken modulo their axis' length: CuPy wraps out-of-bounds indices around instead of raising."""
    keys = key if isinstance(key, tuple) else (key,)
    if any(item is Ellipsis or item is None or getattr(item, "dtype", None) == numpy.bool_ for item in keys):
        return key
    wrapped = tuple(item % shape[axis] if isinstance(item, numpy.ndarray) and item.dtype.kind in "iu" and axis < len(shape)
                    and shape[axis] else item for axis, item in enumerate(keys))
    return wrapped if isinstance(key, tuple) else wrapped[0]


def _count_host_arrays(value):
    """Counts each NumPy array in an index or value that CuPy would copy to the device."""
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, numpy.ndarray):
            host_to_device.add(item.nbytes)


def _uploading(function):
    """`asarray` / `array` / `asanyarray`: host data given to them is a copy to the device (counted); a device array is not."""
    @functools.wraps(function)
    def call(data, *args, **kwargs):
        on_device = isinstance(data, DeviceArray) or (
            isinstance(data, (list, tuple)) and any(isinstance(item, DeviceArray) for item in data))
        if not on_device:
            host_to_device.add(numpy.asarray(data).nbytes)
        return function(data, *args, **kwargs)
    return call


def _device_call(function, name, accept_host=False, owner=None):
    @functools.wraps(function)
    def call(*args, **kwargs):
        given = [arg for arg in args if isinstance(arg, DeviceArray)] + ([owner] if owner is not None else [])
        args = [_unwrap(arg, name, accept_host) for arg in args]
        kwargs = {key: _unwrap(value, name, accept_host) for key, value in kwargs.items()}
        result = function(*args, **kwargs)
        for array in given:  # cupy.asarray(a) and a.astype(dtype, copy=False) return `a` itself, as NumPy does
            if result is array._data:
                return array
        return _wrap(result)
    return call


class _DeviceUfunc:
    """A NumPy ufunc on device arrays, with the methods CuPy (v12 on) has: outer for all, reduce for add
    and multiply, accumulate and reduceat for add; no `.at` (CuPy's covers only some ufuncs: backend.scatter_add)."""

    _METHODS = {"outer": None, "reduce": ("add", "multiply"), "accumulate": ("add",), "reduceat": ("add",)}

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        for method, names in self._METHODS.items():
            if names is None or ufunc.__name__ in names:
                setattr(self, method, _device_call(getattr(ufunc, method), f"{ufunc.__name__}.{method}"))

    def __call__(self, *args, **kwargs):
        return _device_call(self._ufunc, self.__name__)(*args, **kwargs)

    def __getattr__(self, name):
        if name == "at":
            raise AttributeError("the device's ufuncs have no .at (CuPy: use cupyx.scatter_add; neuroflow: backend.scatter_add)")
        if name in self._METHODS:
            raise AttributeError(f"CuPy's {self.__name__} has no .{name} (see cupy/cupy#7082): use the array functions")
        return getattr(self._ufunc, name)


def _binary(name):
    ufunc = getattr(numpy, name)

    def method(self, other):
        return _wrap(ufunc(self._data, _unwrap(other, name)))

    def reflected(self, other):
        return _wrap(ufunc(_unwrap(other, name), self._data))

    def in_place(self, other):
        ufunc(self._data, _unwrap(other, name), out=self._data)
        return self
    return method, reflected, in_place


class DeviceArray:
    """An array of the stand-in device: a NumPy array that refuses implicit conversion to the host."""

    __slots__ = ("_data", "__weakref__")
    __array_priority__ = 100

    def __init__(self, data):
        self._data = data

    def __array__(self, dtype=None, copy=None):
        raise TypeError(_IMPLICIT_CONVERSION)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # CuPy's arrays answer NumPy's ufuncs on device (numpy.exp(cupy_array) is a cupy array), refusing host operands.
        if method == "at":
            raise TypeError("ufunc.at on a device array: use backend.scatter_add")
        supported = _DeviceUfunc._METHODS.get(method, ())
        if method != "__call__" and supported is not None and ufunc.__name__ not in supported:
            raise TypeError(f"CuPy's {ufunc.__name__} has no .{method} (see cupy/cupy#7082): use the array functions")
        inputs = [_unwrap(value, ufunc.__name__) for value in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap(value, ufunc.__name__) for value in kwargs["out"])
        return _wrap(getattr(ufunc, method)(*inputs, **kwargs))

    def __array_function__(self, function, types_, args, kwargs):
        # CuPy dispatches NumPy's functions to its own (numpy.sum(cupy_array) runs on the device).
        name = function.__name__
        return _device_call(function, name)(*args, **kwargs)

    def get(self, stream=None, order="C", out=None, blocking=True):
        transfers.add(self._data.nbytes)
        return numpy.array(self._data, order=order, copy=True)

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    itemsize = property(lambda self: self._data.itemsize)
    nbytes = property(lambda self: self._data.nbytes)
    strides = property(lambda self: self._data.strides)
    flags = property(lambda self: self._data.flags)
    T = property(lambda self: DeviceArray(self._data.T))
    real = property(lambda self: DeviceArray(self._data.real))
    imag = property(lambda self: DeviceArray(self._data.imag))

    @property
    def base(self):
        return None if self._data.base is None else DeviceArray(self._data.base)

    def __getattr__(self, name):
        if name.startswith("__"):  # NumPy's __array_interface__ / __array_struct__ would hand the host buffer over
            raise AttributeError(name)
        attribute = getattr(self._data, name)
        if callable(attribute):
            return _device_call(attribute, f"ndarray.{name}", owner=self)
        return _wrap(attribute)

    def item(self, *args):
        transfers.add(self._data.dtype.itemsize)
        return self._data.item(*args)

    def tolist(self):
        transfers.add(self._data.nbytes)
        return self._data.tolist()

    def _scalar(self, convert):
        transfers.add(self._data.nbytes)
        return convert(self._data)

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __index__(self):
        return self._scalar(lambda data: data.__index__())

    def __bool__(self):
        return self._scalar(bool)

    def __complex__(self):
        return self._scalar(complex)

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return (_wrap(row) for row in self._data)

    def __getitem__(self, key):
        _count_host_arrays(key)  # CuPy copies a NumPy index array to the device
        return _wrap(self._data[_wrapped_indices(_unwrap(key, "indexing", accept_host=True), self._data.shape)])

    def __setitem__(self, key, value):
        # CuPy copies a NumPy value (or index) to the device here rather than refusing it.
        _count_host_arrays(key)
        _count_host_arrays(value)
        key = _wrapped_indices(_unwrap(key, "indexing", accept_host=True), self._data.shape)
        self._data[key] = _unwrap(value, "assignment", accept_host=True)

    def __neg__(self):
        return DeviceArray(-self._data)

    def __pos__(self):
        return DeviceArray(+self._data)

    def __abs__(self):
        return DeviceArray(abs(self._data))

    def __invert__(self):
        return DeviceArray(~self._data)

    def __matmul__(self, other):
        return _wrap(self._data @ _unwrap(other, "matmul"))

    def __rmatmul__(self, other):
        return _wrap(_unwrap(other, "matmul") @ self._data)

    def _compare(self, other, ufunc):
        return _wrap(ufunc(self._data, _unwrap(other, ufunc.__name__)))

    def __eq__(self, other):
        return self._compare(other, numpy.equal)

    def __ne__(self, other):
        return self._compare(other, numpy.not_equal)

    def __lt__(self, other):
        return self._compare(other, numpy.less)

    def __le__(self, other):
        return self._compare(other, numpy.less_equal)

    def __gt__(self, other):
        return self._compare(other, numpy.greater)

    def __ge__(self, other):
        return self._compare(other, numpy.greater_equal)

    __hash__ = None

    def __repr__(self):
        return "device" + repr(self._data)[5:] if repr(self._data).startswith("array") else f"device({self._data!r})"

    def __copy__(self):
        return DeviceArray(self._data.copy())

    def __deepcopy__(self, memo):
        return DeviceArray(self._data.copy())

    def __reduce__(self):
        return DeviceArray, (self._data.copy(),)


for _name, _ufunc_name in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "true_divide"),
                           ("floordiv", "floor_divide"), ("mod", "remainder"), ("pow", "power"), ("and", "bitwise_and"),
                           ("or", "bitwise_or"), ("xor", "bitwise_xor"), ("lshift", "left_shift"), ("rshift", "right_shift")]:
    _method, _reflected, _in_place = _binary(_ufunc_name)
    setattr(DeviceArray, f"__{_name}__", _method)
    setattr(DeviceArray, f"__r{_name}__", _reflected)
    setattr(DeviceArray, f"__i{_name}__", _in_place)


class _DeviceModule(types.ModuleType):
    """NumPy's namespace (and its submodules) over device arrays."""

    def __init__(self, name, host_module):
        super().__init__(name)
        self._host = host_module
        self._cache = {}

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._cache:
            return self._cache[name]
        attribute = getattr(self._host, name)
        if isinstance(attribute, numpy.ufunc):
            value = _DeviceUfunc(attribute)
        elif isinstance(attribute, types.ModuleType):
            value = _DeviceModule(f"{self.__name__}.{name}", attribute)
        elif isinstance(attribute, type) or not callable(attribute):
            value = DeviceArray if attribute is numpy.ndarray else attribute
        else:
            value = _device_call(attribute, name, accept_host=name in _ACCEPT_HOST)
            if name in _UPLOADS:
                value = _uploading(value)
        self._cache[name] = value
        return value

    def asnumpy(self, array, stream=None, order="C", out=None, blocking=True):
        """The host copy of `array` (a device array, a NumPy array or anything array-like), as cupy.asnumpy."""
        if isinstance(array, DeviceArray):
            return array.get(order=order)
        return numpy.asarray(array, order=order)

    def scatter_reduce(self, reduction, array, indices, values):
        """cupyx.scatter_add / _max / _min's stand-in (backend.scatter_reduce): ufunc.at on the data underneath."""
        ufunc = {"add": numpy.add, "max": numpy.maximum, "min": numpy.minimum, "mul": numpy.multiply}[reduction]
        ufunc.at(_unwrap(array, "scatter"), _unwrap(indices, "scatter", accept_host=True), _unwrap(values, "scatter"))

    ElementwiseKernel = _ElementwiseKernel

    def get_array_module(self, *arrays):
        return self if any(isinstance(array, DeviceArray) for array in arrays) else numpy


module = _DeviceModule("neuroflow_standin_device", numpy)


class _Memory:
    """The device memory `cuda.runtime.memGetInfo()` reports: a figure the tests set, not a measurement."""

    def __init__(self):
        self.free, self.total = 16 * 2**30, 32 * 2**30

    def mem_get_info(self):
        return self.free, self.total


_memory = _Memory()
# CuPy's `cupy.cuda.runtime.memGetInfo()`: (free bytes, total bytes) of the current device.
module.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(memGetInfo=_memory.mem_get_info))


@contextlib.contextmanager
def free_memory(free_bytes):
    """The block runs with the stand-in device reporting `free_bytes` free (as memGetInfo would)."""
    previous = _memory.free
    _memory.free = int(free_bytes)
    try:
        yield
    finally:
        _memory.free = previous


@contextlib.contextmanager
def use_standin(cudnn=False):
    """Runs the block on the stand-in device backend, then restores the backend that was active.

    cudnn=True also offers cuDNN's convolution and pooling calls (`xp.cudnn`, constants in
    `xp.cuda.cudnn`: cudnn_standin.py); without it the device has none, as CuPy without cuDNN.
    """
    previous = backend.backend()
    if cudnn:  # beside module.cuda.runtime (memGetInfo), which the device always has
        module.cudnn, module.cuda.cudnn = cudnn_standin, cudnn_standin.constants
    backend.use_array_module("standin", module)
    try:
        yield module
    finally:
        backend.set_backend(previous)
        if cudnn:
            del module.cudnn, module.cuda.cudnn
