"""Elementwise ops: forward values against NumPy (float32 and float64) and float64 gradient checks."""
import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.op_checks import check_forward, check_grad, check_op, uniform

np = numpy

# (id, op, NumPy reference, input specs (shapes or arrays), options for check_op)
BINARY = [
    ("add", ops.add, np.add, [(3, 4), (3, 4)], {}),
    ("add_broadcast_row", ops.add, np.add, [(3, 4), (4,)], {}),
    ("add_broadcast_outer", ops.add, np.add, [(3, 1), (1, 4)], {}),
    ("add_scalar_array", ops.add, np.add, [(2, 3), ()], {}),
    ("subtract", ops.subtract, np.subtract, [(3, 4), (4,)], {}),
    ("subtract_leading", ops.subtract, np.subtract, [(2,), (5, 3, 2)], {}),
    ("multiply", ops.multiply, np.multiply, [(3, 4), (3, 4)], {}),
    ("multiply_outer", ops.multiply, np.multiply, [(3, 1), (1, 4)], {}),
    ("multiply_3d", ops.multiply, np.multiply, [(2, 1, 4), (3, 1)], {}),
    ("divide", ops.divide, np.divide, [(3, 4), (4,)], {"low": 0.5, "high": 2.0}),
    ("true_divide", ops.true_divide, np.true_divide, [(2, 3), (2, 1)], {"low": 0.5, "high": 2.0}),
    ("power", ops.power, np.power, [(3, 4), (3, 4)], {"low": 0.5, "high": 2.0}),
    ("power_broadcast", ops.power, np.power, [(3, 4), (4,)], {"low": 0.5, "high": 2.0}),
    ("maximum", ops.maximum, np.maximum, [(3, 4), (3, 4)], {}),
    ("maximum_broadcast", ops.maximum, np.maximum, [(3, 4), (4,)], {}),
    ("minimum", ops.minimum, np.minimum, [(3, 4), (3, 1)], {}),
]

UNARY = [
    ("negative", ops.negative, np.negative, {}),
    ("square", ops.square, np.square, {}),
    ("sqrt", ops.sqrt, np.sqrt, {"low": 0.2, "high": 3.0}),
    ("exp", ops.exp, np.exp, {}),
    ("log", ops.log, np.log, {"low": 0.2, "high": 3.0}),
    ("abs", ops.abs, np.abs, {}),
    ("absolute", ops.absolute, np.absolute, {}),
    ("clip", lambda x: ops.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), {}),
    ("square_via_pow", lambda x: x ** 2, np.square, {}),
    ("integer_power_negative_base", lambda x: ops.power(x, 3.0), lambda x: x ** 3.0, {"low": -2.0, "high": -0.2}),
    ("even_power_negative_base", lambda x: ops.power(x, ops.cast(np.array([2.0, 4.0, -2.0]), x.dtype)),
     lambda x: x ** np.array([2.0, 4.0, -2.0]), {"low": -2.0, "high": -0.3}),
]


@pytest.mark.parametrize("name,op,reference,specs,options", BINARY, ids=[case[0] for case in BINARY])
def test_binary_ops(name, op, reference, specs, options):
    check_op(op, reference, *specs, **options)


@pytest.mark.parametrize("name,op,reference,options", UNARY, ids=[case[0] for case in UNARY])
def test_unary_ops(name, op, reference, options):
    shape = (3,) if name == "even_power_negative_base" else (3, 4)
    check_op(op, reference, shape, **options)


def test_sign_forward_and_zero_gradient():
    x = np.array([-2.0, 0.0, 3.0])
    check_forward(ops.sign, np.sign, x)
    grads = check_grad(ops.sign, np.array([-2.0, 0.5, 3.0]))
    np.testing.assert_array_equal(grads[0], 0.0)


def test_maximum_tie_sends_gradient_to_first_argument():
    a, b = Tensor(np.array([1.0, 2.0, 3.0])), Tensor(np.array([1.0, 5.0, 0.0]))
    with GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        high = ops.maximum(a, b)
        low = ops.minimum(a, b)
    np.testing.assert_array_equal(tape.gradient(high, a).numpy(), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(high, b).numpy(), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(low, a).numpy(), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(low, b).numpy(), [0.0, 0.0, 1.0])


def test_maximum_with_python_number_is_relu():
    x = np.array([-1.0, 0.5, 2.0])
    check_op(lambda t: ops.maximum(t, 0.0), lambda t: np.maximum(t, 0.0), x)


def test_clip_gradient_is_one_inside_and_at_bounds_zero_outside():
    x = Tensor(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.clip(x, -1.0, 1.0)
    np.testing.assert_array_equal(y.numpy(), [-1.0, -1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_keeps_float32_and_accepts_tensor_bounds():
    x = Tensor(np.array([-3.0, 0.25, 3.0], np.float32))
    out = ops.clip(x, ops.convert_to_tensor(-1.0), np.float64(1.0))
    assert out.dtype == "float32"
    np.testing.assert_array_equal(out.numpy(), [-1.0, 0.25, 1.0])


def test_power_gradient_wrt_exponent():
    check_op(ops.power, np.power, (3, 4), (3, 4), low=0.5, high=2.0, wrt=[1])


def test_power_with_negative_base_has_zero_exponent_gradient():
    a, b = Tensor(np.array([-2.0, 3.0])), Tensor(np.array([2.0, 2.0]))
    with GradientTape() as tape:
        tape.watch([a, b])
        y = ops.power(a, b)
    grad_a, grad_b = tape.gradient(y, [a, b])
    np.testing.assert_allclose(grad_a.numpy(), [-4.0, 6.0])
    np.testing.assert_allclose(grad_b.numpy(), [0.0, 9.0 * np.log(3.0)])


WHERE = [
    ("same_shape", [(3, 4), (3, 4)], (3, 4)),
    ("broadcast_branches", [(3, 1), (4,)], (3, 4)),
    ("scalar_branch", [(3, 4), ()], (3, 4)),
]


@pytest.mark.parametrize("name,branch_shapes,condition_shape", WHERE, ids=[case[0] for case in WHERE])
def test_where(name, branch_shapes, condition_shape):
    condition = uniform(*condition_shape, seed=7) > 0
    check_op(lambda c, a, b: ops.where(c, a, b), np.where, condition, *branch_shapes)


def test_where_with_python_number_keeps_dtype():
    x = Tensor(np.array([-1.0, 2.0], np.float32))
    out = ops.where(ops.greater(x, 0), x, 0.0)
    assert out.dtype == "float32"
    np.testing.assert_array_equal(out.numpy(), [0.0, 2.0])


def test_where_with_one_branch_is_refused():
    with pytest.raises(ValueError, match="both"):
        ops.where(np.array([True]), np.array([1.0]))


def test_where_single_argument_gives_indices():
    out = ops.where(np.array([[True, False], [False, True]]))
    np.testing.assert_array_equal(out.numpy(), [[0, 1], [0, 1]])


def test_cast_float32_to_float64_and_back():
    x = Tensor(np.array([1.5, -2.25], np.float32))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "float64")
        loss = ops.sum(ops.multiply(y, 3.0))
    assert y.dtype == "float64"
    grad = tape.gradient(loss, x)
    assert grad.dtype == "float32"
    np.testing.assert_array_equal(grad.numpy(), [3.0, 3.0])


def test_cast_to_integer_cuts_the_gradient():
    x = Tensor(np.array([1.5, -2.25]))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "int32")
        loss = ops.sum(ops.cast(y, "float64"))
    assert y.dtype == "int32"
    assert tape.gradient(loss, x) is None


def test_stop_gradient_blocks_flow():
    x = Tensor(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.add(ops.multiply(x, x), ops.stop_gradient(ops.multiply(x, 10.0)))
    np.testing.assert_array_equal(y.numpy(), [11.0, 24.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])


NON_DIFFERENTIABLE = [
    ("equal", ops.equal, np.equal), ("not_equal", ops.not_equal, np.not_equal),
    ("greater", ops.greater, np.greater), ("greater_equal", ops.greater_equal, np.greater_equal),
    ("less", ops.less, np.less), ("less_equal", ops.less_equal, np.less_equal),
]


@pytest.mark.parametrize("name,op,reference", NON_DIFFERENTIABLE, ids=[case[0] for case in NON_DIFFERENTIABLE])
def test_comparisons(name, op, reference):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    check_forward(op, reference, a, b)


@pytest.mark.parametrize("op,reference", [
    (ops.round, np.round), (ops.floor, np.floor), (ops.ceil, np.ceil), (ops.isnan, np.isnan),
    (ops.isfinite, np.isfinite), (ops.logical_not, np.logical_not)])
def test_unary_non_differentiable(op, reference):
    check_forward(op, reference, np.array([-1.5, -0.2, 0.0, 0.6, 2.5, np.inf, np.nan]))


def test_logical_and_or():
    a, b = np.array([True, True, False]), np.array([True, False, False])
    np.testing.assert_array_equal(ops.logical_and(a, b).numpy(), [True, False, False])
    np.testing.assert_array_equal(ops.logical_or(a, b).numpy(), [True, True, False])


# ---- Tensor operators and NumPy interop ----------------------------------------------------

def test_tensor_operators_match_numpy_and_differentiate():
    a, w = uniform(3, 4, seed=1), uniform(4, 2, seed=2)
    check_op(lambda x: x + 1, lambda x: x + 1, a)
    check_op(lambda x: 1 - x, lambda x: 1 - x, a)
    check_op(lambda x: 2.0 / (x * x + 1), lambda x: 2.0 / (x * x + 1), a)
    check_op(lambda x: -x, np.negative, a)
    check_op(lambda x: +x, lambda x: x, a)
    check_op(lambda x: abs(x), np.abs, a)
    check_op(lambda x: x ** 2, np.square, a)
    check_op(lambda x: 2 ** x, lambda x: 2 ** x, a)
    check_op(lambda x, y: x @ y, np.matmul, a, w)
    check_op(lambda x: x[0], lambda x: x[0], a)
    check_op(lambda x: x.T, lambda x: x.T, a)
    check_op(lambda x: x.reshape(2, 6), lambda x: x.reshape(2, 6), a)


def test_numpy_array_on_the_left_gives_a_tensor():
    t = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    a = np.array([[2.0, 0.0], [0.0, 2.0]], np.float32)
    for result, expected in [(a * t, a * t.numpy()), (a + t, a + t.numpy()), (a - t, a - t.numpy()),
                             (a / t, a / t.numpy()), (a @ t, a @ t.numpy()), (a ** t, a ** t.numpy()),
                             (np.float32(3) * t, 3 * t.numpy())]:
        assert isinstance(result, Tensor)
        assert result.dtype == "float32"
        np.testing.assert_allclose(result.numpy(), expected)


def test_numpy_array_on_the_left_is_recorded():
    x = Tensor(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = np.array([3.0, 4.0]) * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 4.0])


def test_numpy_conversion():
    t = Tensor(np.array([1.0, 2.0], np.float32))
    assert isinstance(np.asarray(t), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0])
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert isinstance(np.exp(t), np.ndarray)  # ufuncs convert, as for tf / torch tensors
    assert float(ops.sum(t)) == 3.0
    assert len(t) == 2 and [float(v) for v in t] == [1.0, 2.0]


def test_variable_numpy_is_a_snapshot():
    v = neuroflow.Variable(np.array([1.0, 2.0]))
    before = v.numpy()
    as_array = np.asarray(v)
    v.assign_add(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(before, [1.0, 2.0])
    np.testing.assert_array_equal(as_array, [1.0, 2.0])


def test_python_scalars_keep_float32():
    t = Tensor(np.array([1.0, 2.0], np.float32))
    for result in (t + 1, 1 - t, t * 2.5, 2.0 / t, t ** 2, 2 ** t, ops.maximum(t, 0)):
        assert result.dtype == "float32"


def test_argmax_argmin():
    x = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]])
    np.testing.assert_array_equal(ops.argmax(x, axis=1).numpy(), [1, 0])  # first of ties
    np.testing.assert_array_equal(ops.argmin(x, axis=-1).numpy(), [0, 1])
    assert int(ops.argmax(x)) == 3
    assert ops.argmax(x, axis=0, keepdims=True).shape == (1, 3)


def test_conversion_helpers():
    t = ops.convert_to_tensor([1.0, 2.0])
    assert ops.is_tensor(t) and not ops.is_tensor(np.ones(2))
    assert t.dtype == "float32"  # Python floats take floatx
    assert ops.convert_to_tensor(np.ones(2)).dtype == "float64"  # NumPy float64 stays
    assert ops.convert_to_tensor(t) is t
    assert ops.convert_to_tensor(t, dtype="float64").dtype == "float64"
    out = ops.convert_to_numpy(t)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [1.0, 2.0])


def test_clip_matches_numpy_with_nan_one_sided_bounds_and_integers():
    values = np.array([-3.0, np.nan, 0.5, 7.0], np.float32)
    np.testing.assert_array_equal(ops.clip(Tensor(values), -1.0, 1.0).numpy(), np.clip(values, -1.0, 1.0))
    np.testing.assert_array_equal(ops.clip(Tensor(values), None, 1.0).numpy(), np.clip(values, None, 1.0))
    np.testing.assert_array_equal(ops.clip(Tensor(values), 0.0, None).numpy(), np.clip(values, 0.0, None))
    integers = np.array([-5, 0, 5])
    out = ops.clip(Tensor(integers), -2, 3)
    assert out.dtype == integers.dtype and out.numpy().tolist() == [-2, 0, 3]


def test_cast_takes_python_numbers_and_dtype_objects():
    # keras.ops.cast(3, "float32") is a float32 scalar tensor; numpy dtypes and types name the same dtype.
    assert ops.cast(3, "float32").dtype == "float32" and float(ops.cast(3, "float32")) == 3.0
    assert ops.cast(True, "int32").numpy().tolist() == 1
    x = Tensor(np.array([1.5, -2.5], np.float32))
    for dtype in ("float64", np.float64, np.dtype("float64")):
        assert ops.cast(x, dtype).dtype == "float64"
