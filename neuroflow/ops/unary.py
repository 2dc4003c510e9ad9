"""The shape of a differentiable float function of one or two inputs (sin, log1p, arctan2 ...), written once.

Each family file (trigonometric.py, exponential.py, special.py) registers its functions through these
two builders, giving the forward and the derivative on one line each, side by side. The inputs are cast
the Keras way first (promotion.py): integers and bools become floatx, two inputs meet at their common
float dtype, so `sin(int32)` is float32 and the float32 path never widens to float64.
"""
from neuroflow.engine.registry import Op
from neuroflow.ops.promotion import as_float, promote


def float_unary_op(name, forward, derivative):
    """Registers op `name`: out = forward(a) on float `a`; the vjp is g * f'(a), given as derivative(a, out, g)."""
    op = Op(name)

    @op.forward
    def _(a):
        a = as_float(a)
        out = forward(a)
        return out.astype(a.dtype, copy=False), (a, out)

    @op.vjp
    def _(residuals, g, needs):
        a, out = residuals
        return (derivative(a, out, g),)

    return op


def float_binary_op(name, forward, derivatives, floating=True):
    """Registers op `name`: out = forward(a, b) on the inputs promoted together (`floating`: to a float dtype).

    `derivatives(a, b, out, g, needs)` returns the pair of input gradients (None where not needed).
    """
    op = Op(name)

    @op.forward
    def _(a, b):
        a, b = promote(a, b, floating=floating)
        out = forward(a, b)
        return out.astype(a.dtype, copy=False), (a, b, out)

    @op.vjp
    def _(residuals, g, needs):
        a, b, out = residuals
        return derivatives(a, b, out, g, needs)

    return op
