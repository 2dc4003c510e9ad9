"""keras.ops.custom_gradient: a function whose gradient is the one it defines.

The decorated function returns `(output, grad_fn)`. Its forward runs with the tape paused (its inner ops are
not recorded), and the output is recorded as one op whose vjp is grad_fn: called with the upstream gradient
(positionally, which serves both Keras styles `grad(upstream)` and `grad(*args, upstream=None)`), it returns
one gradient per flattened argument. The op is created once; each call hands its own grad_fn to the tape as
the record's residuals, which is how an op with a vjp chosen at run time fits the registry.
"""
import functools

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tape import no_grad
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.control_flow import any_placeholder, on_placeholders
from neuroflow.utils import nest

custom_gradient_op = Op("custom_gradient")


@custom_gradient_op.forward
def _(*arrays, output=None, grad_fn=None, position=0, outputs=1):
    # The value was computed by the user's function; the op only puts it on the tape.
    return output, (grad_fn, position, outputs, [a.shape for a in arrays], [a.dtype for a in arrays])


@custom_gradient_op.vjp
def _(residuals, g, needs):
    grad_fn, position, outputs, shapes, dtypes = residuals
    if outputs == 1:
        upstream = Tensor(g)
        with no_grad():
            grads = grad_fn(upstream)
    else:
        # One record per output: the others' upstream gradients are zero (grad_fn is linear in them).
        upstream = [None] * outputs
        upstream[position] = Tensor(g)
        with no_grad():
            grads = grad_fn(*upstream)
    grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
    if len(grads) > len(needs):
        raise ValueError(f"custom_gradient's grad_fn returned {len(grads)} gradients for {len(needs)} arguments")
    grads += [None] * (len(needs) - len(grads))
    return tuple(None if gradient is None else backend.xp.asarray(
        gradient.value if isinstance(gradient, Tensor) else gradient, dtype=dtype)
        for gradient, dtype in zip(grads, dtypes))


def custom_gradient(f):
    """Decorator: `f(*args)` returns `(output, grad_fn)`; the result computes output with grad_fn as its gradient.

    grad_fn takes the upstream gradient (one per output when output is a structure of tensors; upstream gradients
    of the other outputs arrive as None) and returns one gradient per (flattened) argument, None for none.
    """
    if not callable(f):
        raise TypeError(f"custom_gradient expects a callable; received f={f!r}")

    @functools.wraps(f)
    def wrapped(*args):
        if any_placeholder(args):
            return on_placeholders("custom_gradient", lambda *values: wrapped(*nest.pack_like(args, values)),
                                   nest.flatten(args))
        with no_grad():
            result = f(*args)
        if not isinstance(result, (tuple, list)) or len(result) != 2 or not callable(result[1]):
            raise ValueError(f"A function decorated with custom_gradient must return (output, grad_fn); "
                             f"{getattr(f, '__name__', f)!r} returned {type(result).__name__}")
        output, grad_fn = result
        inputs = tuple(nest.flatten(args))
        leaves = nest.flatten(output)
        recorded = [apply(custom_gradient_op, inputs, {
            "output": leaf.value if isinstance(leaf, Tensor) else backend.xp.asarray(leaf),
            "grad_fn": grad_fn, "position": i, "outputs": len(leaves)}) for i, leaf in enumerate(leaves)]
        return nest.pack_like(output, recorded)

    return wrapped
