"""Activations: every kernel's forward against a NumPy reference and its gradient against finite differences."""
import math

import numpy
import pytest

from neuroflow import backend, ops
from neuroflow.engine import GradientTape, Tensor
from neuroflow.ops.activation import ACTIVATION_OPS, KERNELS, _erf
from tests.ops.activation_references import REFERENCES, erf, sigmoid, softmax
from tests.ops.op_checks import check_op

np = numpy
OP_NAMES = sorted(name for name in KERNELS if name != "linear")


def test_every_kernel_has_a_reference_and_an_op():
    assert set(REFERENCES) == set(KERNELS)
    assert set(ACTIVATION_OPS) - {"linear"} == set(OP_NAMES)
    for name in OP_NAMES:
        assert callable(getattr(ops, name)), name


@pytest.mark.parametrize("name", OP_NAMES)
def test_activation(name):
    reference, (low, high) = REFERENCES[name]
    op = getattr(ops, name)
    if name in ("gelu", "threshold"):  # REFERENCES hold the kernel's defaults (gelu: the exact erf form)
        op = ACTIVATION_OPS[name]
    check_op(op, reference, (4, 5), low=low, high=high)


def test_ops_gelu_defaults_to_the_tanh_approximation_like_keras_ops():
    x = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(ops.gelu(x).numpy(), [-0.15880796, 0.0, 0.841192], rtol=1e-6)
    np.testing.assert_allclose(ops.gelu(x, approximate=False).numpy(), [-0.15865525, 0.0, 0.84134475], rtol=1e-7)


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_axis(name, axis):
    reference = REFERENCES[name][0]
    check_op(lambda x: getattr(ops, name)(x, axis=axis), lambda x: reference(x, axis=axis)
             if name == "softmax" else np.log(softmax(x, axis=axis)), (3, 4))


RELU_OPTIONS = [
    {"negative_slope": 0.1},
    {"max_value": 1.5},
    {"threshold": 0.5},
    {"negative_slope": 0.3, "max_value": 2.0, "threshold": -0.5},
]


def _relu_reference(x, negative_slope=0.0, max_value=None, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


@pytest.mark.parametrize("options", RELU_OPTIONS, ids=[str(o) for o in RELU_OPTIONS])
def test_relu_options(options):
    check_op(lambda x: ops.relu(x, **options), lambda x: _relu_reference(x, **options), (4, 5), low=-3, high=3)


def test_leaky_relu_negative_slope():
    check_op(lambda x: ops.leaky_relu(x, negative_slope=0.05), lambda x: np.where(x > 0, x, 0.05 * x), (3, 4))


def test_elu_alpha():
    check_op(lambda x: ops.elu(x, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), (3, 4))


def test_gelu_approximate():
    def reference(x):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    check_op(lambda x: ops.gelu(x, approximate=True), reference, (3, 4), low=-4, high=4)


def test_erf_approximation_is_within_2e_7_of_math_erf():
    x = np.linspace(-6.0, 6.0, 4001)
    assert np.max(np.abs(backend.to_numpy(_erf(backend.xp.asarray(x))) - erf(x))) < 2e-7
    gelu = ops.gelu(x, approximate=False).numpy()
    assert np.max(np.abs(gelu - 0.5 * x * (1 + erf(x / math.sqrt(2))))) < 2e-7


def test_relu_gradient_at_zero_is_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.relu(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 0.0, 1.0])


def test_sigmoid_is_accurate_in_the_tails():
    x = np.array([-40.0, -20.0, -10.0, 0.0, 10.0, 40.0])
    np.testing.assert_allclose(ops.sigmoid(x).numpy(), sigmoid(x), rtol=1e-14)
    np.testing.assert_allclose(ops.sigmoid(x.astype(np.float32)).numpy(), sigmoid(x), rtol=1e-6)


def test_softmax_is_stable_for_large_logits():
    out = ops.softmax(np.array([[1000.0, 1000.0, -1000.0]], np.float32)).numpy()
    np.testing.assert_allclose(out, [[0.5, 0.5, 0.0]])


def test_activations_keep_float32():
    x = Tensor(np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4))
    for name in OP_NAMES:
        with GradientTape() as tape:
            tape.watch(x)
            y = ACTIVATION_OPS[name](x) if name == "threshold" else getattr(ops, name)(x)
        assert y.dtype == "float32", name
        assert tape.gradient(y, x).dtype == "float32", name


@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize("shape", [(1, 1), (32, 10), (3, 4, 7), (6,), (128, 513), (2, 0), (0, 3)])
def test_row_max_is_the_max_reduction_bit_for_bit_nan_included(shape, dtype):
    from neuroflow.ops.activation import _row_max

    x = (numpy.random.default_rng(3).standard_normal(shape) * 30).astype(dtype)
    if x.ndim == 2 and x.size > 4:
        x[1, 2] = numpy.nan  # propagates, as in the max reduction
        x[0, :] = -numpy.inf
    if x.shape[-1] == 0:
        with pytest.raises(ValueError):
            _row_max(numpy, x, -1)
        return
    expected = numpy.maximum.reduce(x, axis=-1, keepdims=True)
    for array in (x, numpy.asfortranarray(x)):
        got = _row_max(numpy, array, -1)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        numpy.testing.assert_array_equal(got, expected)
