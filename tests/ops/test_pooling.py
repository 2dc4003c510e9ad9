"""Pooling and upsampling ops against direct loop definitions, with gradient checks."""
import math

import numpy
import pytest

from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import pooling as P
from neuroflow.testing import check_gradients


def naive_pool2d(x, pool, strides, padding, kind):
    """Each output cell from its window of real (unpadded) input elements."""
    n, h, w, c = x.shape
    pads, outs = [], []
    for size, k, s in ((h, pool[0], strides[0]), (w, pool[1], strides[1])):
        if padding == "valid":
            pads.append(0)
            outs.append((size - k) // s + 1)
        else:
            out = math.ceil(size / s)
            pads.append(max((out - 1) * s + k - size, 0) // 2)
            outs.append(out)
    result = numpy.zeros((n, outs[0], outs[1], c))
    for y in range(outs[0]):
        for xx in range(outs[1]):
            y0, x0 = y * strides[0] - pads[0], xx * strides[1] - pads[1]
            window = x[:, max(y0, 0):min(y0 + pool[0], h), max(x0, 0):min(x0 + pool[1], w), :]
            result[:, y, xx] = window.max(axis=(1, 2)) if kind == "max" else window.mean(axis=(1, 2))
    return result


CASES = [((2, 4, 4, 3), (2, 2), None, "valid"), ((1, 5, 5, 2), (2, 2), None, "valid"),
         ((1, 5, 6, 2), (3, 3), (2, 2), "same"), ((2, 5, 5, 1), (2, 3), (1, 2), "same"),
         ((1, 6, 6, 2), (3, 3), (1, 1), "valid")]


@pytest.mark.parametrize("shape, pool, strides, padding", CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d_matches_direct_windows_and_gradients(shape, pool, strides, padding, kind):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=shape)  # continuous values: no ties, so max is differentiable here
    function = P.max_pool2d if kind == "max" else P.avg_pool2d
    got = function(x, pool, strides, padding).numpy()
    numpy.testing.assert_allclose(got, naive_pool2d(x, pool, strides or pool, padding, kind), atol=1e-12)
    check_gradients(lambda a: function(a, pool, strides, padding), x)


def test_max_pool_gradient_goes_to_the_first_maximum_on_ties():
    x = Tensor(numpy.array([[[[1.0], [3.0]], [[3.0], [2.0]]]]))  # two maxima in one 2x2 window
    with GradientTape() as tape:
        tape.watch(x)
        out = P.max_pool2d(x, 2)
    grad = tape.gradient(out, x).numpy()[0, :, :, 0]
    numpy.testing.assert_array_equal(grad, [[0.0, 1.0], [0.0, 0.0]])


def test_overlapping_max_pool_accumulates_gradient():
    # 3x3 windows with stride 1: the centre maximum wins all four windows.
    x = numpy.zeros((1, 4, 4, 1))
    x[0, 1, 1, 0] = 5.0
    x = Tensor(x)
    with GradientTape() as tape:
        tape.watch(x)
        out = P.max_pool2d(x, 3, 1)
    grad = tape.gradient(out, x).numpy()[0, :, :, 0]
    assert grad[1, 1] == 4.0
    assert grad.sum() == 4.0


def test_same_average_divides_by_real_elements():
    x = numpy.ones((1, 3, 3, 1))
    x[0, 2, 2, 0] = 4.0
    out = P.avg_pool2d(x, 2, 2, "same").numpy()[0, :, :, 0]
    # windows: rows {0,1}x{0,1} -> 1; {0,1}x{2} -> 1; {2}x{0,1} -> 1; {2}x{2} -> 4 (one real element).
    numpy.testing.assert_allclose(out, [[1.0, 1.0], [1.0, 4.0]])


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool1d_and_channels_first(kind):
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(2, 7, 3))
    function = P.max_pool1d if kind == "max" else P.avg_pool1d
    got = function(x, 3, 2, "same").numpy()
    expected = naive_pool2d(x[:, None], (1, 3), (1, 2), "same", kind)[:, 0]
    numpy.testing.assert_allclose(got, expected, atol=1e-12)
    check_gradients(lambda a: function(a, 2, None, "valid"), x)
    generic = P.max_pool if kind == "max" else P.average_pool
    first = generic(x.transpose(0, 2, 1), 3, 2, "same", data_format="channels_first").numpy()
    numpy.testing.assert_allclose(first, expected.transpose(0, 2, 1), atol=1e-12)


def test_float32_stays_float32():
    x = Tensor(numpy.random.default_rng(2).normal(size=(2, 6, 6, 3)).astype("float32"))
    with GradientTape() as tape:
        tape.watch(x)
        out = P.avg_pool2d(P.max_pool2d(x, 2), 2, padding="same")
    assert out.dtype == "float32" and tape.gradient(out, x).dtype == "float32"


def test_upsampling2d_nearest():
    x = numpy.arange(4.0).reshape(1, 2, 2, 1)
    out = P.upsampling2d(x, (2, 3)).numpy()[0, :, :, 0]
    numpy.testing.assert_array_equal(out, [[0, 0, 0, 1, 1, 1]] * 2 + [[2, 2, 2, 3, 3, 3]] * 2)
    check_gradients(lambda a: P.upsampling2d(a, (2, 3)), numpy.random.default_rng(3).normal(size=(2, 2, 3, 2)))


def test_bad_pooling_arguments():
    with pytest.raises(ValueError, match="pool_size"):
        P.max_pool2d(numpy.zeros((1, 4, 4, 1)), 0)
    with pytest.raises(ValueError, match="larger than the input"):
        P.max_pool2d(numpy.zeros((1, 2, 2, 1)), 3)
    with pytest.raises(ValueError, match="padding"):
        P.avg_pool2d(numpy.zeros((1, 4, 4, 1)), 2, padding="full")
