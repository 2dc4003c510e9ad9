"""Keras' dtype rules for the NumPy-like ops: which dtype two inputs combine to, and when a result turns float.

Keras 3 promotes dtypes on the JAX lattice rather than NumPy's table, so results do not widen silently:
int32 with float32 is float32 (NumPy gives float64), uint8 with int8 is int16, and a Python number is a
*weak* type that takes the other operand's dtype (`int8_array + 1` stays int8, `int_array * 0.5` becomes
floatx). Integer inputs to a float function (sin, log, sqrt ...) give floatx.

    result_type("int32", "float32")   # 'float32'
    result_type("int8", int)          # 'int8'
    result_type("int32", float)       # floatx ('float32')
"""
from neuroflow import backend

# The lattice lives beside the backend (neuroflow/dtypes.py, resolved in backend.result_type) so that
# keras.backend.result_type and these ops share one set of rules.
result_type = backend.result_type


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
