"""Keras' dtype rules for the NumPy-like ops: which dtype two inputs combine to, and when a result turns float.

Keras 3 promotes dtypes on the JAX lattice rather than NumPy's table, so results do not widen silently:
int32 with float32 is float32 (NumPy gives float64), uint8 with int8 is int16, and a Python number is a
*weak* type that takes the other operand's dtype (`int8_array + 1` stays int8, `int_array * 0.5` becomes
floatx). Integer inputs to a float function (sin, log, sqrt ...) give floatx.

    result_type("int32", "float32")   # 'float32'
    result_type("int8", int)          # 'int8'
    result_type("int32", float)       # floatx ('float32')
"""
import numpy

from neuroflow import backend

# Each dtype's next wider ones on the lattice; "int" and "float" are the weak types of Python numbers.
# The order of the types in the lattice is from JAX's documented promotion lattice (jax.numpy.result_type).
_WIDER = {
    "bool": ("int",),
    "int": ("uint8", "int8"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("float16",),
    "float16": ("float32",),
    "float32": ("float64",),
    "float64": ("complex128",),
    "complex64": ("complex128",),
    "complex128": (),
}


def _upper_bounds():
    bounds = {}
    for start in _WIDER:
        seen, frontier = {start}, [start]
        while frontier:
            for wider in _WIDER[frontier.pop()]:
                if wider not in seen:
                    seen.add(wider)
                    frontier.append(wider)
        bounds[start] = frozenset(seen)
    return bounds


_BOUNDS = _upper_bounds()
_BOUNDS["float32"] = _BOUNDS["float32"] | {"complex64"}


def _lattice_name(dtype):
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int"
    if dtype is float:
        return "float"
    if dtype is None:
        return backend.floatx()
    return numpy.dtype(dtype).name


def result_type(*dtypes):
    """The dtype Keras gives an op on inputs of these dtypes (Python types bool/int/float are weak).

    Args:
        *dtypes: dtype names, NumPy dtypes, or the Python types `bool`, `int`, `float`; None means floatx.

    Returns:
        The dtype name: the least upper bound of the inputs on the promotion lattice, weak types resolved
        (a lone weak int is 'int32', a lone weak float is floatx).
    """
    if not dtypes:
        return backend.floatx()
    names = [_lattice_name(dtype) for dtype in dtypes]
    common = frozenset.intersection(*(_BOUNDS[name] for name in names))
    # The least upper bound is the one common bound that every other common bound lies above.
    best = next(name for name in common if _BOUNDS[name] == common or _BOUNDS[name] >= common)
    if best == "int":
        return "int32"
    if best == "float":
        return backend.floatx()
    return best


def dtype_of(x):
    """The dtype of an array or Tensor value, or the weak Python type of a Python number."""
    # Asked first: a NumPy float64 scalar is also a Python float, yet it is strongly typed.
    if hasattr(x, "dtype"):
        return x.dtype
    if isinstance(x, bool):
        return bool
    if isinstance(x, int):
        return int
    if isinstance(x, float):
        return float
    return backend.xp.asarray(x).dtype


def float_result_type(*dtypes):
    """The dtype of a float-valued op (sin, log, arctan2 ...): result_type(*dtypes, float); ints give floatx."""
    return result_type(*dtypes, float)


def as_float(a):
    """`a` (an array or a Python number) in the dtype of a float-valued op on it: ints and bools become floatx."""
    if not hasattr(a, "dtype"):
        return backend.xp.asarray(a, dtype=backend.floatx())
    if a.dtype.kind in "fc":
        return a
    return a.astype(backend.floatx())


def promote(*arrays, floating=False):
    """The arrays cast to their common Keras dtype (`floating`: at least a float one); Python numbers become arrays."""
    dtypes = [dtype_of(a) for a in arrays]
    dtype = float_result_type(*dtypes) if floating else result_type(*dtypes)
    xp = backend.xp
    return tuple(xp.asarray(a, dtype=dtype) if not hasattr(a, "dtype") or a.dtype != dtype else a for a in arrays)
