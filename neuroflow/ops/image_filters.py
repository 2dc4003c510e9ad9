"""Fixed-kernel image filters (keras.ops.image.gaussian_blur / sobel_edges), as depthwise convolutions.

Both are linear in the image, so they are differentiable through the convolution and padding ops
they are made of.
"""
import numpy

from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.convolution.depthwise import depthwise_conv
from neuroflow.ops.image_crop_pad import image_axes

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import concatenate, expand_dims, getitem, pad, squeeze, stack, transpose

HOST_NUMPY = "filter kernels built on the host, then moved"  # numpy here works on host data (tests/test_backend_seam.py)


def _images(images):
    return images if hasattr(images, "shape") and hasattr(images, "dtype") else convert_to_tensor(images)


def _gaussian_1d(size, sigma, dtype):
    x = numpy.arange(size, dtype=dtype) - (size - 1) / 2
    kernel = numpy.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _channels_last_batch(images, data_format):
    """images as (N, H, W, C), and a function that undoes the conversion."""
    _, _, channels = image_axes(images, data_format)
    unbatched = len(images.shape) == 3
    x = expand_dims(images, 0) if unbatched else images
    channels_first = channels != len(images.shape) - 1
    if channels_first:
        x = transpose(x, (0, 2, 3, 1))

    def restore(out, extra_axes=0):
        if channels_first:
            out = transpose(out, (0, 3, 1, 2) + tuple(range(4, 4 + extra_axes)))
        return squeeze(out, 0) if unbatched else out
    return x, restore


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Each channel convolved with a normalized Gaussian, zero padding, output the size of the input.

    The kernel is outer(g(kernel_size[1], sigma[1]), g(kernel_size[0], sigma[0])) (rows first), with
    g(n, s)_i proportional to exp(-((i - (n - 1) / 2) / s)^2 / 2), as in Keras.
    """
    images = _images(images)
    x, restore = _channels_last_batch(images, data_format)
    dtype = str(images.dtype) if str(images.dtype).startswith("float") else "float32"
    kernel = numpy.outer(_gaussian_1d(int(kernel_size[1]), float(sigma[1]), dtype),
                         _gaussian_1d(int(kernel_size[0]), float(sigma[0]), dtype)).astype(dtype)
    channels = x.shape[-1]
    kernel = numpy.tile(kernel[:, :, None, None], (1, 1, channels, 1))
    rows, columns = kernel.shape[:2]
    # Keras pads (k - 1) // 2 before and the rest after, then takes the 'valid' convolution.
    x = pad(x, ((0, 0), ((rows - 1) // 2, rows - 1 - (rows - 1) // 2),
                ((columns - 1) // 2, columns - 1 - (columns - 1) // 2), (0, 0)))
    return restore(depthwise_conv(x, kernel, padding="valid"))


def _edge_pad(x, axis):
    """One row / column repeated on each side of `axis` (SciPy's 'reflect' mode for a 3-tap filter)."""
    index = [slice(None)] * 4
    index[axis] = slice(0, 1)
    first = getitem(x, tuple(index))
    index[axis] = slice(-1, None)
    return concatenate([first, x, getitem(x, tuple(index))], axis=axis)


def sobel_edges(images, data_format=None):
    """The Sobel derivatives of each channel: (..., H, W, C, 2), [..., 0] along rows (y), [..., 1] along columns (x).

    Each is the correlation with [-1, 0, 1] along its axis and the smoothing [1, 2, 1] across it,
    the border repeated (SciPy's ndimage.sobel, which Keras uses); channels_first input gives
    (N, C, H, W, 2).
    """
    images = _images(images)
    x, restore = _channels_last_batch(images, data_format)
    channels = x.shape[-1]
    dtype = str(images.dtype) if str(images.dtype).startswith("float") else "float32"
    derivative, smooth = numpy.array([-1.0, 0.0, 1.0]), numpy.array([1.0, 2.0, 1.0])
    padded = _edge_pad(_edge_pad(x, 1), 2)
    out = []
    for kernel in (numpy.outer(derivative, smooth), numpy.outer(smooth, derivative)):
        kernel = numpy.tile(kernel.astype(dtype)[:, :, None, None], (1, 1, channels, 1))
        out.append(depthwise_conv(padded, kernel, padding="valid"))
    return restore(stack(out, axis=-1), extra_axes=1)
