"""Elementwise choices beyond maximum, minimum and where (ops/elementwise.py): fmax, fmin, heaviside, select.

fmax and fmin ignore NaN (NumPy's fmax: the other input wins), where maximum propagates it.
"""
from neuroflow import backend
from neuroflow.engine.registry import apply
from neuroflow.ops.elementwise import where
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import promote, result_type
from neuroflow.ops.unary import float_binary_op


def _xp():
    return backend.xp


def _fmax_derivatives(a, b, out, g, needs):
    # The gradient goes to the input that was chosen: the first on ties (as maximum) and where b is NaN.
    xp = _xp()
    first = (a >= b) | xp.isnan(b)
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


def _fmin_derivatives(a, b, out, g, needs):
    xp = _xp()
    first = (a <= b) | xp.isnan(b)
    return (g * first if needs[0] else None), (g * ~first if needs[1] else None)


fmax_op = float_binary_op("fmax", lambda a, b: _xp().fmax(a, b), _fmax_derivatives, floating=False)
fmin_op = float_binary_op("fmin", lambda a, b: _xp().fmin(a, b), _fmin_derivatives, floating=False)


def fmax(x1, x2):
    """The elementwise maximum, ignoring NaN (a NaN only where both are NaN)."""
    return apply(fmax_op, (x1, x2), {})


def fmin(x1, x2):
    """The elementwise minimum, ignoring NaN (a NaN only where both are NaN)."""
    return apply(fmin_op, (x1, x2), {})


def _heaviside(a, b):
    a, b = promote(a, b)
    dtype = a.dtype.name
    # Keras gives floats for integer inputs: floatx, and float64 for int64.
    if dtype == "int64":
        dtype = "float64"
    elif dtype.startswith(("int", "uint")) or dtype == "bool":
        dtype = result_type(float)
    return _xp().heaviside(a, b).astype(dtype, copy=False)


heaviside_op = no_gradient_op("heaviside", _heaviside)


def heaviside(x1, x2):
    """The step function: 0 where x1 < 0, 1 where x1 > 0, and x2 where x1 == 0."""
    return apply(heaviside_op, (x1, x2), {})


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first condition that holds, else `default`.

    Built from `where`, so gradients flow to the chosen elements of each choice.

    Raises:
        ValueError: if condlist and choicelist differ in length or are empty.
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError("select expects condlist and choicelist as lists; got "
                         f"condlist={type(condlist).__name__}, choicelist={type(choicelist).__name__}")
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError("select expects condlist and choicelist of the same nonzero length; got "
                         f"len(condlist)={len(condlist)}, len(choicelist)={len(choicelist)}")
    result = default
    # From the last condition to the first, so the first that holds is applied last and wins.
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        result = where(condition, choice, result)
    return result
