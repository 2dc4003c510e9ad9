"""neuroflow.ops: the counterpart of `keras.ops`, differentiable wherever that is meaningful.

Every function accepts Tensors, Variables, NumPy arrays or Python numbers and returns a Tensor.
Inside a GradientTape they are recorded; in a functional model they build graph nodes.

    import neuroflow
    from neuroflow import ops
    x = ops.convert_to_tensor([1.0, 2.0, 3.0])
    with neuroflow.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.square(x))
    tape.gradient(y, x)   # 2 x

Each function is defined in its family's module, beside the op it runs (ops/elementwise.py,
reduction.py, shape.py, matmul.py, activation.py, loss_kernels.py ...); this package re-exports
them. `neuroflow.ops.shape` is the `shape()` function, which hides the module of that name:
import from `neuroflow.ops.shape` by name.
"""
# `ops.backend`, `ops.apply`, `ops.Tensor` and `ops.KerasTensor` stay reachable as they were before the
# public functions moved into their family files.
from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.registry import apply
from neuroflow.engine.tensor import Tensor, convert_to_tensor

# Keras' op namespaces: neuroflow.ops.image.resize as keras.ops.image.resize, ops.numpy, ops.nn, ops.linalg.
from neuroflow.ops import image, linalg, nn, numpy
from neuroflow.ops.activation import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
    tanh,
)
from neuroflow.ops.convolution import conv, conv_transpose, depthwise_conv, separable_conv
from neuroflow.ops.elementwise import (
    abs,
    absolute,
    add,
    cast,
    ceil,
    clip,
    divide,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    isfinite,
    isnan,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    round,
    sign,
    sqrt,
    square,
    stop_gradient,
    subtract,
    true_divide,
    where,
)
from neuroflow.ops.inspection import convert_to_numpy, dtype, is_tensor
from neuroflow.ops.loss_kernels import (
    binary_crossentropy,
    categorical_crossentropy,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    sparse_categorical_crossentropy,
    sparse_softmax_cross_entropy,
)
from neuroflow.ops.matmul import dense, dot, matmul
from neuroflow.ops.operators import OPERATORS
from neuroflow.ops.pooling import average_pool, max_pool
from neuroflow.ops.reduction import amax, amin, argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from neuroflow.ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    gather,
    getitem,
    one_hot,
    pad,
    reshape,
    shape,
    squeeze,
    stack,
    take,
    take_along_axis,
    tile,
    transpose,
)

# isort: split
# Issue 10: the rest of keras.ops.nn / keras.ops.linalg (activations, normalization, attention, decompositions).
from neuroflow.ops.activation import (
    celu,
    glu,
    hard_shrink,
    hard_tanh,
    log_sigmoid,
    soft_shrink,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    tanh_shrink,
    threshold,
)
from neuroflow.ops.adaptive_pooling import adaptive_average_pool, adaptive_max_pool
from neuroflow.ops.attention import dot_product_attention
from neuroflow.ops.ctc import ctc_decode, ctc_loss
from neuroflow.ops.decompositions import (
    cholesky,
    cholesky_inverse,
    det,
    eig,
    eigh,
    inv,
    lstsq,
    lu_factor,
    matrix_rank,
    pinv,
    qr,
    solve,
    solve_triangular,
    svd,
)
from neuroflow.ops.depth_space import depth_to_space, space_to_depth
from neuroflow.ops.elementwise import polar
from neuroflow.ops.fold import fold, unfold
from neuroflow.ops.image_quality import psnr
from neuroflow.ops.normalization import (
    batch_normalization,
    layer_normalization,
    moments,
    normalize,
    rms_normalization,
)
from neuroflow.ops.norms import norm
from neuroflow.ops.shape import multi_hot
