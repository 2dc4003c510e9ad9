"""Image quality measures: peak signal-to-noise ratio (keras.ops.nn.psnr) and SSIM (keras.ops.image.ssim).

Both are composed from differentiable ops, so either can serve as a training loss.
"""
import math

import numpy

from neuroflow import backend
from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.convolution.depthwise import depthwise_conv
from neuroflow.ops.elementwise import cast, log, square, subtract
from neuroflow.ops.reduction import mean

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import expand_dims, squeeze, transpose

HOST_NUMPY = "SSIM's Gaussian window built on the host, then moved"  # numpy here works on host data (tests/test_backend_seam.py)


def psnr(x1, x2, max_val):
    """20 log10(max_val) - 10 log10(mean((x1 - x2)^2)), the mean over every element (differentiable).

    Raises:
        ValueError: when x1 and x2 differ in shape.
    """
    x1 = x1 if hasattr(x1, "shape") else convert_to_tensor(x1)
    x2 = x2 if hasattr(x2, "shape") else convert_to_tensor(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"psnr expects x1 and x2 of the same shape; received x1.shape={tuple(x1.shape)}, "
                         f"x2.shape={tuple(x2.shape)}")
    mse = mean(square(subtract(x1, x2)))
    return 20.0 * math.log10(float(max_val)) - log(mse) * (10.0 / math.log(10.0))


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """The structural similarity of two images (Wang et al., 2004), averaged over pixels and channels.

    With Gaussian-weighted (filter_size, filter_sigma; 'valid' windows) means mu, variances s^2 and
    covariance s12 per channel, c1 = (k1 max_val)^2 and c2 = (k2 max_val)^2:

        ssim = mean of (2 mu1 mu2 + c1) (2 s12 + c2) / ((mu1^2 + mu2^2 + c1) (s1^2 + s2^2 + c2)).

    Returns:
        One value per image pair: shape (batch,), or a scalar for single (rank-3) images.
    """
    image1 = image1 if hasattr(image1, "shape") else convert_to_tensor(image1)
    image2 = image2 if hasattr(image2, "shape") else convert_to_tensor(image2)
    for name, image in (("image1", image1), ("image2", image2)):
        if len(image.shape) not in (3, 4):
            raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch of images); "
                             f"received {name}.shape={tuple(image.shape)}")
    if not str(image1.dtype).startswith("float"):
        image1, image2 = cast(image1, backend.floatx()), cast(image2, backend.floatx())
    unbatched = len(image1.shape) == 3
    if unbatched:
        image1, image2 = expand_dims(image1, 0), expand_dims(image2, 0)
    if (data_format or backend.image_data_format()) == "channels_first":
        image1, image2 = transpose(image1, (0, 2, 3, 1)), transpose(image2, (0, 2, 3, 1))
    dtype = str(image1.dtype)
    taps = numpy.arange(filter_size, dtype=dtype) - (filter_size - 1) / 2.0
    gauss = numpy.exp(-(taps ** 2) / (2.0 * filter_sigma ** 2))
    gauss /= gauss.sum()
    kernel = numpy.tile(numpy.outer(gauss, gauss).astype(dtype)[:, :, None, None], (1, 1, image1.shape[-1], 1))

    def local_mean(x):
        return depthwise_conv(x, kernel, padding="valid")

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = local_mean(image1), local_mean(image2)
    mu1_sq, mu2_sq, mu12 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    sigma1_sq = local_mean(image1 * image1) - mu1_sq
    sigma2_sq = local_mean(image2 * image2) - mu2_sq
    sigma12 = local_mean(image1 * image2) - mu12
    ratio = ((mu12 * 2.0 + c1) * (sigma12 * 2.0 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
    out = mean(ratio, axis=(1, 2, 3))
    return squeeze(out, 0) if unbatched else out
