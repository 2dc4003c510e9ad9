"""keras.ops.stft and istft: short-time Fourier transforms along the last axis, as (real, imag) pairs.

stft is a composition of differentiable ops: reflect-pad (when centred), cut frames of fft_length samples
every sequence_stride (extract_sequences), multiply by the window (zero-padded to fft_length, centred), and
rfft. Keras' scaling cancels out (SciPy's 1 / sum(window), undone by Keras), so each frame is a plain DFT.
istft inverts it: irfft each frame, weight by the window, overlap-add (an op whose vjp cuts the frames again),
and divide by the overlap-added squared window, as SciPy's istft does, with Keras' final scaling and trim.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op, apply
from neuroflow.ops.elementwise import multiply
from neuroflow.ops.fft import float_pair, float_real, irfft, rfft
from neuroflow.ops.sequences import extract_sequences
from neuroflow.ops.shape import getitem, take

HOST_NUMPY = "the STFT window built on the host, then moved"  # numpy here works on host data (tests/test_backend_seam.py)


def _window(window, sequence_length, fft_length, dtype, name):
    """The window of `sequence_length` samples, zero-padded on both sides to fft_length (a NumPy array)."""
    if window is None:
        values = numpy.ones(sequence_length)
    elif isinstance(window, str):
        k = numpy.arange(sequence_length)
        # SciPy's get_window gives the periodic ("fftbins") windows.
        if window == "hann":
            values = 0.5 - 0.5 * numpy.cos(2 * numpy.pi * k / sequence_length)
        elif window == "hamming":
            values = 0.54 - 0.46 * numpy.cos(2 * numpy.pi * k / sequence_length)
        else:
            raise ValueError(f'ops.{name} expects `window` to be "hann", "hamming", a tensor or None; '
                             f"received window={window!r}")
    else:
        values = numpy.asarray(window.numpy() if hasattr(window, "numpy") else window, dtype="float64")
        if values.shape != (sequence_length,):
            raise ValueError(f"ops.{name} expects `window` of shape ({sequence_length},) (sequence_length); "
                             f"received window.shape={values.shape}")
    left = (fft_length - sequence_length) // 2
    values = numpy.pad(values, (left, fft_length - sequence_length - left))
    return backend.xp.asarray(values, dtype=dtype)


def _check(sequence_length, sequence_stride, fft_length, name):
    for argument, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                            ("fft_length", fft_length)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"ops.{name} expects `{argument}` to be a positive integer; received {argument}={value!r}")
    if fft_length < sequence_length:
        raise ValueError(f"ops.{name} expects fft_length >= sequence_length; received sequence_length={sequence_length}, "
                         f"fft_length={fft_length}")


def _reflect_pad(x, width):
    """x reflect-padded by `width` samples on both ends of its last axis (NumPy's 'reflect', edge not repeated)."""
    n = x.shape[-1]
    if width >= n:
        raise ValueError(f"ops.stft with center=True needs more than fft_length // 2 = {width} samples; "
                         f"received x.shape={tuple(x.shape)}")
    indices = numpy.concatenate([numpy.arange(width, 0, -1), numpy.arange(n), numpy.arange(n - 2, n - 2 - width, -1)])
    return take(x, backend.xp.asarray(indices), axis=-1)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The STFT of x along its last axis: (real, imag), each (..., frames, fft_length // 2 + 1).

    Args:
        x: a float tensor of signals.
        sequence_length: samples per frame (the window's length).
        sequence_stride: hop between frames.
        fft_length: the DFT size (>= sequence_length; the window is zero-padded to it, centred).
        window: "hann", "hamming", a tensor of sequence_length values, or None (no window).
        center: pad x by fft_length // 2 on both sides (reflecting) so that frame t centres on t * stride.
    """
    _check(sequence_length, sequence_stride, fft_length, "stft")
    x = float_real(x, "stft")
    win = _window(window, sequence_length, fft_length, str(x.dtype), "stft")
    if center:
        x = _reflect_pad(x, fft_length // 2)
    frames = multiply(extract_sequences(x, fft_length, sequence_stride), win)
    return rfft(frames)


overlap_add_op = Op("overlap_add")


@overlap_add_op.forward
def _(frames, stride=1):
    count, length = frames.shape[-2], frames.shape[-1]
    out = backend.xp.zeros(frames.shape[:-2] + ((count - 1) * stride + length,), dtype=frames.dtype)
    for f in range(count):
        out[..., f * stride:f * stride + length] += frames[..., f, :]
    return out, (count, length, stride)


@overlap_add_op.vjp
def _(residuals, g, needs):
    count, length, stride = residuals
    # Each frame's gradient is the stretch of g it was added onto.
    indices = backend.xp.arange(count)[:, None] * stride + backend.xp.arange(length)[None, :]
    return (g[..., indices],)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The inverse of stft: x = (real, imag) of shape (..., frames, fft_length // 2 + 1) back to signals.

    `length` trims the output to that many samples; otherwise a centred transform drops fft_length // 2
    samples at both ends.
    """
    _check(sequence_length, sequence_stride, fft_length, "istft")
    real, imag = float_pair(x, "istft", 2)
    dtype = str(real.dtype)
    win = _window(window, sequence_length, fft_length, dtype, "istft")
    frames = multiply(irfft((real, imag), fft_length), win * win.sum())
    count = real.shape[-2]
    signal = apply(overlap_add_op, (frames,), {"stride": sequence_stride})
    norm = numpy.zeros((count - 1) * sequence_stride + fft_length)
    squared = backend.to_numpy(win).astype("float64") ** 2  # the window's normaliser, built on the host
    for f in range(count):
        norm[f * sequence_stride:f * sequence_stride + fft_length] += squared
    scale = numpy.where(norm > 1e-10, norm, 1.0) * (float(win.sum()) if window is not None else sequence_stride)
    signal = multiply(signal, backend.xp.asarray(1.0 / scale, dtype=dtype))
    start = fft_length // 2 if center else 0
    total = signal.shape[-1]
    if length is not None:
        end = start + length
    elif center:
        end = total - fft_length // 2
    else:
        end = total
    # As Keras (a slice), a `length` past the end gives what there is, not zero padding.
    return getitem(signal, (Ellipsis, slice(start, end)))
