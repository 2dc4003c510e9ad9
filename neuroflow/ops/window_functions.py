"""Tapering windows for signal processing: bartlett, blackman, hamming, hanning, kaiser (keras.ops.numpy).

Each returns the window of length `x` (a Python int or scalar tensor) in floatx, as Keras does; they are
constants, with no gradient.
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.inspection import value_of


def _length(x, name):
    value = value_of(x)
    if value.ndim != 0 or value.dtype.kind not in "iuf":
        raise ValueError(f"{name} expects x, the window length, as a scalar number; got x={x!r}")
    return int(value)


def _window(values):
    return Tensor(values.astype(backend.floatx()))


def bartlett(x):
    """The triangular window: it rises linearly from 0 to 1 and falls back to 0."""
    return _window(backend.xp.bartlett(_length(x, "bartlett")))


def blackman(x):
    """The Blackman window: 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))."""
    return _window(backend.xp.blackman(_length(x, "blackman")))


def hamming(x):
    """The Hamming window: 0.54 - 0.46 cos(2 pi n / (M - 1))."""
    return _window(backend.xp.hamming(_length(x, "hamming")))


def hanning(x):
    """The Hann window: 0.5 - 0.5 cos(2 pi n / (M - 1))."""
    return _window(backend.xp.hanning(_length(x, "hanning")))


def kaiser(x, beta):
    """The Kaiser window, I0(beta sqrt(1 - (2 n / (M - 1) - 1)^2)) / I0(beta); beta sets the taper."""
    return _window(backend.xp.kaiser(_length(x, "kaiser"), float(value_of(beta))))
