"""Tensor products: einsum (an op with its own vjp), and the composites over it and the elementwise ops:
tensordot, outer, inner, vdot, cross, kron, trace, correlate.

Mixed integer and float inputs take the float's dtype, as Keras promotes (ops/dtype_rules.py).
"""
import builtins
import string

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.diagonal import diagonal
from neuroflow.ops.dtype_rules import accumulation_dtype, dtype_of, float_dtype, result_dtype
from neuroflow.ops.elementwise import cast, multiply, subtract
from neuroflow.ops.matmul import matmul
from neuroflow.ops.reduction import sum
from neuroflow.ops.shape import getitem, pad, reshape, shape, stack, take, transpose


def _explicit(subscripts, ndims):
    """`subscripts` with every '...' spelled out in letters and the output written after '->'.

    Without '->' the output is, as in NumPy, the broadcast axes then the letters used once, sorted.
    """
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"ops.einsum expects {len(terms)} operands for subscripts {subscripts!r}; "
                         f"received {len(ndims)}")
    free = [c for c in string.ascii_letters if c not in subscripts]
    broadcast = 0
    for term, ndim in zip(terms, ndims):
        if "..." in term:
            broadcast = max(broadcast, ndim - (len(term) - 3))
    letters = "".join(free[:broadcast])
    terms = [term.replace("...", letters[broadcast - (ndim - (len(term) - 3)):]) if "..." in term else term
             for term, ndim in zip(terms, ndims)]
    if arrow:
        output = output.replace("...", letters)
    else:
        joined = "".join(terms)
        output = letters + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in letters))
    return terms, output


einsum_op = Op("einsum")


@einsum_op.forward
def _(*operands, terms=None, output=None):
    expression = ",".join(terms) + "->" + output
    return backend.xp.einsum(expression, *operands, optimize=len(operands) > 2), (operands, terms, output)


@einsum_op.vjp
def _(residuals, g, needs):
    operands, terms, output = residuals
    xp = backend.xp
    grads = []
    for i, (operand, term) in enumerate(zip(operands, terms)):
        if not needs[i]:
            grads.append(None)
            continue
        # The gradient of one operand is the einsum of g with all the other operands, onto its letters.
        others = [(terms[j], operands[j]) for j in range(len(operands)) if j != i]
        available = set(output).union(*[set(t) for t, _ in others])
        unique = "".join(dict.fromkeys(term))
        target = "".join(c for c in unique if c in available)
        expression = ",".join([output] + [t for t, _ in others]) + "->" + target
        partial = xp.einsum(expression, g, *[o for _, o in others], optimize=len(others) > 1)
        # Letters summed over in this operand alone: the gradient is constant along them.
        sizes = dict(zip(term, operand.shape))
        partial = partial.reshape([partial.shape[target.index(c)] if c in target else 1 for c in unique])
        partial = xp.broadcast_to(partial, [builtins.max(partial.shape[k], sizes[c]) for k, c in enumerate(unique)])
        if unique == term:
            grads.append(partial)
        else:
            # A repeated letter (a diagonal, 'ii'): write onto the diagonal of a zero array through
            # einsum's writeable view.
            grad = xp.zeros(operand.shape, dtype=g.dtype)
            xp.einsum(f"{term}->{unique}", grad)[...] = partial
            grads.append(grad)
    return tuple(grads)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over the operands by `subscripts` ('ij,jk->ik', '...j,j->...', 'ii' ...).

    Integer operands meeting float ones take the float dtype, as in Keras.
    """
    dtype = result_dtype(*[dtype_of(o) for o in operands])
    operands = [cast(o, dtype) if dtype_of(o) != dtype else o for o in operands]
    terms, output = _explicit(subscripts, [len(shape(o)) for o in operands])
    return apply(einsum_op, tuple(operands), {"terms": tuple(terms), "output": output})


def _letters(count, start=0):
    return string.ascii_letters[start:start + count]


def tensordot(x1, x2, axes=2):
    """The sum of products over the given axes: the last `axes` of x1 with the first of x2, or the pairs
    ([axes of x1], [axes of x2])."""
    ndim1, ndim2 = len(shape(x1)), len(shape(x2))
    if isinstance(axes, int):
        if axes < 0 or axes > builtins.min(ndim1, ndim2):
            raise ValueError(f"ops.tensordot expects `axes` between 0 and {builtins.min(ndim1, ndim2)}; received axes={axes}")
        pairs = (list(range(ndim1 - axes, ndim1)), list(range(axes)))
    else:
        first, second = axes
        first = [first] if isinstance(first, int) else list(first)
        second = [second] if isinstance(second, int) else list(second)
        if len(first) != len(second):
            raise ValueError("ops.tensordot expects as many axes of x1 as of x2; received "
                             f"axes={axes!r}")
        pairs = ([a % ndim1 for a in first], [a % ndim2 for a in second])
    term1 = list(_letters(ndim1))
    term2 = list(_letters(ndim2, ndim1))
    for a, b in zip(*pairs):
        term2[b] = term1[a]
    output = [c for i, c in enumerate(term1) if i not in pairs[0]] + [c for i, c in enumerate(term2) if i not in pairs[1]]
    return einsum(f"{''.join(term1)},{''.join(term2)}->{''.join(output)}", x1, x2)


def _promoted(*tensors):
    dtype = result_dtype(*[dtype_of(t) for t in tensors])
    return [cast(t, dtype) if dtype_of(t) != dtype else t for t in tensors]


def outer(x1, x2):
    """The outer product of the flattened inputs: out[i, j] = x1[i] x2[j]."""
    x1, x2 = _promoted(x1, x2)
    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def inner(x1, x2):
    """The sum of products over the last axis of both inputs (a product when one is a scalar)."""
    x1, x2 = _promoted(x1, x2)
    if len(shape(x1)) == 0 or len(shape(x2)) == 0:
        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([-1], [-1]))


def vdot(x1, x2):
    """The dot product of the flattened inputs."""
    x1, x2 = _promoted(x1, x2)
    return sum(multiply(reshape(x1, (-1,)), reshape(x2, (-1,))))


def _moved_last(x, axis):
    ndim = len(shape(x))
    axis = axis % ndim
    return transpose(x, [i for i in range(ndim) if i != axis] + [axis])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, whose third component is zero) along the given axes.

    Two 2-vectors give the z component alone, as in NumPy.
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _promoted(x1, x2)
    a, b = _moved_last(x1, axisa), _moved_last(x2, axisb)
    sizes = (shape(a)[-1], shape(b)[-1])
    if any(size not in (2, 3) for size in sizes):
        raise ValueError(f"ops.cross expects vectors of 2 or 3 components along the axes; received {sizes[0]} and {sizes[1]}")

    def component(v, i):
        return getitem(v, (Ellipsis, i)) if i < shape(v)[-1] else None

    def times(p, q):
        return None if p is None or q is None else multiply(p, q)

    def minus(p, q):
        if p is None:
            return -q if q is not None else None
        return p if q is None else subtract(p, q)

    a0, a1, a2 = (component(a, i) for i in range(3))
    b0, b1, b2 = (component(b, i) for i in range(3))
    z = minus(times(a0, b1), times(a1, b0))
    if sizes == (2, 2):
        return z
    x = minus(times(a1, b2), times(a2, b1))
    y = minus(times(a2, b0), times(a0, b2))
    out = stack([x, y, z], axis=-1)
    ndim = len(shape(out))
    axisc = axisc % ndim
    order = list(range(ndim - 1))
    order.insert(axisc, ndim - 1)
    return transpose(out, order)


def kron(x1, x2):
    """The Kronecker product: blocks x1[i, j] * x2, over inputs of any (padded to equal) ranks."""
    x1, x2 = _promoted(x1, x2)
    shape1, shape2 = shape(x1), shape(x2)
    ndim = builtins.max(len(shape1), len(shape2))
    shape1 = (1,) * (ndim - len(shape1)) + tuple(shape1)
    shape2 = (1,) * (ndim - len(shape2)) + tuple(shape2)
    # Interleave the axes: x1 on the even ones, x2 on the odd ones; the product's pairs then merge.
    spread1 = [s for size in shape1 for s in (size, 1)]
    spread2 = [s for size in shape2 for s in (1, size)]
    product = multiply(reshape(x1, spread1), reshape(x2, spread2))
    return reshape(product, [a * b for a, b in zip(shape1, shape2)])


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along the diagonal at `offset` of the matrices spanned by axis1 and axis2 (integers keep
    their dtype, as in Keras)."""
    out = sum(diagonal(x, offset=offset, axis1=axis1, axis2=axis2), axis=-1)
    dtype = accumulation_dtype(dtype_of(x))
    return out if dtype_of(out) == dtype else cast(out, dtype)


def correlate(x1, x2, mode="valid"):
    """The cross-correlation of two 1-D inputs: out[k] = sum_n x1[n + k] x2[n], over the lags `mode` keeps
    ('valid': full overlap, 'same': x1's length, 'full': every overlap). Integers correlate in floatx."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"ops.correlate expects mode 'valid', 'same' or 'full'; received mode={mode!r}")
    if len(shape(x1)) != 1 or len(shape(x2)) != 1:
        raise ValueError(f"ops.correlate expects two 1-D inputs; received shapes {shape(x1)} and {shape(x2)}")
    dtype = float_dtype(result_dtype(dtype_of(x1), dtype_of(x2)))
    x1 = cast(x1, dtype) if dtype_of(x1) != dtype else x1
    x2 = cast(x2, dtype) if dtype_of(x2) != dtype else x2
    n, m = shape(x1)[0], shape(x2)[0]
    if m > n:
        # The longer input slides: correlate(a, v) is correlate(v, a) reversed.
        return getitem(correlate(x2, x1, mode=mode), builtins.slice(None, None, -1))
    before = {"valid": 0, "same": m // 2, "full": m - 1}[mode]
    after = {"valid": 0, "same": m - 1 - m // 2, "full": m - 1}[mode]
    padded = pad(x1, ((before, after),)) if before or after else x1
    length = shape(padded)[0] - m + 1
    xp = backend.xp
    windows = take(padded, Tensor(xp.arange(length)[:, None] + xp.arange(m)[None, :]), axis=0)
    return matmul(windows, x2)
