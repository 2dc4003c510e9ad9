"""RandomShear's, RandomPerspective's and RandomElasticTransform's ops: one warp per image drawn inside the forward (as
ops/image.py random_affine), so a replayed (traced) training step draws fresh ones at every batch.
Images are (batch, height, width, channels); the resampling and its gradient are ops/image.py's,
ops/image_perspective.py's and ops/image_elastic.py's.
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op
from neuroflow.ops.image import _resample, _resample_vjp, _sample_plan
from neuroflow.ops.image_elastic import elastic_op
from neuroflow.ops.image_perspective import homography, perspective_op
from neuroflow.ops.map_coordinates import sample_vjp

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "geometric augmentation parameters drawn on the host generator"


def shear_transforms(shear_x, shear_y):
    """Affine rows (batch, 6): output pixel (x, y) reads the input at (x + sx y, sy x + y)."""
    xp = backend.xp
    sx, sy = xp.asarray(shear_x, dtype="float64"), xp.asarray(shear_y, dtype="float64")
    ones, zeros = xp.ones_like(sx), xp.zeros_like(sx)
    return xp.stack([ones, sx, zeros, sy, ones, zeros], axis=1)


random_shear = Op("random_shear")


@random_shear.forward
def _(images, x_factor=(0.0, 0.0), y_factor=(0.0, 0.0), interpolation="bilinear", fill_mode="reflect",
      fill_value=0.0, generator=None):
    """Per image: a sign s (a fair coin, one for both axes, as Keras 3), sx ~ s U(x_factor), sy ~ s U(y_factor)."""
    n = images.shape[0]
    sign = numpy.where(generator.uniform(0.0, 1.0, size=n) > 0.5, -1.0, 1.0)  # host draws
    shear_y = generator.uniform(y_factor[0], y_factor[1], size=n) * sign
    shear_x = generator.uniform(x_factor[0], x_factor[1], size=n) * sign
    plan = _sample_plan(images.shape, shear_transforms(shear_x, shear_y), interpolation, fill_mode)
    return _resample(images, plan, fill_value, fill_mode), (images.shape, plan)


@random_shear.vjp
def _(residuals, g, needs):
    shape, plan = residuals
    return (_resample_vjp(shape, plan, g),)


random_perspective = Op("random_perspective")


@random_perspective.forward
def _(images, scale=1.0, order=1, fill_value=0.0, generator=None):
    """Per image: the corners (0, 0), (W-1, 0), (0, H-1), (W-1, H-1) moved to corner * (1 + d), each of
    the 8 d ~ U(-scale / 2, scale / 2), and the image warped so the corners land there (as Keras 3)."""
    n, height, width = images.shape[:3]
    corners = numpy.array([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]])
    start = numpy.broadcast_to(corners, (n, 4, 2))
    end = start + start * generator.uniform(-0.5 * scale, 0.5 * scale, size=(n, 4, 2))
    return perspective_op._forward(images, coefficients=homography(start, end), order=order, fill_value=fill_value)


@random_perspective.vjp
def _(residuals, g, needs):
    return (sample_vjp(residuals, g),)


random_elastic = Op("random_elastic")


@random_elastic.forward
def _(images, scale=(0.0, 1.0), order=1, fill_mode="reflect", fill_value=0.0, generator=None):
    """One distortion d ~ U(scale) for the batch (as Keras 3): alpha = 0.1 d max(H, W), sigma = 0.05 d
    min(H, W), then the elastic field of ops/image_elastic.py drawn from this generator's stream."""
    height, width = images.shape[1:3]
    distortion = generator.uniform(scale[0], scale[1])
    alpha = max(height, width) * 0.1 * distortion
    sigma = max(min(height, width) * 0.05 * distortion, 1e-6)  # d = 0: no displacement, not 0 / 0
    return elastic_op._forward(images, alpha=alpha, sigma=sigma, order=order, fill_mode=fill_mode,
                               fill_value=fill_value, seed=int(generator.integers(2**62)))


@random_elastic.vjp
def _(residuals, g, needs):
    return (sample_vjp(residuals, g),)
