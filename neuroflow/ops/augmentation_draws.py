"""Random draws and one random blur of the mixing and colour augmentation layers (MixUp, CutMix,
RandomGaussianBlur).

As in ops/augmentation.py, the numbers are drawn inside each op's forward from a generator passed as
a parameter, so a replayed (traced) training step draws fresh ones at every batch. Images are
(batch, height, width, channels). The draws are constants for the tape (no vjp).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.registry import Op

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "random augmentation parameters drawn on the host generator"


def _float_dtype(reference):
    return reference.dtype if reference.dtype.kind == "f" else numpy.dtype(backend.floatx())


batch_permutation = Op("batch_permutation")


@batch_permutation.forward
def _(reference, generator=None):
    """A random order of the batch rows of `reference` (int64), for taking the images to mix in."""
    return backend.xp.asarray(generator.permutation(reference.shape[0]).astype("int64")), None


per_image_beta = Op("per_image_beta")


@per_image_beta.forward
def _(reference, alpha=1.0, generator=None):
    """One Beta(alpha, alpha) number per image of `reference`, shaped (batch, 1, 1, 1)."""
    draws = generator.beta(alpha, alpha, size=(reference.shape[0], 1, 1, 1))
    return backend.xp.asarray(draws.astype(_float_dtype(reference))), None


cutmix_boxes = Op("cutmix_boxes")


@cutmix_boxes.forward
def _(images, factor=(0.0, 1.0), generator=None):
    """Per image (x0, x1, y0, y1) of the patch to paste, shaped (batch, 4): alpha ~ U(factor) + 1e-6 for
    the batch, w ~ Beta(alpha, alpha) per image, sides sqrt(1 - w) times the image's, at offsets
    U(0, 1) * (size - side) (continuous, as Keras 3 computes them)."""
    batch, height, width = images.shape[:3]
    alpha = generator.uniform(factor[0], factor[1]) + 1e-6
    ratio = numpy.sqrt(1.0 - generator.beta(alpha, alpha, size=batch))
    sides_x, sides_y = ratio * width, ratio * height
    x0 = generator.uniform(0.0, 1.0, size=batch) * (width - sides_x)
    y0 = generator.uniform(0.0, 1.0, size=batch) * (height - sides_y)
    boxes = numpy.stack([x0, x0 + sides_x, y0, y0 + sides_y], axis=1)
    return backend.xp.asarray(boxes.astype(_float_dtype(images))), None


def gaussian_kernel_1d(size, sigma):
    """exp(-((i - (size - 1) / 2) / sigma)^2 / 2), normalized to sum 1 (Keras' kernel)."""
    x = numpy.arange(size, dtype="float64") - (size - 1) / 2
    kernel = numpy.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _blur(x, kernel):
    """Each channel of the batch correlated with the 2-D `kernel` (odd sides), zero padding, same size."""
    xp = backend.xp
    rows, columns = kernel.shape
    top, left = (rows - 1) // 2, (columns - 1) // 2
    padded = xp.pad(x, ((0, 0), (top, rows - 1 - top), (left, columns - 1 - left), (0, 0)))
    out = xp.zeros_like(x)
    height, width = x.shape[1], x.shape[2]
    for i in range(rows):
        for j in range(columns):
            out += kernel[i, j].astype(x.dtype) * padded[:, i:i + height, j:j + width, :]
    return out


random_gaussian_blur = Op("random_gaussian_blur")


@random_gaussian_blur.forward
def _(images, kernel_size=(3, 3), sigma=(1.0, 1.0), generator=None):
    """The batch blurred with one Gaussian whose (row, column) sigmas are drawn for the batch from
    U(sigma) + 1e-6 (Keras 3: the first for the columns' kernel, the second for the rows')."""
    sigmas = generator.uniform(sigma[0], sigma[1], size=2) + 1e-6
    kernel = numpy.outer(gaussian_kernel_1d(int(kernel_size[1]), sigmas[1]),
                         gaussian_kernel_1d(int(kernel_size[0]), sigmas[0]))
    kernel = backend.xp.asarray(kernel)
    return _blur(images, kernel), kernel


@random_gaussian_blur.vjp
def _(kernel, g, needs):
    # The kernel is symmetric with odd sides and the padding is even on both sides, so the blur is its
    # own adjoint.
    return (_blur(g, kernel),)


erasing_boxes = Op("erasing_boxes")


@erasing_boxes.forward
def _(images, scale=(0.02, 0.33), generator=None):
    """Per image (x0, x1, y0, y1) of the box to erase, shaped (batch, 4): the sides are sqrt(s) times
    the image's width and height, s ~ U(scale) drawn for each, at offsets U(0, 1) * (size - side)."""
    batch, height, width = images.shape[:3]
    ratios = numpy.sqrt(generator.uniform(scale[0], scale[1], size=(batch, 2)))
    sides_x, sides_y = ratios[:, 0] * width, ratios[:, 1] * height
    x0 = generator.uniform(0.0, 1.0, size=batch) * (width - sides_x)
    y0 = generator.uniform(0.0, 1.0, size=batch) * (height - sides_y)
    boxes = numpy.stack([x0, x0 + sides_x, y0, y0 + sides_y], axis=1)
    return backend.xp.asarray(boxes.astype(_float_dtype(images))), None


standard_normal_like = Op("standard_normal_like")


@standard_normal_like.forward
def _(reference, generator=None):
    """N(0, 1) numbers of `reference`'s shape (RandomErasing's default fill)."""
    draws = generator.standard_normal(size=reference.shape)
    return backend.xp.asarray(draws.astype(_float_dtype(reference))), None


choice_index = Op("choice_index")


@choice_index.forward
def _(reference, count=1, generator=None):
    """One integer drawn uniformly from 0 .. count - 1 (int64 scalar): which augmentation to apply."""
    return backend.xp.asarray(numpy.int64(generator.integers(0, count))), None


mixing_weights = Op("mixing_weights")


@mixing_weights.forward
def _(reference, alpha=1.0, count=1, generator=None):
    """AugMix's weights for the batch, (count + 1,): Dirichlet(alpha) over the count chains (normalized
    Gamma(alpha) draws), then one Beta(alpha, alpha) weight of the original image."""
    gamma = generator.gamma(alpha, size=count)
    draws = numpy.append(gamma / gamma.sum(), generator.beta(alpha, alpha))
    return backend.xp.asarray(draws.astype(_float_dtype(reference))), None
