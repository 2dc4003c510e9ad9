"""Random ops of training-time regularizers: dropout masks and Gaussian noise.

The random numbers are drawn inside each op's forward, from a generator passed as a parameter,
so the op is one self-contained step: a replayed (traced) training step draws fresh noise at
every batch, exactly as an eager step does (engine/trace.py).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "dropout's mask is drawn by the host generator (the layer's stream), then moved once per call, as booleans"

dropout = Op("dropout")


def _on_device(keep):
    """A host mask of booleans on the backend's device (on NumPy, as it is)."""
    return backend.xp.asarray(keep)


@dropout.forward
def _(x, rate=0.5, noise_shape=None, generator=None):
    """Inverted dropout: x * mask, mask = keep / (1 - rate), keep ~ Bernoulli(1 - rate).

    `noise_shape` (default x's shape) broadcasts against x: (batch, 1, channels) drops whole
    channels of a sequence. `generator` is a numpy Generator (a layer's SeedGenerator stream).
    """
    if noise_shape is not None and None in noise_shape:  # Keras' None entries take x's size (a placeholder's batch)
        noise_shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = generator.random(x.shape if noise_shape is None else noise_shape, dtype=numpy.float32) >= rate
    # Drawn in NumPy (the generator's home); the booleans move to the device (a byte each, not a
    # float), where the multiplier is made: the same 0 / scale values as on the host.
    mask = _on_device(keep).astype(x.dtype) * x.dtype.type(1.0 / (1.0 - rate))
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
    return _on_device(keep).astype(reference.dtype) / reference.dtype.type(1.0 - rate), None


alpha_dropout = Op("alpha_dropout")

# SELU's constants: selu(x) = SCALE * (x if x > 0 else ALPHA * (exp(x) - 1)).
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@alpha_dropout.forward
def _(x, rate=0.5, noise_shape=None, generator=None):
    """Alpha dropout: dropped units are set to SELU's negative saturation alpha' = -SCALE * ALPHA,
    then an affine map restores zero mean and unit variance (for inputs with that mean and variance):

        keep ~ Bernoulli(1 - rate),  out = a * (x * keep + alpha' * (1 - keep)) + b,
        a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5,  b = -a * alpha' * rate.

    `noise_shape` (default x's shape) broadcasts against x; `generator` is a numpy Generator.
    The gradient is g * a * keep.
    """
    if noise_shape is not None and None in noise_shape:  # Keras' None entries take x's size (a placeholder's batch)
        noise_shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = generator.random(x.shape if noise_shape is None else noise_shape, dtype=numpy.float32) >= rate
    alpha_p = -SELU_SCALE * SELU_ALPHA
    a = ((1.0 - rate) * (1.0 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    keep = _on_device(keep).astype(x.dtype)  # one copy of booleans; the multiplier and offset are made there
    # Per-element multiplier and offset: out = x * (a * keep) + (a * alpha' * (1 - keep) + b).
    scale = keep * x.dtype.type(a)
    offset = (1.0 - keep) * x.dtype.type(a * alpha_p) + x.dtype.type(b)
    return x * scale + offset, scale


@alpha_dropout.vjp
def _(scale, g, needs):
    return (g * scale,)
