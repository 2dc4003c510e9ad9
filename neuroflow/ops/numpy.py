"""`neuroflow.ops.numpy`: Keras 3's `keras.ops.numpy` namespace, the NumPy-like ops.

Every name here is also in `neuroflow.ops`; each function is defined beside its op in its family module.
Keras names not yet here are listed by tools/keras_api_coverage.py --missing.
"""
from neuroflow.ops.activation import tanh
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
    subtract,
    true_divide,
    where,
)
from neuroflow.ops.exp_log import cbrt, exp2, expm1, log1p, log2, log10, logaddexp, logaddexp2, reciprocal
from neuroflow.ops.matmul import dot, matmul
from neuroflow.ops.nan_inf import allclose, isclose, isinf, isneginf, isposinf, nan_to_num
from neuroflow.ops.reduction import amax, amin, argmax, argmin, max, mean, min, prod, std, sum, var
from neuroflow.ops.rounding import fabs, nextafter, signbit, trunc
from neuroflow.ops.selection import fmax, fmin, heaviside, select
from neuroflow.ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    pad,
    reshape,
    squeeze,
    stack,
    take,
    take_along_axis,
    tile,
    transpose,
)
from neuroflow.ops.special import i0
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

# Keras' reductions, statistics, products, sorting, splitting and reordering ops (issue 10).
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
from neuroflow.ops.scatter import get_item
from neuroflow.ops.sorting import (
    argpartition,
    argsort,
    bincount,
    digitize,
    histogram,
    isin,
    nonzero,
    searchsorted,
    sort,
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
    vsplit,
    vstack,
)
from neuroflow.ops.statistics import all, any, average, corrcoef, count_nonzero, median, percentile, ptp, quantile

# isort: split
# Issue 10: keras.ops.numpy's slogdet and vectorize.
from neuroflow.ops.control_flow import vectorize
from neuroflow.ops.log_determinant import slogdet
