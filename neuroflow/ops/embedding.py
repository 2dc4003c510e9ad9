"""Embedding lookup: gather rows of a matrix by integer index, with a scatter-add vjp.

    out[..., :] = embeddings[indices[...], :]
    d embeddings[v] = sum of g[n] over every position n with indices[n] == v

The backward pass must accumulate repeated indices: one `add.at` over the flattened gradient
(see `scatter_add_rows`).
"""
from neuroflow import backend
from neuroflow.engine.registry import Op, apply

embedding_lookup_op = Op("embedding_lookup")


@embedding_lookup_op.forward
def _(embeddings, indices):
    xp = backend.xp
    flat = indices.reshape(-1).astype(xp.intp, copy=False)
    out = xp.take(embeddings, flat, axis=0).reshape(indices.shape + embeddings.shape[1:])
    return out, (embeddings.shape, flat)


def scatter_add_rows(rows, indices, values):
    """A (rows, features) array whose row v is the sum of values[n] over n with indices[n] == v.

    Args:
        rows: the number of output rows.
        indices: (n,) integer row indices in [0, rows).
        values: (n, features).
    """
    xp = backend.xp
    features = 1
    for size in values.shape[1:]:
        features *= size
    grad = xp.zeros((rows,) + values.shape[1:], dtype=values.dtype)
    if indices.size:
        # One scatter over the flattened gradient: element (v, j) sits at v * features + j. NumPy 2's
        # `add.at` is fast for 1-D int indices and same-dtype values (about 6x the sort + add.reduceat
        # route for 25,600 rows of 32), and CuPy's is an atomic scatter.
        flat_indices = (indices.astype(xp.intp, copy=False)[:, None] * features
                        + xp.arange(features, dtype=xp.intp)).reshape(-1)
        # grad.reshape(-1) is a view of the fresh contiguous grad, so add.at writes into grad itself.
        backend.scatter_add(grad.reshape(-1), flat_indices, values.reshape(-1))
    return grad


@embedding_lookup_op.vjp
def _(residuals, g, needs):
    shape, flat = residuals
    grad = scatter_add_rows(shape[0], flat, g.reshape(flat.shape[0], -1)).reshape(shape) if needs[0] else None
    return grad, None


def embedding_lookup(embeddings, indices):
    """Rows of `embeddings` (input_dim, output_dim) picked by integer `indices` of any shape.

    Returns:
        indices.shape + (output_dim,).

    Raises:
        ValueError: when an index is outside [0, input_dim).
    """
    values = indices.value if hasattr(indices, "value") else backend.xp.asarray(indices)
    if values.dtype.kind not in "iu":
        if values.dtype.kind == "f" and values.size and not bool((values == backend.xp.round(values)).all()):
            raise ValueError(f"embedding_lookup expects integer indices, got non-integral {values.dtype} values")
        values = values.astype(backend.xp.int64)
    rows = embeddings.shape[0]

    def raise_error():
        raise ValueError(f"embedding_lookup: indices must lie in [0, {rows}) (input_dim={rows}); got values from "
                         f"{int(values.min())} to {int(values.max())}")

    if values.size:
        if backend.on_device():  # checked with the step's copy to the host, not by waiting for the GPU here
            backend.check_later((values.min() < 0) | (values.max() >= rows), raise_error)
        elif int(values.min()) < 0 or int(values.max()) >= rows:
            raise_error()
    return apply(embedding_lookup_op, (embeddings, values), {})
