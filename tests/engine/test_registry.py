"""The op registry: defining an op (forward + vjp side by side), recording rules, gradcheck itself."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Op, Tensor, Variable, get_op, registered_ops
from neuroflow.testing import check_gradients

np = numpy

cube = Op("test_cube")


@cube.forward
def _(a, scale=1.0):
    return scale * a ** 3, (a, scale)


@cube.vjp
def _(residuals, g, needs):
    a, scale = residuals
    return (3 * scale * a * a * g,)


wrong = Op("test_wrong_vjp")
wrong.forward(lambda a: (a * a, a))
wrong.vjp(lambda a, g, needs: (a * g,))  # should be 2 a g

seen_needs = []
spy = Op("test_spy")
spy.forward(lambda a, b: (a * b, (a, b)))


@spy.vjp
def _(residuals, g, needs):
    seen_needs.append(needs)
    a, b = residuals
    return (g * b if needs[0] else None), (g * a if needs[1] else None)


constant_op = Op("test_no_vjp")
constant_op.forward(lambda a: (a + 1, None))


def test_custom_op_forward_params_and_gradient():
    x = np.array([1.0, -2.0])
    out = cube(x, scale=2.0)
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.numpy(), [2.0, -16.0])
    check_gradients(lambda t: cube(t, scale=2.0), x)


def test_gradcheck_catches_a_wrong_vjp():
    with pytest.raises(AssertionError, match="finite differences"):
        check_gradients(wrong, np.array([1.0, 2.0]))


def test_vjp_is_told_which_inputs_need_gradients():
    seen_needs.clear()
    w = Variable(np.array([2.0]), dtype="float64")
    with GradientTape() as tape:
        y = spy(np.array([3.0]), w)
    assert float(tape.gradient(y, w)[0]) == 3.0
    assert seen_needs == [(False, True)]


def test_op_without_vjp_is_not_recorded():
    assert not constant_op.differentiable and cube.differentiable
    w = Variable(np.array([2.0]), dtype="float64")
    with GradientTape() as tape:
        y = constant_op(w)
    assert tape._records == []
    assert tape.gradient(y, w) is None


def test_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="already registered"):
        Op("test_cube")


def test_registry_lookup():
    assert get_op("test_cube") is cube
    names = registered_ops()
    assert names == sorted(names)
    for name in ["add", "multiply", "matmul", "dense", "sum", "mean", "max", "reshape", "getitem", "take",
                 "take_along_axis", "prod", "softmax_cross_entropy", "sparse_softmax_cross_entropy",
                 "sigmoid_cross_entropy", "relu", "softmax", "where", "clip", "concatenate", "stack"]:
        assert name in names, name


def test_python_numbers_stay_weakly_typed():
    x = Tensor(np.array([1.0, 2.0], np.float32))
    assert cube(x, scale=2.0).dtype == "float32"
    assert ops.multiply(x, 2.0).dtype == "float32"
    assert ops.add(3, x).dtype == "float32"


def test_tape_records_only_ops_touching_watched_tensors():
    w = Variable(np.array([1.0]), dtype="float64")
    with GradientTape() as tape:
        ops.square(np.array([2.0]))        # constant: not recorded
        h = ops.square(w)                  # recorded (trainable variable)
        ops.add(h, 1.0)                    # recorded (h is a recorded output)
    assert [record[0].name for record in tape._records] == ["square", "add"]
