"""Array creation: arange, linspace, zeros, full, eye ... and the *_like, copy, array, meshgrid, vander.

Keras' dtype defaults, which differ from NumPy's: a float-filled array without `dtype` is floatx (zeros,
ones, full, eye, tri, linspace), ranges of Python ints are int32 (NumPy: int64), and the *_like functions
keep the input's dtype. None of these carry a gradient except `copy` and `meshgrid`, which are identities
and broadcasts of their inputs.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of
from neuroflow.ops.no_gradient import no_gradient_op
from neuroflow.ops.promotion import dtype_of, result_type
from neuroflow.ops.shape import broadcast_to, reshape

HOST_NUMPY = "element counts from shapes (host metadata)"  # numpy here works on host data (tests/test_backend_seam.py)


def _number(x):
    """A Python number or array for a range bound (a Tensor's value)."""
    return x.value if isinstance(x, Tensor) else backend.to_device(x)


def _dtype_name(dtype):
    return None if dtype is None else numpy.dtype(dtype).name


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) by `step`; Python ints give int32, a float anywhere floatx."""
    bounds = [_number(b) for b in (start, stop, step) if b is not None]
    dtype = _dtype_name(dtype) or result_type(*(dtype_of(b) for b in bounds))
    if stop is None:
        start, stop = 0, start
    return Tensor(backend.xp.arange(_number(start), _number(stop), 1 if step is None else _number(step), dtype=dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from start to stop (floatx unless `dtype`); with retstep, also the spacing."""
    start, stop = _number(start), _number(stop)
    dtype = _dtype_name(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    values = backend.xp.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis)
    if retstep:
        return Tensor(values[0]), values[1]
    return Tensor(values)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """base ** linspace(start, stop): `num` values spaced evenly on a log scale."""
    start, stop = _number(start), _number(stop)
    dtype = _dtype_name(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    return Tensor(backend.xp.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=dtype, axis=axis))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values from start to stop in a geometric progression (each a constant multiple of the last)."""
    start, stop = _number(start), _number(stop)
    dtype = _dtype_name(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    return Tensor(backend.xp.geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis))


def _shape(shape):
    return (int(shape),) if isinstance(shape, (int, numpy.integer)) else tuple(int(d) for d in shape)


def zeros(shape, dtype=None):
    return Tensor(backend.xp.zeros(_shape(shape), dtype=_dtype_name(dtype) or backend.floatx()))


def ones(shape, dtype=None):
    return Tensor(backend.xp.ones(_shape(shape), dtype=_dtype_name(dtype) or backend.floatx()))


def empty(shape, dtype=None):
    """An array of `shape` with unspecified values (zeros here: cheap, and nothing reads garbage)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value` (broadcast), floatx unless `dtype` says otherwise."""
    return Tensor(backend.xp.full(_shape(shape), value_of(fill_value), dtype=_dtype_name(dtype) or backend.floatx()))


_full_like_op = no_gradient_op("full_like", lambda a, fill_value, dtype=None: backend.xp.full(
    a.shape, fill_value, dtype=dtype or a.dtype))


def zeros_like(x, dtype=None):
    """Zeros of x's shape, in x's dtype unless `dtype`."""
    return apply(_full_like_op, (x,), {"fill_value": 0, "dtype": _dtype_name(dtype)})


def ones_like(x, dtype=None):
    return apply(_full_like_op, (x,), {"fill_value": 1, "dtype": _dtype_name(dtype)})


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    """`fill_value` (broadcast) in x's shape, in x's dtype unless `dtype` (so 2.7 into an int tensor is 2)."""
    fill = value_of(fill_value) if isinstance(fill_value, Tensor) else fill_value
    return apply(_full_like_op, (x,), {"fill_value": fill, "dtype": _dtype_name(dtype)})


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - keras.ops' names
    """An N x M array with ones on diagonal `k` (0: the main one, positive: above) and zeros elsewhere."""
    return Tensor(backend.xp.eye(int(N), None if M is None else int(M), k=int(k), dtype=_dtype_name(dtype) or backend.floatx()))


def identity(n, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - keras.ops' names
    """An N x M array with ones at and below diagonal `k`, zeros above."""
    return Tensor(backend.xp.tri(int(N), None if M is None else int(M), k=int(k), dtype=_dtype_name(dtype) or backend.floatx()))


def array(x, dtype=None):
    """A Tensor holding `x`: Python floats become floatx and Python ints int32, as in Keras."""
    if isinstance(x, Tensor):
        value = x.value
    else:
        value = backend.xp.asarray(x)
        if not hasattr(x, "dtype"):
            # Python data: NumPy's float64/int64 defaults are Keras' floatx/int32.
            if value.dtype == numpy.float64:
                value = value.astype(backend.floatx())
            elif value.dtype == numpy.int64:
                value = value.astype("int32")
    if dtype is not None:
        value = value.astype(dtype)
    return Tensor(value)


copy_op = Op("copy")


@copy_op.forward
def _(a):
    return backend.xp.array(a, copy=True), None


@copy_op.vjp
def _(residuals, g, needs):
    return (g,)


def copy(x):
    """A copy of x (the gradient passes through unchanged)."""
    return apply(copy_op, (x,), {})


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D arrays: output i repeats x[i] along every other axis.

    With indexing='xy' (the default, Cartesian) the first two output axes are swapped, so for inputs of
    lengths M and N the grids are N x M; with 'ij' (matrix indexing) they are M x N. Built from reshape and
    broadcast_to, so gradients flow back to each input.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid expects indexing='xy' or 'ij', got indexing={indexing!r}")
    sizes = [int(value_of(v).size) if not hasattr(v, "shape") else int(numpy.prod(v.shape)) for v in x]
    shape = list(sizes)
    if indexing == "xy" and len(sizes) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for index, v in enumerate(x):
        axis = index
        if indexing == "xy" and index < 2 and len(sizes) >= 2:
            axis = 1 - index
        view = [1] * len(sizes)
        view[axis] = sizes[index]
        grids.append(broadcast_to(reshape(v, view), shape))
    return grids


def _vander(a, N=None, increasing=False):  # noqa: N803 - keras.ops' names
    # Computed in at least floatx (integer powers overflow less there), returned in x's dtype as Keras does.
    compute = a.astype(result_type(a.dtype, backend.floatx()))
    return backend.xp.vander(compute, N=N, increasing=increasing).astype(a.dtype)


_vander_op = no_gradient_op("vander", _vander)


def vander(x, N=None, increasing=False):  # noqa: N803 - keras.ops' names
    """The Vandermonde matrix of 1-D x: column j is x ** (N - 1 - j) (x ** j when `increasing`); no gradient."""
    shape = x.shape if hasattr(x, "shape") else numpy.shape(x)
    if len(shape) != 1:
        raise ValueError(f"vander expects a 1-D x; got x with shape {tuple(shape)}")
    return apply(_vander_op, (x,), {"N": None if N is None else int(N), "increasing": bool(increasing)})
