"""`standardize_dtype`: any dtype spelling (None, a Python type, a NumPy dtype, a name) as Keras' dtype name."""
import numpy

from neuroflow import backend

PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32", complex: "complex64"}
ALLOWED = {"bool", "string", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
           "bfloat16", "float32", "float64", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2"}


def standardize_dtype(dtype):
    """The dtype name Keras uses: None -> floatx(), int -> 'int32', float -> 'float32', numpy.float64 -> 'float64'.

    Raises:
        ValueError: a name that is no dtype.
    """
    if dtype is None:
        return backend.floatx()
    dtype = PYTHON_DTYPES.get(dtype, dtype)
    if isinstance(dtype, str):
        name = dtype
    elif hasattr(dtype, "name"):
        name = dtype.name
    else:
        try:
            name = numpy.dtype(dtype).name
        except TypeError:
            name = getattr(dtype, "__name__", str(dtype))
    if name not in ALLOWED:
        raise ValueError(f"Invalid dtype: {dtype}")
    return name
