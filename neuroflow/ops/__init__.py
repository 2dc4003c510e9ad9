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
from neuroflow.ops.bitwise import (
    bitwise_and,
    bitwise_invert,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    left_shift,
    logical_xor,
    right_shift,
)
from neuroflow.ops.complex_parts import angle, conj, conjugate, imag, isreal, real
from neuroflow.ops.convolution import conv, conv_transpose, depthwise_conv, separable_conv
from neuroflow.ops.creation import (
    arange,
    array,
    copy,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    geomspace,
    identity,
    linspace,
    logspace,
    meshgrid,
    ones,
    ones_like,
    tri,
    vander,
    zeros,
    zeros_like,
)
from neuroflow.ops.division import divide_no_nan, floor_divide, fmod, gcd, lcm, ldexp, mod
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
from neuroflow.ops.exp_log import (
    cbrt,
    exp2,
    expm1,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    reciprocal,
    rsqrt,  # top-level keras.ops only, as erf and erfinv
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
from neuroflow.ops.nan_inf import allclose, isclose, isinf, isneginf, isposinf, nan_to_num
from neuroflow.ops.operators import OPERATORS
from neuroflow.ops.pooling import average_pool, max_pool
from neuroflow.ops.reduction import amax, amin, argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from neuroflow.ops.rounding import fabs, nextafter, signbit, trunc
from neuroflow.ops.selection import fmax, fmin, heaviside, select
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
from neuroflow.ops.special import erf, erfc, erfinv, i0
from neuroflow.ops.trigonometric import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    cos,
    cosh,
    deg2rad,
    hypot,
    rad2deg,
    sin,
    sinc,
    sinh,
    tan,
)
from neuroflow.ops.window_functions import bartlett, blackman, hamming, hanning, kaiser

# Keras' reductions, statistics, products, sorting, splitting, reordering and scatter ops (issue 10).
# isort: split
from neuroflow.ops.cumulative import cumprod, cumsum, diff, trapezoid
from neuroflow.ops.diagonal import diag, diagflat, diagonal, tril, triu
from neuroflow.ops.nan_reductions import (
    nanargmax,
    nanargmin,
    nancumprod,
    nancumsum,
    nanmax,
    nanmean,
    nanmedian,
    nanmin,
    nanpercentile,
    nanprod,
    nanquantile,
    nanstd,
    nansum,
    nanvar,
)
from neuroflow.ops.products import correlate, cross, einsum, inner, kron, outer, tensordot, trace, vdot
from neuroflow.ops.reorder import flip, fliplr, flipud, moveaxis, ndim, ravel, repeat, roll, rot90, size, swapaxes, view
from neuroflow.ops.scatter import (
    get_item,
    scatter,
    scatter_update,
    segment_max,
    segment_min,
    segment_prod,
    segment_sum,
    slice,
    slice_update,
)
from neuroflow.ops.sorting import (
    argpartition,
    argsort,
    bincount,
    digitize,
    histogram,
    in_top_k,
    isin,
    nonzero,
    searchsorted,
    sort,
    top_k,
    unique,
    unravel_index,
)
from neuroflow.ops.splitting import (
    append,
    array_split,
    dsplit,
    dstack,
    hsplit,
    hstack,
    split,
    unstack,
    vsplit,
    vstack,
)
from neuroflow.ops.statistics import all, any, average, corrcoef, count_nonzero, median, percentile, ptp, quantile

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

# isort: split
# Issue 10: the rest of keras.ops' core: control flow, custom gradients, Fourier transforms, distances, casts.
from neuroflow.ops.complex_views import view_as_complex, view_as_real
from neuroflow.ops.control_flow import (
    associative_scan,
    cond,
    fori_loop,
    map,
    scan,
    switch,
    vectorize,
    vectorized_map,
    while_loop,
)
from neuroflow.ops.custom_gradient import custom_gradient
from neuroflow.ops.distances import cdist
from neuroflow.ops.fft import fft, fft2, ifft2, irfft, rfft
from neuroflow.ops.jvp import jvp
from neuroflow.ops.log_determinant import logdet, slogdet
from neuroflow.ops.rearrange import rearrange
from neuroflow.ops.saturate_cast import saturate_cast
from neuroflow.ops.sequences import extract_sequences
from neuroflow.ops.spectrogram import istft, stft
