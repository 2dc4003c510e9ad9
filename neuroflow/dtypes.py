"""Keras 3's dtype promotion lattice (the JAX one): which dtype inputs of several dtypes combine to.

int32 with float32 is float32 (NumPy gives float64), uint8 with int8 is int16, and the Python types `int`
and `float` are *weak*: they take the other operand's dtype. `least_upper_bound` answers on the lattice's
names ('int' and 'float' for the weak types); `backend.result_type` resolves the weak ones against floatx,
and is what keras.backend.result_type and the ops (ops/promotion.py) use.
"""
import difflib

import numpy

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


def lattice_name(dtype, floatx):
    """The lattice's name for a dtype, a NumPy dtype, or the Python types bool / int / float; None is floatx."""
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int"
    if dtype is float:
        return "float"
    if dtype is None:
        return floatx
    return numpy.dtype(dtype).name


def least_upper_bound(names):
    """The least upper bound of lattice names: the one common bound that every other common bound lies above."""
    unknown = [name for name in names if name not in _BOUNDS]
    if unknown:
        raise ValueError(f"result_type expects numeric or bool dtypes; received dtypes {unknown}")
    common = frozenset.intersection(*(_BOUNDS[name] for name in names))
    return next(name for name in common if _BOUNDS[name] == common or _BOUNDS[name] >= common)


_KNOWN_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                 "uint64", "bool", "complex64", "complex128")


def standardize_dtype(dtype, owner):
    """NumPy's name for a `dtype` argument of `owner` (e.g. "layer 'dense'"); an unknown name is a
    ValueError that suggests the closest known dtype, as Keras' "Invalid dtype" does."""
    try:
        return str(numpy.dtype(dtype))
    except TypeError:
        close = difflib.get_close_matches(str(dtype).lower(), _KNOWN_DTYPES, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Invalid dtype: {dtype!r} for {owner}.{hint} Known dtypes: {', '.join(_KNOWN_DTYPES)}.") from None

