"""Window geometry of convolution and pooling: argument tuples, padding, output lengths, tap windows.

A window of `kernel_size` taps `dilation` apart spans k_eff = (k - 1) * d + 1 input cells and moves
`stride` cells per output. Padding follows TensorFlow / Keras:

    'valid'   no padding:                        out = floor((n - k_eff) / s) + 1
    'same'    pad_total = max((ceil(n / s) - 1) * s + k_eff - n, 0), the extra one after:
                                                 out = ceil(n / s)
    'causal'  (1-D convolution) all k_eff - 1 before, so step t never sees t + 1: out = ceil(n / s)

A transposed convolution runs this backwards (`deconv_output_length`, `transpose_pads`).
Layouts are channels_last: the spatial axes are 1 and 2 of an NHWC array.
"""
from neuroflow import backend
from neuroflow.utils.errors import unknown_name_error

PADDINGS = ("valid", "same")


def normalize_tuple(value, rank, name, minimum=1):
    """`value` as a tuple of `rank` ints >= `minimum` (an int is repeated); names `name` on error."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * rank
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"{name} must be an int or a tuple of {rank} ints, got {value!r}") from None
    if len(value) != rank or any(v < minimum for v in value):
        raise ValueError(f"{name} must be an int >= {minimum} or a tuple of {rank} such ints, got {value!r}")
    return value


def check_padding(padding, allowed=PADDINGS):
    padding = str(padding).lower()
    if padding not in allowed:
        raise unknown_name_error("padding", padding, allowed)
    return padding


def effective_size(kernel_size, dilation=1):
    """The input span of a dilated window: k_eff = (k - 1) * d + 1."""
    return (kernel_size - 1) * dilation + 1


def same_padding(size, kernel_size, stride, dilation=1):
    """(before, after) padding of TensorFlow's 'same': output ceil(size / stride), extra pad after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_size(kernel_size, dilation) - size, 0)
    return total // 2, total - total // 2


def output_length(size, kernel_size, stride, dilation, pads):
    """Output length of a convolution over `size` padded by `pads`: floor((n + p - k_eff) / s) + 1."""
    return (size + pads[0] + pads[1] - effective_size(kernel_size, dilation)) // stride + 1


def spatial_pads(spatial, kernel_spatial, strides, dilation, padding):
    """The (before, after) pads of each spatial axis for 'valid', 'same' or 'causal' padding."""
    if padding == "valid":
        return tuple((0, 0) for _ in spatial)
    if padding == "causal":  # conv1d only: everything before, so step t never sees t + 1
        return tuple(((k - 1) * d, 0) for k, d in zip(kernel_spatial, dilation))
    return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel_spatial, strides, dilation))


def output_spatial(spatial, kernel_spatial, strides, dilation, pads):
    """The output length along each spatial axis (`output_length` per axis)."""
    return tuple(output_length(n, k, s, d, p) for n, k, s, d, p in zip(spatial, kernel_spatial, strides, dilation, pads))


def output_shape(input_shape, kernel_size, strides=1, padding="valid", dilation_rate=1):
    """Spatial output shape of conv / pooling over `input_shape` (spatial dims; None stays None).

    Example: `output_shape((28, 28), 3, 2, 'same') == (14, 14)`; 'valid' gives (13, 13).
    """
    rank = len(input_shape)
    kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
    strides = normalize_tuple(strides, rank, "strides")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate")
    result = []
    for n, k, s, d in zip(input_shape, kernel_size, strides, dilation):
        if n is None:
            result.append(None)
        else:
            (pads,) = spatial_pads((n,), (k,), (s,), (d,), padding)
            result.append(max(output_length(n, k, s, d, pads), 0))
    return tuple(result)


def deconv_output_length(size, kernel_size, stride, padding, output_padding=None, dilation=1):
    """Keras' output length of a transposed convolution along one axis."""
    effective = effective_size(kernel_size, dilation)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(effective - stride, 0)
        return size * stride
    pad = effective // 2 if padding == "same" else 0
    return (size - 1) * stride + effective - 2 * pad + output_padding


def transpose_pads(size, out_size, kernel_size, stride, dilation, padding):
    """Pads of the forward convolution that maps `out_size` back to `size` (TF's conv2d_transpose).

    After padding the (transposed) output must hold every tap: padded >= (size - 1) * s + k_eff;
    'same' splits the shortfall TF's way, the extra row after.
    """
    needed = (size - 1) * stride + effective_size(kernel_size, dilation)
    before = max(needed - out_size, 0) // 2 if padding == "same" else 0
    return before, max(needed - out_size - before, 0)


def pad(x, pads, value=0):
    """Pads the two spatial axes of an NHWC array (no copy when there is nothing to pad)."""
    if not any(p for pair in pads for p in pair):
        return x
    return backend.xp.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def tap_slices(i, j, geometry):
    """The strided window of the padded input that kernel tap (i, j) reads for every output pixel."""
    (sh, sw), (dh, dw), (oh, ow) = geometry
    return (slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def crop(x, pads, spatial):
    """The unpadded part of a padded NHWC array (`pads` as `spatial_pads` gives them)."""
    (top, _), (left, _) = pads
    return x[:, top:top + spatial[0], left:left + spatial[1], :]
