"""conv ops: forward against a direct loop implementation, gradients against finite differences."""
import math

import numpy
import pytest

from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import convolution as C
from neuroflow.testing import check_gradients


def _rng(seed=0):
    return numpy.random.default_rng(seed)


def _pads_naive(n, k, s, d, padding):
    k_eff = (k - 1) * d + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return k_eff - 1, 0
    out = math.ceil(n / s)
    total = max((out - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def naive_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1):
    """Direct definition: every output pixel, channel and tap spelled out."""
    n, h, w, cin = x.shape
    kh, kw, cg, cout = kernel.shape
    (pt, pb), (pl, pr) = (_pads_naive(h, kh, strides[0], dilation[0], padding),
                          _pads_naive(w, kw, strides[1], dilation[1], padding))
    xp = numpy.zeros((n, h + pt + pb, w + pl + pr, cin))
    xp[:, pt:pt + h, pl:pl + w] = x
    oh = (h + pt + pb - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (w + pl + pr - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    og = cout // groups
    out = numpy.zeros((n, oh, ow, cout))
    for b in range(n):
        for y in range(oh):
            for xx in range(ow):
                for o in range(cout):
                    g = o // og
                    total = 0.0
                    for i in range(kh):
                        for j in range(kw):
                            for c in range(cg):
                                total += (xp[b, y * strides[0] + i * dilation[0], xx * strides[1] + j * dilation[1],
                                             g * cg + c] * kernel[i, j, c, o])
                    out[b, y, xx, o] = total
    return out


def naive_conv2d_transpose(x, kernel, strides, padding, output_padding=None, dilation=(1, 1)):
    """Scatter definition: input pixel (y, x) adds x @ kernel[i, j].T at (y*s + i*d - pad_before)."""
    n, h, w, cin = x.shape
    kh, kw, filters, _ = kernel.shape
    sizes, befores = [], []
    for axis, (size, k) in enumerate(((h, kh), (w, kw))):
        s, d = strides[axis], dilation[axis]
        k_eff = (k - 1) * d + 1
        op = None if output_padding is None else output_padding[axis]
        if op is None:
            length = size * s + max(k_eff - s, 0) if padding == "valid" else size * s
        else:
            length = (size - 1) * s + k_eff - 2 * (k_eff // 2 if padding == "same" else 0) + op
        total = max((size - 1) * s + k_eff - length, 0) if padding == "same" else 0
        sizes.append(length)
        befores.append(total // 2)
    out = numpy.zeros((n, sizes[0], sizes[1], filters))
    for b in range(n):
        for y in range(h):
            for xx in range(w):
                for i in range(kh):
                    for j in range(kw):
                        oy = y * strides[0] + i * dilation[0] - befores[0]
                        ox = xx * strides[1] + j * dilation[1] - befores[1]
                        if 0 <= oy < sizes[0] and 0 <= ox < sizes[1]:
                            out[b, oy, ox] += kernel[i, j] @ x[b, y, xx]
    return out


CONV2D_CASES = [
    # (input shape, kernel shape, strides, padding, dilation, groups)
    ((2, 5, 6, 3), (3, 3, 3, 4), (1, 1), "valid", (1, 1), 1),
    ((2, 5, 6, 3), (3, 2, 3, 2), (2, 1), "same", (1, 1), 1),
    ((1, 7, 7, 2), (3, 3, 2, 3), (2, 2), "same", (1, 1), 1),
    ((1, 7, 8, 2), (2, 3, 2, 2), (1, 1), "same", (2, 2), 1),
    ((2, 6, 6, 4), (3, 3, 2, 6), (1, 2), "valid", (1, 1), 2),
    ((1, 6, 5, 4), (2, 2, 1, 4), (1, 1), "same", (1, 1), 4),
    ((1, 4, 4, 1), (4, 4, 1, 2), (3, 3), "same", (1, 1), 1),
]


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, groups", CONV2D_CASES)
def test_conv2d_matches_direct_loops(x_shape, k_shape, strides, padding, dilation, groups):
    rng = _rng()
    x, kernel = rng.normal(size=x_shape), rng.normal(size=k_shape)
    got = C.conv2d(x, kernel, strides, padding, dilation, groups).numpy()
    numpy.testing.assert_allclose(got, naive_conv2d(x, kernel, strides, padding, dilation, groups), atol=1e-10)


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, groups", CONV2D_CASES[1:6])
def test_conv2d_gradients(x_shape, k_shape, strides, padding, dilation, groups):
    rng = _rng(1)
    check_gradients(lambda x, k: C.conv2d(x, k, strides, padding, dilation, groups),
                    rng.normal(size=x_shape), rng.normal(size=k_shape))


@pytest.mark.parametrize("padding, strides, dilation", [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2),
                                                        ("same", 1, 2)])
def test_conv1d_is_conv2d_of_height_one(padding, strides, dilation):
    rng = _rng(2)
    x, kernel = rng.normal(size=(2, 7, 3)), rng.normal(size=(3, 3, 2))
    got = C.conv1d(x, kernel, strides, padding, dilation).numpy()
    if padding == "causal":
        pad = 2 * dilation
        x_padded = numpy.concatenate([numpy.zeros((2, pad, 3)), x], axis=1)
        expected = naive_conv2d(x_padded[:, None], kernel[None], (1, strides), "valid", (1, dilation))[:, 0]
    else:
        expected = naive_conv2d(x[:, None], kernel[None], (1, strides), padding, (1, dilation))[:, 0]
    numpy.testing.assert_allclose(got, expected, atol=1e-10)
    check_gradients(lambda a, k: C.conv1d(a, k, strides, padding, dilation), x, kernel)


def test_conv1d_groups_gradients():
    rng = _rng(3)
    check_gradients(lambda a, k: C.conv1d(a, k, 1, "same", 1, groups=2),
                    rng.normal(size=(2, 5, 4)), rng.normal(size=(3, 2, 4)))


TRANSPOSE_CASES = [
    ((1, 3, 3, 2), (3, 3, 4, 2), (2, 2), "valid", None, (1, 1)),
    ((2, 3, 4, 2), (3, 3, 3, 2), (2, 2), "same", None, (1, 1)),
    ((1, 3, 3, 1), (2, 2, 2, 1), (3, 3), "valid", None, (1, 1)),   # stride > kernel: gaps stay zero
    ((1, 3, 3, 2), (3, 3, 2, 2), (2, 1), "same", (1, 0), (1, 1)),
    ((1, 4, 3, 2), (2, 3, 2, 2), (1, 1), "valid", None, (2, 1)),
    ((1, 3, 3, 1), (4, 4, 2, 1), (2, 2), "same", None, (1, 1)),
]


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, output_padding, dilation", TRANSPOSE_CASES)
def test_conv2d_transpose_matches_scatter_definition(x_shape, k_shape, strides, padding, output_padding, dilation):
    rng = _rng(4)
    x, kernel = rng.normal(size=x_shape), rng.normal(size=k_shape)
    got = C.conv2d_transpose(x, kernel, strides, padding, output_padding, dilation).numpy()
    expected = naive_conv2d_transpose(x, kernel, strides, padding, output_padding, dilation)
    assert got.shape == expected.shape
    numpy.testing.assert_allclose(got, expected, atol=1e-10)
    check_gradients(lambda a, k: C.conv2d_transpose(a, k, strides, padding, output_padding, dilation), x, kernel)


def test_conv_transpose_is_the_adjoint_of_conv():
    # <conv(x, k), y> == <x, conv_transpose(y, k)> when shapes line up ('same', stride 2, even size).
    rng = _rng(5)
    x, kernel, y = rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=(2, 3, 3, 4))
    left = numpy.sum(C.conv2d(x, kernel, 2, "same").numpy() * y)
    right = numpy.sum(x * C.conv2d_transpose(y, kernel.transpose(0, 1, 2, 3), 2, "same").numpy())
    assert abs(left - right) < 1e-9


def test_conv1d_transpose_shape_and_gradients():
    rng = _rng(6)
    x, kernel = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 2, 3))
    out = C.conv_transpose(x, kernel, 2, "valid")
    assert out.shape == (2, 9, 2)
    expected = naive_conv2d_transpose(x[:, None], kernel[None], (1, 2), "valid")[:, 0]
    numpy.testing.assert_allclose(out.numpy(), expected, atol=1e-10)
    check_gradients(lambda a, k: C.conv_transpose(a, k, 2, "same"), x, kernel)


@pytest.mark.parametrize("strides, padding, dilation, multiplier", [(1, "valid", 1, 1), (2, "same", 1, 2),
                                                                    (1, "same", 2, 3)])
def test_depthwise_conv2d(strides, padding, dilation, multiplier):
    rng = _rng(7)
    x, kernel = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=(3, 2, 3, multiplier))
    got = C.depthwise_conv2d(x, kernel, strides, padding, dilation).numpy()
    # Depthwise is the grouped conv with one input channel per group, kernel channel k*m + j.
    grouped_kernel = kernel.reshape(3, 2, 1, 3 * multiplier)
    expected = naive_conv2d(x, grouped_kernel, (strides,) * 2, padding, (dilation,) * 2, groups=3)
    numpy.testing.assert_allclose(got, expected, atol=1e-10)
    check_gradients(lambda a, k: C.depthwise_conv2d(a, k, strides, padding, dilation), x, kernel)


def test_separable_conv_is_depthwise_then_pointwise():
    rng = _rng(8)
    x, depthwise, pointwise = rng.normal(size=(1, 5, 5, 2)), rng.normal(size=(3, 3, 2, 2)), rng.normal(size=(1, 1, 4, 3))
    got = C.separable_conv(x, depthwise, pointwise, 1, "same").numpy()
    expected = naive_conv2d(naive_conv2d(x, depthwise.reshape(3, 3, 1, 4), padding="same", groups=2), pointwise)
    numpy.testing.assert_allclose(got, expected, atol=1e-10)
    check_gradients(lambda a, d, p: C.separable_conv(a, d, p, 1, "same"), x, depthwise, pointwise)


def test_channels_first_transposes_in_and_out():
    rng = _rng(9)
    x, kernel = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(3, 3, 3, 2))
    got = C.conv(x, kernel, padding="same", data_format="channels_first").numpy()
    expected = naive_conv2d(x.transpose(0, 2, 3, 1), kernel, padding="same").transpose(0, 3, 1, 2)
    numpy.testing.assert_allclose(got, expected, atol=1e-10)


def test_float32_stays_float32_forward_and_backward():
    rng = _rng(10)
    x = Tensor(rng.normal(size=(2, 6, 6, 3)).astype("float32"))
    kernel = Tensor(rng.normal(size=(3, 3, 3, 4)).astype("float32"))
    with GradientTape() as tape:
        tape.watch([x, kernel])
        out = C.conv2d(x, kernel, 2, "same")
    grads = tape.gradient(out, [x, kernel])
    assert out.dtype == "float32" and all(g.dtype == "float32" for g in grads)


def test_bad_arguments_name_the_problem():
    x, kernel = numpy.zeros((1, 5, 5, 3)), numpy.zeros((3, 3, 2, 4))
    with pytest.raises(ValueError, match="3 channels"):
        C.conv2d(x, kernel)
    with pytest.raises(ValueError, match="Did you mean 'same'"):
        C.conv2d(x, numpy.zeros((3, 3, 3, 4)), padding="sme")
    with pytest.raises(ValueError, match="strides"):
        C.conv2d(x, numpy.zeros((3, 3, 3, 4)), strides=(1, 0))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        C.conv2d(numpy.zeros((1, 2, 2, 3)), numpy.zeros((3, 3, 3, 4)))


def test_output_shape_helper():
    assert C.output_shape((28, 28), 3) == (26, 26)
    assert C.output_shape((None, 7), 3, 2, "same") == (None, 4)
    assert C.output_shape((10,), 3, 1, "valid", 2) == (6,)
