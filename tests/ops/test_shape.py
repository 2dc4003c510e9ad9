"""Shape and indexing ops: forward values against NumPy and float64 gradient checks."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.op_checks import check_op

np = numpy

# (id, op, NumPy reference, input specs)
SHAPE_OPS = [
    ("reshape", lambda x: ops.reshape(x, (4, 6)), lambda x: x.reshape(4, 6), [(2, 3, 4)]),
    ("reshape_minus_one", lambda x: ops.reshape(x, (-1, 4)), lambda x: x.reshape(-1, 4), [(2, 3, 4)]),
    ("reshape_int", lambda x: ops.reshape(x, 24), lambda x: x.reshape(24), [(2, 3, 4)]),
    ("flatten", ops.flatten, lambda x: x.reshape(-1), [(2, 3, 4)]),
    ("transpose", ops.transpose, np.transpose, [(2, 3, 4)]),
    ("transpose_axes", lambda x: ops.transpose(x, (1, 2, 0)), lambda x: np.transpose(x, (1, 2, 0)), [(2, 3, 4)]),
    ("transpose_negative_axes", lambda x: ops.transpose(x, [0, -1, -2]), lambda x: np.transpose(x, (0, 2, 1)), [(2, 3, 4)]),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), [(2, 3)]),
    ("expand_dims_negative", lambda x: ops.expand_dims(x, -1), lambda x: np.expand_dims(x, -1), [(2, 3)]),
    ("squeeze", ops.squeeze, np.squeeze, [(2, 1, 3, 1)]),
    ("squeeze_axis", lambda x: ops.squeeze(x, axis=-1), lambda x: np.squeeze(x, axis=-1), [(2, 1, 3, 1)]),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    ("broadcast_to_new_axes", lambda x: ops.broadcast_to(x, (5, 4)), lambda x: np.broadcast_to(x, (5, 4)), [(4,)]),
    ("concatenate", lambda a, b: ops.concatenate([a, b]), lambda a, b: np.concatenate([a, b]), [(2, 3), (4, 3)]),
    ("concatenate_axis1", lambda a, b, c: ops.concatenate([a, b, c], axis=1),
     lambda a, b, c: np.concatenate([a, b, c], axis=1), [(2, 1), (2, 3), (2, 2)]),
    ("concatenate_negative_axis", lambda a, b: ops.concatenate([a, b], axis=-1),
     lambda a, b: np.concatenate([a, b], axis=-1), [(2, 3, 1), (2, 3, 2)]),
    ("stack", lambda a, b: ops.stack([a, b]), lambda a, b: np.stack([a, b]), [(2, 3), (2, 3)]),
    ("stack_axis1", lambda a, b, c: ops.stack([a, b, c], axis=1), lambda a, b, c: np.stack([a, b, c], axis=1),
     [(2, 3), (2, 3), (2, 3)]),
    ("stack_negative_axis", lambda a, b: ops.stack((a, b), axis=-1), lambda a, b: np.stack([a, b], axis=-1),
     [(2, 3), (2, 3)]),
    ("pad", lambda x: ops.pad(x, ((1, 0), (2, 1))), lambda x: np.pad(x, ((1, 0), (2, 1))), [(2, 3)]),
    ("pad_constant", lambda x: ops.pad(x, [(0, 1), (1, 1)], constant_values=5.0),
     lambda x: np.pad(x, ((0, 1), (1, 1)), constant_values=5.0), [(2, 3)]),
    ("pad_one_pair_for_all_axes", lambda x: ops.pad(x, [(1, 2)]), lambda x: np.pad(x, [(1, 2)]), [(2, 3)]),
    ("tile", lambda x: ops.tile(x, (2, 3)), lambda x: np.tile(x, (2, 3)), [(2, 3)]),
    ("tile_int", lambda x: ops.tile(x, 2), lambda x: np.tile(x, 2), [(2, 3)]),
    ("tile_more_repeats", lambda x: ops.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2)), [(2, 3)]),
    ("tile_fewer_repeats", lambda x: ops.tile(x, (3,)), lambda x: np.tile(x, (3,)), [(2, 2, 3)]),
]


@pytest.mark.parametrize("name,op,reference,specs", SHAPE_OPS, ids=[case[0] for case in SHAPE_OPS])
def test_shape_ops(name, op, reference, specs):
    check_op(op, reference, *specs)


INDEXES = [
    ("integer", 1),
    ("negative_integer", -1),
    ("slice", slice(1, 3)),
    ("step_slice", (slice(None), slice(None, None, 2))),
    ("negative_step", (slice(None, None, -1), 0)),
    ("ellipsis", (Ellipsis, 1)),
    ("new_axis", (None, 0)),
    ("fancy_repeats", [0, 2, 0, 0]),
    ("fancy_2d", (np.array([[0, 1], [2, 2]]),)),
    ("fancy_pair_with_repeats", (np.array([0, 0, 3]), np.array([1, 1, 2]))),
    ("fancy_and_slice", (slice(1, None), [2, 2, 0])),
    ("boolean_mask", (np.array([True, False, True, True]),)),
    ("array_of_integers", (np.array([3, 3, 1]),)),
    ("numpy_integer", np.int64(2)),
]


@pytest.mark.parametrize("name,index", INDEXES, ids=[case[0] for case in INDEXES])
def test_getitem(name, index):
    check_op(lambda x: x[index], lambda x: x[index], (4, 3))
    check_op(lambda x: ops.getitem(x, index), lambda x: x[index], (4, 3))


def test_getitem_with_tensor_index_and_repeats_accumulates():
    x = Tensor(np.arange(4.0))
    index = ops.convert_to_tensor(np.array([1, 1, 1, 3]))
    with GradientTape() as tape:
        tape.watch(x)
        y = x[index]
    np.testing.assert_array_equal(y.numpy(), [1.0, 1.0, 1.0, 3.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 3.0, 0.0, 1.0])


TAKES = [
    ("flat", np.array([5, 0, 5, 11]), None),
    ("axis0_repeats", np.array([2, 0, 2]), 0),
    ("axis1", np.array([1, 1, 0]), 1),
    ("axis_negative", np.array([[3, 0], [1, 3]]), -1),
    ("axis1_2d_indices", np.array([[0, 2], [2, 2]]), 1),
    ("scalar_index", np.array(1), 1),
    ("negative_indices", np.array([-1, 0, -1]), 0),
]


@pytest.mark.parametrize("name,indices,axis", TAKES, ids=[case[0] for case in TAKES])
def test_take(name, indices, axis):
    check_op(lambda x, i: ops.take(x, i, axis=axis), lambda x, i: np.take(x, i, axis=axis), (3, 4), indices)
    check_op(lambda x, i: ops.gather(x, i, axis=axis), lambda x, i: np.take(x, i, axis=axis), (3, 4), indices)


def test_take_3d_middle_axis():
    indices = np.array([[0, 2, 2]])
    check_op(lambda x, i: ops.take(x, i, axis=1), lambda x, i: np.take(x, i, axis=1), (2, 3, 2), indices)


TAKE_ALONG = [
    ("axis1", np.array([[0, 0], [2, 1]]), 1),
    ("axis0", np.array([[1, 0, 1]]), 0),
    ("axis_negative_repeats", np.array([[2, 2, 2], [0, 1, 0]]), -1),
    ("axis_none", np.array([5, 0, 5]), None),
    ("broadcast_indices", np.array([[1], [1]]), 0),
]


@pytest.mark.parametrize("name,indices,axis", TAKE_ALONG, ids=[case[0] for case in TAKE_ALONG])
def test_take_along_axis(name, indices, axis):
    check_op(lambda x, i: ops.take_along_axis(x, i, axis=axis),
             lambda x, i: np.take_along_axis(x, i, axis=axis), (2, 3), indices)


def test_one_hot():
    indices = np.array([0, 2, -1, 3])
    expected = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], np.float32)
    out = ops.one_hot(indices, 3)
    assert out.dtype == "float32"
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(ops.one_hot(indices, 3, axis=0).numpy(), expected.T)
    assert ops.one_hot(np.array([1]), 2, dtype="float64").dtype == "float64"


def test_concatenate_gradient_slices_are_exact():
    a, b = Tensor(np.ones((2, 2))), Tensor(np.ones((2, 3)))
    weights = np.arange(10.0).reshape(2, 5)
    with GradientTape() as tape:
        tape.watch([a, b])
        y = ops.multiply(ops.concatenate([a, b], axis=1), weights)
    grad_a, grad_b = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(grad_a.numpy(), weights[:, :2])
    np.testing.assert_array_equal(grad_b.numpy(), weights[:, 2:])


def test_concatenate_with_unwatched_input():
    check_op(lambda a: ops.concatenate([a, np.zeros((2, 1), a.dtype)], axis=1),
             lambda a: np.concatenate([a, np.zeros((2, 1))], axis=1), (2, 3))


def test_reshape_method_and_shapes():
    x = Tensor(np.zeros((2, 6), np.float32))
    assert x.reshape(3, 4).shape == (3, 4)
    assert x.reshape((4, 3)).shape == (4, 3)
    assert ops.shape(x) == (2, 6) and ops.dtype(x) == "float32"
    assert x.astype("float64").dtype == "float64"
