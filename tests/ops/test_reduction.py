"""Reductions: forward values against NumPy and float64 gradient checks over axis/keepdims variants."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.op_checks import check_op

np = numpy


def _logsumexp(x, axis=None, keepdims=False):
    shift = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else np.squeeze(out, axis=axis)


REDUCTIONS = [
    ("sum", ops.sum, np.sum), ("mean", ops.mean, np.mean), ("max", ops.max, np.max),
    ("min", ops.min, np.min), ("amax", ops.amax, np.amax), ("amin", ops.amin, np.amin),
    ("logsumexp", ops.logsumexp, _logsumexp), ("var", ops.var, np.var), ("std", ops.std, np.std),
    ("prod", ops.prod, np.prod),
]
AXES = [(None, False), (None, True), (0, False), (1, True), (-1, False), (-2, True), ((0, 2), False),
        ([0, -1], True), ((), False)]


@pytest.mark.parametrize("axis,keepdims", AXES, ids=[f"axis={a},keepdims={k}" for a, k in AXES])
@pytest.mark.parametrize("name,op,reference", REDUCTIONS, ids=[case[0] for case in REDUCTIONS])
def test_reduction(name, op, reference, axis, keepdims):
    if axis == () and name in ("std",):
        pytest.skip("std over no axis is sqrt(0): not differentiable")
    numpy_axis = tuple(axis) if isinstance(axis, list) else axis
    check_op(lambda x: op(x, axis=axis, keepdims=keepdims),
             lambda x: reference(x, axis=numpy_axis, keepdims=keepdims), (2, 3, 4), low=0.5, high=2.0)


def test_reduction_of_scalar_and_vector():
    check_op(ops.sum, np.sum, ())
    check_op(lambda x: ops.mean(x, axis=0), lambda x: np.mean(x, axis=0), (5,))
    check_op(lambda x: ops.max(x, axis=-1), lambda x: np.max(x, axis=-1), (5,))


@pytest.mark.parametrize("op", [ops.max, ops.min])
def test_extreme_ties_share_the_gradient(op):
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]) * (1 if op is ops.max else -1))
    with GradientTape() as tape:
        tape.watch(x)
        y = op(x, axis=1)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_prod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    check_op(lambda t: ops.prod(t, axis=1), lambda t: np.prod(t, axis=1), x)
    check_op(ops.prod, np.prod, np.array([2.0, 0.0, 3.0]))


def test_logsumexp_is_stable_for_large_inputs():
    x = np.array([1000.0, 1000.0, -1000.0])
    np.testing.assert_allclose(ops.logsumexp(x).numpy(), 1000.0 + np.log(2.0))
    check_op(ops.logsumexp, None, x)


def test_mean_of_float32_stays_float32():
    x = Tensor(np.ones((4, 3), np.float32))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.mean(x)
    grad = tape.gradient(y, x)
    assert y.dtype == "float32" and grad.dtype == "float32"
    np.testing.assert_allclose(grad.numpy(), np.full((4, 3), 1 / 12))
