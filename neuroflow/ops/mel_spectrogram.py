"""Short-time Fourier magnitudes and the mel filter bank: the MelSpectrogram layer's op (keras.ops.stft is in
ops/spectrogram.py).

Framing and the real FFT in NumPy (numpy.fft through backend.xp), as Keras 3's stft with
center=True: the signal reflect-padded by fft_length // 2 on both sides, frames of fft_length every
sequence_stride samples, each times a periodic window of sequence_length samples centred in
fft_length. A preprocessing step on raw audio: a constant for the tape (no vjp).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "window and mel filter bank built on the host, then moved"

# The HTK mel scale: mel(f) = 1127 ln(1 + f / 700).
_MEL_BREAK_HERTZ = 700.0
_MEL_Q = 1127.0


def named_window(name, length, periodic=True):
    """'hann' 0.5 - 0.5 cos(2 pi n / M) or 'hamming' 0.54 - 0.46 cos(2 pi n / M), n < length, with
    M = length (periodic, for spectra) or length - 1 (symmetric); None: all ones."""
    n = numpy.arange(length, dtype="float64")
    span = length if periodic else max(length - 1, 1)
    if name == "hann":
        return 0.5 - 0.5 * numpy.cos(2.0 * numpy.pi * n / span)
    if name == "hamming":
        return 0.54 - 0.46 * numpy.cos(2.0 * numpy.pi * n / span)
    return numpy.ones(length)


def frame_count(samples, fft_length, sequence_stride):
    """Frames of a centred STFT over `samples` samples (reflect padding of fft_length // 2 each side)."""
    return (samples + 2 * (fft_length // 2) - fft_length) // sequence_stride + 1


def stft_power(signal, sequence_length, sequence_stride, fft_length, window="hann", exponent=2.0):
    """|rfft(frame * window)| ** exponent, shaped (..., frames, fft_length // 2 + 1), float64."""
    xp = backend.xp
    half = fft_length // 2
    padded = xp.pad(signal, [(0, 0)] * (signal.ndim - 1) + [(half, half)], mode="reflect")
    frames = frame_count(signal.shape[-1], fft_length, sequence_stride)
    starts = xp.arange(frames)[:, None] * sequence_stride + xp.arange(fft_length)[None, :]
    left = (fft_length - sequence_length) // 2
    window_values = numpy.zeros(fft_length)
    window_values[left:left + sequence_length] = named_window(window, sequence_length)
    spectrum = xp.fft.rfft(padded[..., starts].astype("float64") * xp.asarray(window_values), n=fft_length, axis=-1)
    return xp.abs(spectrum) ** exponent


def _hertz_to_mel(hertz):
    return _MEL_Q * numpy.log(1.0 + numpy.asarray(hertz, dtype="float64") / _MEL_BREAK_HERTZ)


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz, upper_edge_hertz):
    """(num_spectrogram_bins, num_mel_bins) triangular filters peaking at 1, evenly spaced in mel between
    the edges; the DC bin gets no weight (as Keras 3 / TensorFlow's linear_to_mel_weight_matrix)."""
    frequencies = numpy.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _hertz_to_mel(frequencies)[:, None]
    edges = numpy.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    weights = numpy.maximum(0.0, numpy.minimum((bins_mel - lower) / (center - lower), (upper - bins_mel) / (upper - center)))
    return numpy.pad(weights, [(1, 0), (0, 0)])


mel_spectrogram = Op("mel_spectrogram")


@mel_spectrogram.forward
def _(signal, fft_length=2048, sequence_stride=512, sequence_length=2048, window="hann", sampling_rate=16000,
      num_mel_bins=128, min_freq=20.0, max_freq=8000.0, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
      ref_power=1.0):
    """signal (..., samples) -> (..., num_mel_bins, frames); with power_to_db, 10 log10(max(x, min_power) /
    max(|ref_power|, min_power)) floored at the largest value of the whole input minus top_db."""
    xp = backend.xp
    dtype = signal.dtype if signal.dtype in (numpy.float32, numpy.float64) else numpy.dtype("float32")
    # Keras computes in the signal's float dtype; float64 here, cast back at the end.
    power = stft_power(signal.astype(dtype), sequence_length, sequence_stride, fft_length, window, mag_exp)
    weights = mel_weight_matrix(num_mel_bins, power.shape[-1], sampling_rate, min_freq, max_freq)
    mel = xp.tensordot(power, xp.asarray(weights), axes=1)
    if power_to_db:
        mel = 10.0 * xp.log10(xp.maximum(mel, min_power)) - 10.0 * numpy.log10(max(abs(ref_power), min_power))
        mel = xp.maximum(mel, mel.max() - top_db)
    return xp.swapaxes(mel, -1, -2).astype(dtype), None
