"""Fourier transforms (keras.ops.fft, fft2, ifft2, rfft, irfft) on (real, imag) pairs, as Keras takes and returns them.

Each transform is linear over the reals in (real, imag), so its vjp is its adjoint: for an unnormalised DFT F
on n points, F^H g = n ifft(g); for the inverse, (F^-1)^H g = fft(g) / n. The real and imaginary parts of a
result are two ops sharing one forward, each with the adjoint of its part (upstream g for the real part is
g + 0i, for the imaginary part 0 + ig).
"""
import builtins

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.decompositions import float_input
from neuroflow.ops.shape import getitem, pad


def float_real(x, name, rank=1):
    """x as a float Tensor (or placeholder) of rank >= `rank`; integers become floatx."""
    x = float_input(x)
    if len(x.shape) < rank:
        raise ValueError(f"ops.{name} expects an input of rank >= {rank}; received x.shape={tuple(x.shape)}")
    return x


def float_pair(x, name, rank):
    """The (real, imag) tuple Keras passes for a complex tensor, as two float tensors of one shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"ops.{name} expects x to be a tuple of two tensors (real, imag); received x={x!r}")
    real, imag = float_real(x[0], name, rank), float_real(x[1], name, rank)
    if tuple(real.shape) != tuple(imag.shape):
        raise ValueError(f"ops.{name} expects the real and imaginary parts to have one shape; received "
                         f"x[0].shape={tuple(real.shape)}, x[1].shape={tuple(imag.shape)}")
    return real, imag


def _transform(kind, z):
    xp = backend.xp
    if kind == "fft":
        return xp.fft.fft(z, axis=-1)
    if kind == "fft2":
        return xp.fft.fft2(z, axes=(-2, -1))
    return xp.fft.ifft2(z, axes=(-2, -1))


def _adjoint(kind, g):
    xp = backend.xp
    if kind == "fft":
        return xp.fft.ifft(g, axis=-1) * g.shape[-1]
    if kind == "fft2":
        return xp.fft.ifft2(g, axes=(-2, -1)) * (g.shape[-1] * g.shape[-2])
    return xp.fft.fft2(g, axes=(-2, -1)) / (g.shape[-1] * g.shape[-2])


def _part_ops(kind):
    real_op, imag_op = Op(f"{kind}_real"), Op(f"{kind}_imag")
    for op, take, lift in ((real_op, backend.xp.real, 1.0), (imag_op, backend.xp.imag, 1j)):
        def forward(re, im, take=take):
            return take(_transform(kind, re + 1j * im)).astype(re.dtype), None

        def vjp(residuals, g, needs, lift=lift):
            adjoint = _adjoint(kind, g * lift)
            return adjoint.real.astype(g.dtype), adjoint.imag.astype(g.dtype)

        op.forward(forward)
        op.vjp(vjp)
    return real_op, imag_op


_OPS = {kind: _part_ops(kind) for kind in ("fft", "fft2", "ifft2")}


def _complex_transform(kind, x, rank):
    real, imag = float_pair(x, kind, rank)
    real_op, imag_op = _OPS[kind]
    return apply(real_op, (real, imag), {}), apply(imag_op, (real, imag), {})


def fft(x):
    """The DFT along the last axis of the complex x = (real, imag); returns (real, imag)."""
    return _complex_transform("fft", x, 1)


def fft2(x):
    """The 2-D DFT over the last two axes of x = (real, imag); returns (real, imag)."""
    return _complex_transform("fft2", x, 2)


def ifft2(x):
    """The inverse 2-D DFT over the last two axes of x = (real, imag); returns (real, imag)."""
    return _complex_transform("ifft2", x, 2)


rfft_real_op, rfft_imag_op = Op("rfft_real"), Op("rfft_imag")


def _rfft_adjoint(g_complex, n):
    # rfft keeps the first n // 2 + 1 bins of F x: its adjoint zero-pads g to n bins, then applies F^H.
    return (backend.xp.fft.ifft(g_complex, n=n, axis=-1) * n).real


@rfft_real_op.forward
def _(a):
    return backend.xp.fft.rfft(a, axis=-1).real.astype(a.dtype), a.shape[-1]


@rfft_real_op.vjp
def _(n, g, needs):
    return (_rfft_adjoint(g + 0j, n).astype(g.dtype),)


@rfft_imag_op.forward
def _(a):
    return backend.xp.fft.rfft(a, axis=-1).imag.astype(a.dtype), a.shape[-1]


@rfft_imag_op.vjp
def _(n, g, needs):
    return (_rfft_adjoint(1j * g, n).astype(g.dtype),)


def _fit_length(x, length):
    """x cropped or zero-padded along its last axis to `length` (differentiable)."""
    from_size = x.shape[-1]
    if from_size == length:
        return x
    if from_size > length:
        return getitem(x, (Ellipsis, builtins.slice(0, length)))
    return pad(x, [(0, 0)] * (len(x.shape) - 1) + [(0, length - from_size)])


def rfft(x, fft_length=None):
    """The DFT of real x along its last axis, the fft_length // 2 + 1 non-negative frequencies; returns (real, imag).

    x is cropped or zero-padded to `fft_length` first (default: its own length).
    """
    x = float_real(x, "rfft")
    if fft_length is not None:
        x = _fit_length(x, _check_length(fft_length, "rfft"))
    return apply(rfft_real_op, (x,), {}), apply(rfft_imag_op, (x,), {})


irfft_op = Op("irfft")


@irfft_op.forward
def _(re, im, n=None):
    return backend.xp.fft.irfft(re + 1j * im, n=n, axis=-1).astype(re.dtype), n


@irfft_op.vjp
def _(n, g, needs):
    # x_t = (1/n) sum_k c_k Re(Y_k e^{2 pi i k t / n}), c_k = 2 except at 0 and (even n) n/2: so gY = c rfft(g) / n.
    xp = backend.xp
    bins = xp.fft.rfft(g, axis=-1) / n
    weights = xp.full(bins.shape[-1], 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    bins = bins * weights
    return bins.real.astype(g.dtype), bins.imag.astype(g.dtype)


def irfft(x, fft_length=None):
    """The real inverse of rfft: x = (real, imag) of the non-negative frequencies along the last axis.

    The output has fft_length points (default 2 (m - 1) for m input bins); the bins are cropped or zero-padded
    to fft_length // 2 + 1 first, as NumPy does.
    """
    real, imag = float_pair(x, "irfft", 1)
    n = 2 * (real.shape[-1] - 1) if fft_length is None else _check_length(fft_length, "irfft")
    real, imag = _fit_length(real, n // 2 + 1), _fit_length(imag, n // 2 + 1)
    return apply(irfft_op, (real, imag), {"n": n})


def _check_length(fft_length, name):
    if not isinstance(fft_length, int) or isinstance(fft_length, bool) or fft_length <= 0:
        raise ValueError(f"ops.{name} expects `fft_length` to be a positive integer; received fft_length={fft_length!r}")
    return fft_length
