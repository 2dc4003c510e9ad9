"""Random draws and crops of the image augmentation layers (RandomCrop, RandomGrayscale, RandomInvert,
Solarization).

As in ops/noise.py, the random numbers are drawn inside each op's forward from a generator passed
as a parameter, so a replayed (traced) training step draws fresh ones at every batch. Images are
(batch, height, width, channels) here; the layers move channels_first and single images there
(ops/image.py on_image_batch).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

per_image_uniform = Op("per_image_uniform")


@per_image_uniform.forward
def _(reference, low=0.0, high=1.0, generator=None):
    """One U(low, high) number per image of `reference`, shaped (batch, 1, 1, 1) to broadcast over
    it; a constant for the tape (no vjp): the layers use it to choose or scale, not to learn."""
    draws = generator.uniform(low, high, size=(reference.shape[0], 1, 1, 1))
    dtype = reference.dtype if reference.dtype.kind == "f" else numpy.dtype(backend.floatx())
    return backend.xp.asarray(draws.astype(dtype)), None


random_crop = Op("random_crop")


@random_crop.forward
def _(images, height=1, width=1, generator=None):
    """The (height, width) window at one random offset for the whole batch (as Keras 3 draws it):
    top ~ U{0 .. H - height}, left ~ U{0 .. W - width}."""
    top = int(generator.integers(0, images.shape[1] - height + 1))
    left = int(generator.integers(0, images.shape[2] - width + 1))
    window = (slice(None), slice(top, top + height), slice(left, left + width))
    return images[window], (images.shape, window)


@random_crop.vjp
def _(residuals, g, needs):
    shape, window = residuals
    grad = backend.xp.zeros(shape, dtype=g.dtype)
    grad[window] = g
    return (grad,)
