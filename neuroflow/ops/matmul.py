"""matmul, dot, and the fused dense kernel (x @ kernel + bias, then the activation).

Each op sits beside its public function (`neuroflow.ops.matmul`, `neuroflow.ops.dense`).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops import host_kernels
from neuroflow.ops.activation import KERNELS
from neuroflow.ops.elementwise import multiply
from neuroflow.ops.inspection import value_of
from neuroflow.utils.errors import unknown_name_error


def _matmul(a, b):
    """a @ b, with a batch of matrices against one matrix folded into a single GEMM.

    NumPy runs (B, m, n) @ (n, k) as B small products, about 2x slower than (B*m, n) @ (n, k).
    """
    if a.ndim > 2 and b.ndim == 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + (b.shape[-1],))
    return backend.xp.matmul(a, b)


matmul_op = Op("matmul")


@matmul_op.forward
def _(a, b):
    return _matmul(a, b), (a, b)


@matmul_op.vjp
def _(residuals, g, needs):
    a, b = residuals
    xp = backend.xp
    # Treat vectors as 1-row / 1-column matrices, then drop the added axis again.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:
        g2 = g2[..., None]
    if a.ndim == 1:
        g2 = g2[..., None, :]
    grad_a = grad_b = None
    if needs[0]:
        grad_a = _matmul(g2, xp.swapaxes(b2, -1, -2))
        grad_a = grad_a.reshape(grad_a.shape[:-2] + (grad_a.shape[-1],)) if a.ndim == 1 else grad_a
    if needs[1] and b.ndim == 2 and a.ndim > 2:
        # A shared matrix against a batch: fold the batch into rows (one GEMM, no (batch, n, k)
        # intermediate for the walk to sum).
        grad_b = a2.reshape(-1, a2.shape[-1]).T @ g2.reshape(-1, g2.shape[-1])
    elif needs[1]:
        grad_b = xp.matmul(xp.swapaxes(a2, -1, -2), g2)
        grad_b = grad_b.reshape(grad_b.shape[:-1]) if b.ndim == 1 else grad_b
    return grad_a, grad_b


def matmul(x1, x2):
    return apply(matmul_op, (x1, x2), {})


def dot(x1, x2):
    """NumPy's dot: a matmul for 1-D and 2-D operands, a product when one is a scalar."""
    if numpy.ndim(value_of(x1)) == 0 or numpy.ndim(value_of(x2)) == 0:
        return multiply(x1, x2)
    return matmul(x1, x2)


dense_op = Op("dense")
_SMALL_KERNEL = 1 << 16  # elements; the vjp copies a kernel this small to multiply by its transpose


@dense_op.forward
def _(x, kernel, bias=None, activation="linear", options=None):
    """y = activation(x @ kernel + bias); x may have extra leading axes (applied on the last).

    `activation` is a name in activation.KERNELS (None means 'linear'); `options` go to it.
    """
    act = KERNELS.get("linear" if activation is None else activation)
    if act is None:
        raise unknown_name_error("activation", activation, KERNELS)
    options = options or {}
    if x.dtype.kind in "biu":
        # Integer features (e.g. XOR's 0/1 table) compute in the kernel's float dtype, as Keras
        # promotes int @ float32 to float32; NumPy alone would promote to float64.
        x = x.astype(kernel.dtype)
    pre = _matmul(x, kernel)
    plain_relu = act.name == "relu" and not options
    fused = (host_kernels.get_for_rows("bias_relu", pre, (bias,)) if plain_relu and bias is not None
             and host_kernels.worth(pre.size) else None)
    if fused is not None:  # a compiled loop (ops/host_kernels.py): the two lines below as one pass, the same bits
        fused(pre, bias, pre.dtype.type(0))
        return pre, (x, kernel, True, None, pre, act, options)
    if bias is not None:
        pre += bias  # in place: `pre` is a fresh array, no need for another
    if act.name == "linear":
        out = pre
    elif plain_relu:
        # Plain relu's derivative reads only its output: overwrite `pre` instead of allocating.
        out = pre = backend.xp.maximum(pre, 0, out=pre)
    else:
        out = act.forward(pre, **options)
    # The vjp reads `pre` only for an activation whose derivative needs its input (not linear, not plain relu).
    kept = None if plain_relu or act.name == "linear" or not act.keeps_input(options) else pre
    return out, (x, kernel, bias is not None, kept, out, act, options)


@dense_op.vjp
def _(residuals, g, needs):
    x, kernel, has_bias, pre, out, act, options = residuals
    fused = (host_kernels.get_for_rows("relu_vjp_bias", g, (out,)) if has_bias and host_kernels.worth(g.size)
             and needs[2] and act.name == "relu" and not options and g.shape == out.shape else None)
    if fused is not None:  # a compiled loop: the relu derivative and the bias gradient in one pass, the same bits
        g_pre, grad_bias = backend.xp.empty_like(g), backend.xp.empty(g.shape[1], g.dtype)
        cast = g.dtype.type
        fused(g, out, g_pre, grad_bias, cast(1), cast(0))
    else:
        g_pre = g if act.name == "linear" else act.derivative(g, pre, out, **options)
        grad_bias = None
    if needs[0] and kernel.size <= _SMALL_KERNEL and not backend.on_device():
        # OpenBLAS multiplies by a small transposed operand slower than it copies it: g @ W.T on a 64 x 64
        # kernel takes 6.0 us, the contiguous copy and the product 4.9 (10 x 512: 28 us against 17).
        kernel_t = backend.xp.ascontiguousarray(kernel.T)
    else:
        kernel_t = kernel.T
    if x.ndim == 2:
        # The usual (batch, features) input: no folding needed.
        grad_x = g_pre @ kernel_t if needs[0] else None
        grad_kernel = x.T @ g_pre if needs[1] else None
        g_flat = g_pre
    else:
        # Fold leading axes so the weight gradient is one matrix product.
        g_flat = g_pre.reshape(-1, kernel.shape[-1])
        grad_x = (g_flat @ kernel_t).reshape(x.shape) if needs[0] else None
        grad_kernel = (x.reshape(-1, x.shape[-1]).T @ g_flat) if needs[1] else None
    if has_bias:
        if grad_bias is None and needs[2]:
            grad_bias = backend.xp.add.reduce(g_flat, axis=0)
        return grad_x, grad_kernel, grad_bias
    return grad_x, grad_kernel


def dense(x, kernel, bias=None, activation="linear", **options):
    """Fused activation(x @ kernel + bias), the kernel behind layers.Dense."""
    inputs = (x, kernel) if bias is None else (x, kernel, bias)
    return apply(dense_op, inputs, {"activation": activation, "options": options})
