"""Random ops of training-time regularizers: dropout masks and Gaussian noise.

The random numbers are drawn inside each op's forward, from a generator passed as a parameter,
so the op is one self-contained step: a replayed (traced) training step draws fresh noise at
every batch, exactly as an eager step does (engine/trace.py).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

dropout = Op("dropout")


@dropout.forward
def _(x, rate=0.5, noise_shape=None, generator=None):
    """Inverted dropout: x * mask, mask = keep / (1 - rate), keep ~ Bernoulli(1 - rate).

    `noise_shape` (default x's shape) broadcasts against x: (batch, 1, channels) drops whole
    channels of a sequence. `generator` is a numpy Generator (a layer's SeedGenerator stream).
    """
    keep = generator.random(x.shape if noise_shape is None else noise_shape, dtype=numpy.float32) >= rate
    # The mask is built in NumPy (the generator's home), then moved to the backend's device.
    mask = backend.xp.asarray(keep.astype(x.dtype) * numpy.asarray(1.0 / (1.0 - rate), dtype=x.dtype))
    return x * mask, mask


@dropout.vjp
def _(mask, g, needs):
    return (g * mask,)


gaussian_noise = Op("gaussian_noise")


@gaussian_noise.forward
def _(x, stddev=1.0, generator=None):
    """x + N(0, stddev^2) noise, elementwise; the gradient passes straight through."""
    noise = generator.normal(0.0, stddev, size=x.shape)
    return x + backend.xp.asarray(noise.astype(x.dtype)), None


@gaussian_noise.vjp
def _(residuals, g, needs):
    return (g,)


gaussian_dropout = Op("gaussian_dropout")


@gaussian_dropout.forward
def _(x, stddev=1.0, generator=None):
    """x * N(1, stddev^2) noise, elementwise (mean 1: no rescaling needed at inference)."""
    noise = backend.xp.asarray(generator.normal(1.0, stddev, size=x.shape).astype(x.dtype))
    return x * noise, noise


@gaussian_dropout.vjp
def _(noise, g, needs):
    return (g * noise,)


dropout_mask = Op("dropout_mask")


@dropout_mask.forward
def _(reference, shape=(), rate=0.5, generator=None):
    """An inverted-dropout multiplier of shape (batch,) + shape, batch = reference's leading size:
    0 with probability `rate`, else 1 / (1 - rate). A constant for the tape (no vjp); recurrent
    layers hand it to their fused op, which applies it at every step."""
    keep = generator.random((reference.shape[0],) + tuple(shape), dtype=numpy.float32) >= rate
    return backend.xp.asarray(keep.astype(reference.dtype) / reference.dtype.type(1.0 - rate)), None
