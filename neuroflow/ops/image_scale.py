"""keras.ops.image.scale_and_translate: resample images under a scale and a translation of each
spatial axis (JAX's `jax.image.scale_and_translate`, which Keras 3 follows on every backend).

Along one axis of input size m and output size n, output position j (pixel centre j + 0.5) reads
the input at

    s_j = (j + 0.5 - translation) / scale - 0.5

and takes sum_i w(|s_j - i| / k) x_i, the kernel weights w normalized to sum to one over i, with
k = max(1 / scale, 1) when antialiasing (a wider kernel, a low-pass filter, when shrinking) and
k = 1 otherwise; an output whose s_j lies outside [-0.5, m - 0.5] is zero. The weights form an
(m, n) matrix per axis, so the resampling is one tensordot per spatial axis: linear in the
images, differentiable through the products.

Kernels: 'linear' (triangle, max(0, 1 - |x|)), 'cubic' (Keys' cubic, a = -0.5), 'lanczos3' and
'lanczos5' (sinc(x) sinc(x / r) for |x| <= r).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.engine.tensor import Tensor, convert_to_tensor
from neuroflow.ops.elementwise import cast
from neuroflow.ops.products import tensordot
from neuroflow.ops.reorder import moveaxis

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "resampling weight matrices built on the host from the given scale and translation"

METHODS = ("linear", "bilinear", "trilinear", "triangle", "cubic", "bicubic", "tricubic", "lanczos3", "lanczos5")


def _triangle(x):
    return numpy.maximum(0.0, 1.0 - numpy.abs(x))


def _keys_cubic(x):
    # R. G. Keys, "Cubic convolution interpolation for digital image processing" (1981), a = -0.5.
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = numpy.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return numpy.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * numpy.sin(numpy.pi * x) * numpy.sin(numpy.pi * x / radius)
        # Near zero the ratio is 1: the two sines vanish with x^2.
        out = numpy.where(x > 1e-3, y / numpy.where(x != 0, numpy.pi ** 2 * x ** 2, 1.0), 1.0)
        return numpy.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}
_ALIASES = {"bilinear": "linear", "trilinear": "linear", "triangle": "linear", "bicubic": "cubic", "tricubic": "cubic"}


def weight_matrix(input_size, output_size, scale, translation, kernel, antialias, dtype):
    """The (input_size, output_size) resampling weights of one axis (see the module docstring)."""
    inverse = 1.0 / scale
    kernel_scale = max(inverse, 1.0) if antialias else 1.0
    sample = (numpy.arange(output_size, dtype=dtype) + 0.5) * inverse - translation * inverse - 0.5
    distance = numpy.abs(sample[None, :] - numpy.arange(input_size, dtype=dtype)[:, None]) / kernel_scale
    weights = kernel(distance)
    total = weights.sum(axis=0, keepdims=True)
    # A column whose weights nearly cancel (far outside the input) reads nothing.
    weights = numpy.where(numpy.abs(total) > 1000.0 * numpy.finfo(numpy.float32).eps,
                          weights / numpy.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= input_size - 0.5)
    return numpy.where(inside[None, :], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resamples `images` to `output_shape` under a scale and translation per spatial axis.

    Args:
        images: the input array (any rank).
        output_shape: the output's shape, one size per axis of `images`.
        scale: a [K] array, the scale of each of the K `spatial_dims`.
        translation: a [K] array, their translations.
        spatial_dims: the K axes resampled (the others keep their sizes).
        method: 'linear' / 'bilinear' / 'trilinear' / 'triangle', 'cubic' / 'bicubic' / 'tricubic',
            'lanczos3' or 'lanczos5'.
        antialias: widen the kernel when downsampling (no effect when upsampling).

    Returns:
        The resampled images, of `images`' dtype (integers rounded and clipped to the input's range).

    Raises:
        ValueError: for an unknown method, or sizes that do not match the axes.

    Example:
        >>> images = numpy.arange(9, dtype="float32").reshape((3, 3))
        >>> scale = numpy.array([2.0, 2.0], "float32")
        >>> scale_and_translate(images, (5, 5), scale, -(scale / 2.0 - 0.5), (0, 1), "linear")  # rows 0 0.5 1 ...
    """
    if method not in METHODS:
        raise ValueError(f"Invalid value for argument `method`. Expected of one {set(METHODS)}. Received: "
                         f"method={method}")
    kernel = _KERNELS[_ALIASES.get(method, method)]
    images = images if isinstance(images, (Tensor, KerasTensor)) else convert_to_tensor(images)
    scale = numpy.asarray(backend.to_numpy(scale.value if isinstance(scale, Tensor) else scale))
    translation = numpy.asarray(backend.to_numpy(translation.value if isinstance(translation, Tensor) else translation))
    spatial_dims = tuple(spatial_dims)
    ndim = len(images.shape)
    if len(output_shape) != ndim or scale.shape != (len(spatial_dims),) or translation.shape != scale.shape:
        raise ValueError(f"scale_and_translate: `output_shape` needs one size per axis of `images` and `scale` / "
                         f"`translation` one value per spatial dim; received images.shape={tuple(images.shape)}, "
                         f"output_shape={tuple(output_shape)}, scale.shape={scale.shape}, "
                         f"translation.shape={translation.shape}, spatial_dims={spatial_dims}")
    if not spatial_dims:
        return images
    dtype = numpy.result_type(scale.dtype, translation.dtype)
    if not numpy.issubdtype(dtype, numpy.floating):
        dtype = numpy.dtype(backend.floatx())
    input_dtype = str(images.dtype)
    integer = not backend.is_float_dtype(input_dtype)
    output = cast(images, "float32") if integer else images
    compute_dtype = "float32" if integer else input_dtype
    for index, axis in enumerate(spatial_dims):
        axis %= ndim
        weights = weight_matrix(images.shape[axis], output_shape[axis], scale[index].astype(dtype),
                                translation[index].astype(dtype), kernel, antialias, dtype)
        output = moveaxis(tensordot(output, weights.astype(compute_dtype), axes=([axis], [0])), -1, axis)
    if integer:
        values = backend.to_numpy(images.value)
        rounded = numpy.clip(numpy.round(backend.to_numpy(output.value)), values.min(), values.max())
        return Tensor(backend.xp.asarray(rounded.astype(input_dtype)))
    return output
