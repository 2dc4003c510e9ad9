"""Audio preprocessing layers (keras.layers' names): MelSpectrogram and STFTSpectrogram.

MelSpectrogram: raw signals (batch, samples) or one signal (samples,) become mel spectrograms (batch,
num_mel_bins, frames), as Keras 3 lays them out; the spectral work is one op (ops/mel_spectrogram.py).
STFTSpectrogram: as Keras 3, a strided 1-D convolution with trainable cosine and sine kernels (the
DFT times the window), so its output is differentiable in the signal and the kernels.
"""
import math

import numpy

from neuroflow import backend, ops
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import mel_spectrogram as spectrogram

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "builds the STFT kernels once on the host; the layer moves them to the device"

_EPSILON = 1e-7  # Keras' backend.epsilon()
_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")

_WINDOWS = ("hann", "hamming")


def _positive_int(value, name, where):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{where}: `{name}` must be a positive integer, got {value!r}")
    return value


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio: a centred STFT (reflect padding), |X| ** mag_exp, a bank of
    num_mel_bins triangular mel filters between min_freq and max_freq, and optionally decibels.

    Args:
        fft_length: the FFT size (default 2048); sequence_stride: samples between frames (512);
        sequence_length: the window's length, at most fft_length (default fft_length).
        window: 'hann' (default), 'hamming' or None (rectangular).
        sampling_rate: samples per second (16000); num_mel_bins: the filter count (128).
        min_freq, max_freq: the filters' span in Hz (20, and sampling_rate / 2 by default).
        power_to_db: convert to decibels (default True), relative to ref_power, floored at the input's
            maximum minus top_db (80); min_power (1e-10) guards the logarithm.
        mag_exp: the exponent of the magnitudes (2: power).
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann", sampling_rate=16000,
                 num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0,
                 min_power=1e-10, ref_power=1.0, **kwargs):
        super().__init__(**kwargs)
        where = f"MelSpectrogram '{self.name}'"
        self.fft_length = _positive_int(fft_length, "fft_length", where)
        self.sequence_stride = _positive_int(sequence_stride, "sequence_stride", where)
        self.sequence_length = _positive_int(sequence_length or fft_length, "sequence_length", where)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"{where}: `fft_length` must be at least `sequence_length` ({self.sequence_length}), "
                             f"got {fft_length}")
        if window is not None and window not in _WINDOWS:
            raise ValueError(f"{where}: `window` must be one of {_WINDOWS} or None, got {window!r}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = _positive_int(num_mel_bins, "num_mel_bins", where)
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power

    def call(self, inputs):
        return spectrogram.mel_spectrogram(
            inputs, fft_length=self.fft_length, sequence_stride=self.sequence_stride,
            sequence_length=self.sequence_length, window=self.window, sampling_rate=float(self.sampling_rate),
            num_mel_bins=self.num_mel_bins, min_freq=float(self.min_freq), max_freq=float(self.max_freq),
            power_to_db=bool(self.power_to_db), top_db=float(self.top_db), mag_exp=float(self.mag_exp),
            min_power=float(self.min_power), ref_power=float(self.ref_power))

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else spectrogram.frame_count(samples, self.fft_length, self.sequence_stride)
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                       "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config


def _window_values(window, length, periodic):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in _WINDOWS:
            raise ValueError(f"STFTSpectrogram: `window` must be one of {_WINDOWS}, an array or None, got {window!r}")
        return spectrogram.named_window(window, length, periodic)
    values = numpy.asarray(window, dtype="float64")
    if values.shape != (length,):
        raise ValueError(f"STFTSpectrogram: `window` must have shape ({length},), got {values.shape}")
    return values


def stft_kernel(side, window, scaling, periodic, frame_length, bins):
    """(frame_length, 1, bins) cos (side 'real') or sin ('imag') of -2 pi t k / (2 (bins - 1)), times the
    window and divided by its L2 norm ('density') or L1 norm ('spectrum'), as Keras 3's STFT initializer."""
    time = numpy.arange(frame_length, dtype="float64")[:, None, None]
    frequency = numpy.arange(bins, dtype="float64")[None, None, :] / ((bins - 1) * 2)
    angles = -2.0 * time * frequency * numpy.pi
    kernel = numpy.cos(angles) if side == "real" else numpy.sin(angles)
    values = _window_values(window, frame_length, periodic)
    if values is not None:
        values = values[:, None, None]
        norm = {"density": numpy.sqrt(numpy.sum(values ** 2)), "spectrum": numpy.sum(numpy.abs(values))}.get(scaling, 1.0)
        kernel = kernel * values / norm
    return kernel


class STFTSpectrogram(Layer):
    """Short-time Fourier transform of (batch, time, channels) signals as a strided convolution.

    Args:
        mode: 'log' (default, log magnitude), 'magnitude', 'psd' (power, the inner bins doubled), 'real',
            'imag', 'angle' or 'stft' (real and imaginary parts side by side).
        frame_length: the window's length (256); frame_step: samples between frames (frame_length // 2),
            at most frame_length; fft_length: at least frame_length (the next power of two by default).
        window: 'hann' (default), 'hamming', an array of frame_length values or None; periodic: whether
            a named window is periodic (default False: symmetric).
        scaling: 'density' (default), 'spectrum' or None; padding: 'valid' (default) or 'same'.
        expand_dims: keep the channels as their own axis (time, frequency, channels) instead of folding
            them into the frequency axis.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann", periodic=False,
                 scaling="density", padding="valid", expand_dims=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"STFTSpectrogram '{self.name}'"
        self.frame_length = _positive_int(frame_length, "frame_length", where)
        if frame_step is not None and (not isinstance(frame_step, int) or not 1 <= frame_step <= frame_length):
            raise ValueError(f"{where}: `frame_step` must be a positive integer not greater than `frame_length` "
                             f"({frame_length}), got {frame_step!r}")
        if fft_length is not None and (not isinstance(fft_length, int) or fft_length < frame_length):
            raise ValueError(f"{where}: `fft_length` must be an integer not less than `frame_length` "
                             f"({frame_length}), got {fft_length!r}")
        if mode not in _STFT_MODES:
            raise ValueError(f"{where}: `mode` must be one of {', '.join(_STFT_MODES)}, got {mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"{where}: `scaling` must be None, 'density' or 'spectrum', got {scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{where}: `padding` must be 'valid' or 'same', got {padding!r}")
        _window_values(window, self.frame_length, periodic)  # fails early on a bad window
        self.mode, self.frame_step, self.fft_length = mode, frame_step, fft_length
        self._frame_step = frame_step or self.frame_length // 2
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window.tolist() if isinstance(window, numpy.ndarray) else window
        self.periodic, self.scaling, self.padding, self.expand_dims = periodic, scaling, padding, expand_dims
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != ("imag" if side == "real" else "real"):
                values = stft_kernel(side, self.window, self.scaling, self.periodic, *shape[::2])
                setattr(self, f"{side}_kernel", self.add_weight(
                    shape=shape, name=f"{side}_kernel",
                    initializer=lambda shape, dtype=None, v=values: v.astype(dtype or backend.floatx())))
        self.built = True

    def _convolve(self, inputs, kernel):
        """(batch, channels, frequency, frames) from one kernel."""
        channels_last = self.data_format == "channels_last"
        time_axis, channel_axis = (1, 2) if channels_last else (2, 1)
        signals = ops.transpose(inputs, (0, 2, 1)) if channels_last else inputs
        channels, steps = inputs.shape[channel_axis], inputs.shape[time_axis]
        signals = ops.reshape(signals, (-1, steps, 1) if channels_last else (-1, 1, steps))
        out = ops.conv(signals, ops.cast(kernel, inputs.dtype), strides=self._frame_step, padding=self.padding,
                       data_format=self.data_format)
        if channels_last:
            out = ops.transpose(out, (0, 2, 1))
        return ops.reshape(out, (-1, channels) + tuple(out.shape[1:]))

    def _layout(self, outputs):
        _, channels, frequencies, frames = outputs.shape
        if self.expand_dims:
            return ops.transpose(outputs, (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2))
        folded = ops.reshape(outputs, (-1, channels * frequencies, frames))
        return ops.transpose(folded, (0, 2, 1)) if self.data_format == "channels_last" else folded

    def call(self, inputs):
        real = self._convolve(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._convolve(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._layout(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=2))
        power = ops.add(ops.square(real), ops.square(imag))
        if self.mode == "psd":
            # The one-sided spectrum: every bin but DC and Nyquist stands for two.
            return self._layout(ops.add(power, ops.pad(power[:, :, 1:-1, :], ((0, 0), (0, 0), (1, 1), (0, 0)))))
        magnitude = self._layout(ops.sqrt(ops.maximum(power, _EPSILON)))
        return magnitude if self.mode == "magnitude" else ops.log(ops.maximum(magnitude, _EPSILON))

    def compute_output_shape(self, input_shape):
        channels_last = self.data_format == "channels_last"
        steps, channels = (input_shape[1], input_shape[2]) if channels_last else (input_shape[2], input_shape[1])
        frequencies = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if steps is None:
            frames = None
        elif self.padding == "same":
            frames = -(-steps // self._frame_step)
        else:
            frames = (steps - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return (input_shape[0], frames, frequencies, channels) if channels_last else \
                (input_shape[0], channels, frames, frequencies)
        folded = None if channels is None else channels * frequencies
        return (input_shape[0], frames, folded) if channels_last else (input_shape[0], folded, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
                       "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
                       "scaling": self.scaling, "padding": self.padding, "data_format": self.data_format,
                       "expand_dims": self.expand_dims})
        return config
