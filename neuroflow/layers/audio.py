"""Audio preprocessing layers (keras.layers' names): MelSpectrogram.

Raw signals (batch, samples) or one signal (samples,) become mel spectrograms (batch, num_mel_bins,
frames), as Keras 3 lays them out; the spectral work is one op (ops/spectrogram.py).
"""
from neuroflow.layers.layer import Layer
from neuroflow.ops import spectrogram

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
