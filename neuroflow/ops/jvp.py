"""keras.ops.jvp (also keras.ops.linalg.jvp): a Jacobian-vector product J(primals) @ tangents.

neuroflow differentiates in reverse mode only, and its vjps are not themselves recorded, so the forward-mode
product is assembled from reverse passes: element k of the output tangent is <J^T e_k, tangents>, one
backward pass of a persistent tape per output element. That is exact, and meant for the small functions
jvp is asked about (a Jacobian probe, a test), not for wide outputs.
"""
from neuroflow import backend
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor, convert_to_tensor
from neuroflow.utils import nest


def _float_tensor(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), J @ tangents), plus fun's auxiliary output when `has_aux` (fun then returns (out, aux)).

    Args:
        fun: a function of len(primals) positional arguments returning a tensor or a structure of tensors.
        primals: a tuple or list of the arguments.
        tangents: a tuple or list like primals, of the same shapes.
        has_aux: whether fun returns (output, aux).
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise ValueError(f"ops.jvp expects primals and tangents to be tuples or lists; received "
                         f"primals={type(primals).__name__}, tangents={type(tangents).__name__}")
    flat_primals = [_float_tensor(p) for p in nest.flatten(primals)]
    flat_tangents = [_float_tensor(t) for t in nest.flatten(tangents)]
    if len(flat_primals) != len(flat_tangents) or any(
            tuple(p.shape) != tuple(t.shape) for p, t in zip(flat_primals, flat_tangents)):
        raise ValueError(f"ops.jvp expects tangents with the structure and shapes of primals; received primal shapes "
                         f"{[tuple(p.shape) for p in flat_primals]}, tangent shapes {[tuple(t.shape) for t in flat_tangents]}")
    xp = backend.xp
    with GradientTape(persistent=True) as tape:
        tape.watch(flat_primals)
        result = fun(*nest.pack_like(list(primals), flat_primals))
    output, aux = result if has_aux else (result, None)
    leaves = [leaf if isinstance(leaf, Tensor) else convert_to_tensor(leaf) for leaf in nest.flatten(output)]
    tangent_leaves = []
    for leaf in leaves:
        values = xp.zeros(leaf.value.shape, dtype=leaf.value.dtype if leaf.value.dtype.kind in "fc" else "float64")
        seed = xp.zeros_like(values)
        for k in range(values.size):
            seed.reshape(-1)[k] = 1
            grads = tape.gradient(leaf, flat_primals, output_gradients=seed)
            seed.reshape(-1)[k] = 0
            values.reshape(-1)[k] = sum(float(xp.sum(g.value * t.value)) for g, t in zip(grads, flat_tangents)
                                        if g is not None)
        tangent_leaves.append(Tensor(values))
    tangents_out = nest.pack_like(output, tangent_leaves) if not isinstance(output, Tensor) else tangent_leaves[0]
    return (output, tangents_out, aux) if has_aux else (output, tangents_out)
