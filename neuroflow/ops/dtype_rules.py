"""Keras' result dtypes for the ops that compute in floating point (statistics, quantiles, averages).

Keras promotes an integer or boolean input of such an op to `floatx()` and keeps a floating input's dtype.
"""
from neuroflow import backend
from neuroflow.ops.inspection import value_of


def float_dtype(*dtypes):
    """The floating dtype Keras gives an op over inputs of `dtypes`: the widest float among them, else floatx."""
    xp = backend.xp
    floats = [xp.dtype(d) for d in dtypes if xp.dtype(d).kind == "f"]
    if not floats:
        return xp.dtype(backend.floatx())
    return xp.result_type(*floats)


def accumulation_dtype(dtype, requested=None):
    """The dtype of a sum or product over `dtype` (cumsum, cumprod, prod): `requested`, else the input's,
    with booleans counted as int32 as Keras does."""
    xp = backend.xp
    dtype = xp.dtype(requested or dtype)
    return xp.dtype("int32") if dtype == xp.bool_ else dtype


def result_dtype(*dtypes):
    """Keras' promotion of several inputs (keras.backend.result_type: int32 and float32 give float32, not
    NumPy's float64), as a dtype."""
    return backend.xp.dtype(backend.result_type(*[backend.xp.dtype(d) for d in dtypes]))


def dtype_of(x):
    """The dtype of a Tensor, placeholder or array-like."""
    return backend.xp.dtype(x.dtype) if hasattr(x, "dtype") else value_of(x).dtype
