"""Scaled dot-product attention (keras.ops.nn.dot_product_attention), composed from primitives.

    logits  = scale * q k^T + bias          per batch and head, (B, N, T, S)
    logits  = where(mask, logits, -0.7 * float32 max)   masked keys get ~0 weight
    weights = softmax(logits, axis=-1)
    out     = weights v                     back to (B, T, N, H)

Every step is a differentiable op, so the gradient reaches query, key, value and bias.
"""
import math

import numpy

from neuroflow import backend
from neuroflow.ops.activation import softmax, tanh
from neuroflow.ops.elementwise import multiply, where
from neuroflow.ops.matmul import matmul

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import transpose

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "builds the causal / given mask on the host before moving it (masks of the reference kernel)"

# Keras' fill for masked logits: large enough to vanish after softmax, small enough that
# adding a bias or a soft cap cannot overflow to -inf (which would make a fully masked row NaN).
_MASKED_LOGIT = -0.7 * 3.38953e38


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(scale * q k^T + bias, masked) v over (batch, sequence, heads, head_dim) inputs.

    Args:
        query: (B, T, N, H).
        key, value: (B, S, N, H).
        bias: optional, broadcastable to the logits (B, N, T, S).
        mask: optional boolean, broadcastable to (B, N, T, S): False drops that key for that query.
        scale: the logits' factor; default 1 / sqrt(H).
        is_causal: query t attends only keys s <= t.
        flash_attention: only None or False (no fused kernel on NumPy).
        attn_logits_soft_cap: when set, logits = cap * tanh(logits / cap) before masking.

    Returns:
        (B, T, N, H).

    Raises:
        ValueError: when the inputs are not 4-D, or flash_attention is True.
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True is not supported by neuroflow (NumPy); "
                         "pass flash_attention=None or False")
    shapes = [tuple(getattr(x, "shape", numpy.shape(x))) for x in (query, key, value)]
    if any(len(shape) != 4 for shape in shapes):
        raise ValueError("dot_product_attention expects 4-D query, key and value (batch, sequence, heads, "
                         f"head_dim); received query.shape={shapes[0]}, key.shape={shapes[1]}, value.shape={shapes[2]}")
    head_dim = shapes[1][-1]
    scale = 1.0 / math.sqrt(head_dim) if scale is None else float(scale)
    logits = matmul(transpose(query, (0, 2, 1, 3)), transpose(key, (0, 2, 3, 1)))  # (B, N, T, S)
    logits = multiply(logits, scale)
    if bias is not None:
        logits = logits + bias
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = multiply(tanh(multiply(logits, 1.0 / cap)), cap)
    if mask is not None or is_causal:
        keep = numpy.ones((1, 1, 1, 1), dtype=bool)
        if mask is not None:
            keep = numpy.logical_and(keep, backend.to_numpy(getattr(mask, "value", mask)).astype(bool))
        if is_causal:
            keep = numpy.logical_and(keep, numpy.tril(numpy.ones((shapes[0][1], shapes[1][1]), dtype=bool)))
        logits = where(backend.xp.asarray(keep), logits, _MASKED_LOGIT)
    weights = softmax(logits, axis=-1)
    return transpose(matmul(weights, transpose(value, (0, 2, 1, 3))), (0, 2, 1, 3))
