"""GradientTape: what is watched, what is recorded, and the gradients it returns."""
import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor, Variable, no_grad
from neuroflow.engine.graph import unbroadcast

np = numpy


def _tensor(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype))


def test_watch_and_gradient_of_square():
    x = _tensor([1.0, -2.0, 3.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.square(x))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, -4.0, 6.0])


def test_unwatched_tensor_gets_none_and_nothing_is_recorded():
    x = _tensor([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(ops.square(x))
    assert tape._records == []
    assert tape.gradient(y, x) is None


def test_nothing_is_recorded_outside_a_tape():
    v = Variable(np.ones(3))
    tape = GradientTape()
    ops.sum(ops.multiply(v, 2.0))
    assert tape._records == []


def test_non_persistent_tape_refuses_a_second_gradient_call():
    x = _tensor([1.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.square(x)
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = _tensor([3.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ops.square(x)
        z = ops.multiply(y, x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [6.0])
    np.testing.assert_array_equal(tape.gradient(z, x).numpy(), [27.0])
    np.testing.assert_array_equal(tape.gradient(z, y).numpy(), [3.0])


def test_nested_sources_keep_their_structure():
    a, b, c = _tensor([1.0]), _tensor([2.0]), _tensor([3.0])
    with GradientTape() as tape:
        tape.watch([a, b, c])
        y = ops.add(ops.add(ops.multiply(a, 10.0), ops.multiply(b, 20.0)), ops.multiply(c, 30.0))
    grads = tape.gradient(y, {"first": a, "rest": [b, (c,)]})
    assert set(grads) == {"first", "rest"} and isinstance(grads["rest"], list) and isinstance(grads["rest"][1], tuple)
    assert float(grads["first"][0]) == 10.0
    assert float(grads["rest"][0][0]) == 20.0
    assert float(grads["rest"][1][0][0]) == 30.0


def test_watch_accepts_nested_structures_and_refuses_arrays():
    a, b = _tensor([1.0]), _tensor([2.0])
    with GradientTape() as tape:
        tape.watch({"a": a, "b": [b]})
        y = ops.multiply(a, b)
        with pytest.raises(TypeError, match="convert_to_tensor"):
            tape.watch(np.ones(2))
    grad_a, grad_b = tape.gradient(y, [a, b])
    assert float(grad_a[0]) == 2.0 and float(grad_b[0]) == 1.0


def test_output_gradients_weight_the_target():
    x = _tensor([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.multiply(x, 3.0)
    grad = tape.gradient(y, x, output_gradients=np.array([10.0, -1.0]))
    np.testing.assert_array_equal(grad.numpy(), [30.0, -3.0])


def test_output_gradients_shape_must_match():
    x = _tensor([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.multiply(x, 3.0)
    with pytest.raises(ValueError, match="output_gradients"):
        tape.gradient(y, x, output_gradients=np.ones(3))


def test_list_of_targets_adds_up():
    x = _tensor([2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y1, y2 = ops.square(x), ops.multiply(x, 5.0)
    assert float(tape.gradient([y1, y2], x)[0]) == 9.0


def test_non_scalar_target_is_summed():
    x = _tensor([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.square(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), 2 * x.numpy())


def test_unconnected_gradients_none_and_zero():
    x, unused = _tensor([1.0, 2.0]), _tensor([[5.0, 6.0]])
    with GradientTape(persistent=True) as tape:
        tape.watch([x, unused])
        y = ops.sum(x)
    assert tape.gradient(y, [x, unused])[1] is None
    zero = tape.gradient(y, [x, unused], unconnected_gradients="zero")[1]
    assert zero.shape == (1, 2)
    np.testing.assert_array_equal(zero.numpy(), 0.0)
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="zeros")


def test_trainable_variables_are_watched_automatically_non_trainable_are_not():
    trainable = Variable(np.array([2.0]), dtype="float64")
    frozen = Variable(np.array([3.0]), dtype="float64", trainable=False)
    with GradientTape() as tape:
        y = ops.multiply(trainable, frozen)
    grad_trainable, grad_frozen = tape.gradient(y, [trainable, frozen])
    assert float(grad_trainable[0]) == 3.0
    assert grad_frozen is None
    assert tape.watched_variables() == [trainable]


def test_non_trainable_variable_can_be_watched_explicitly():
    frozen = Variable(np.array([3.0]), dtype="float64", trainable=False)
    with GradientTape() as tape:
        tape.watch(frozen)
        y = ops.square(frozen)
    assert float(tape.gradient(y, frozen)[0]) == 6.0


def test_variable_subclasses_are_watched_too():
    class MyVariable(Variable):
        __slots__ = ()

    v = MyVariable(np.array([4.0]), dtype="float64")
    with GradientTape() as tape:
        y = ops.square(v)
    assert float(tape.gradient(y, v)[0]) == 8.0


def test_watch_accessed_variables_false():
    a = Variable(np.array([2.0]), dtype="float64")
    b = Variable(np.array([5.0]), dtype="float64")
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = ops.multiply(a, b)
    grad_a, grad_b = tape.gradient(y, [a, b])
    assert float(grad_a[0]) == 5.0 and grad_b is None
    assert tape.watched_variables() == [a]


def test_stop_recording():
    x = _tensor([3.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.square(x)
        with tape.stop_recording():
            constant = ops.multiply(x, 100.0)
        z = ops.add(y, constant)
    assert float(tape.gradient(z, x)[0]) == 6.0


def test_no_grad_pauses_every_open_tape():
    x = _tensor([3.0])
    with GradientTape(persistent=True) as outer, GradientTape(persistent=True) as inner:
        outer.watch(x)
        inner.watch(x)
        with no_grad():
            frozen = ops.multiply(x, 100.0)
        y = ops.add(ops.square(x), frozen)
    assert outer._recording is False and inner._recording is False
    assert float(outer.gradient(y, x)[0]) == 6.0
    assert float(inner.gradient(y, x)[0]) == 6.0
    assert neuroflow.no_grad is no_grad


def test_tensor_used_twice_accumulates():
    x = _tensor([3.0, -1.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.add(ops.multiply(x, x), ops.multiply(x, 4.0))  # x^2 + 4x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [10.0, 2.0])


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = _tensor([2.0])
    with GradientTape() as tape:
        tape.watch(x)
        h = ops.square(x)           # 4
        y = ops.multiply(h, h)      # h^2
    grad_h, grad_x = tape.gradient(y, [h, x])
    assert float(grad_h[0]) == 8.0  # 2h
    assert float(grad_x[0]) == 32.0  # 4 x^3


def test_gradient_of_a_source_with_respect_to_itself_is_one():
    x = _tensor([2.0, 3.0])
    with GradientTape() as tape:
        tape.watch(x)
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])


def test_second_derivatives_are_refused_clearly():
    x = _tensor([3.0])
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = ops.multiply(ops.square(x), x)  # x^3
        dy = inner.gradient(y, x)                 # 3 x^2 = 27
        penalty = ops.square(dy)
    assert float(dy[0]) == 27.0
    with pytest.raises(NotImplementedError, match="Second-order"):
        outer.gradient(penalty, x)


def test_outer_tape_still_gives_first_order_gradients_after_an_inner_gradient():
    x = _tensor([3.0])
    with GradientTape(persistent=True) as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = ops.square(x)
        inner.gradient(y, x)
    assert float(outer.gradient(y, x)[0]) == 6.0


@pytest.mark.parametrize("input_shape,other_shape", [((4,), (3, 4)), ((3, 1), (1, 4)), ((1,), (2, 3)),
                                                     ((), (2, 3)), ((2, 1, 4), (3, 1))])
def test_broadcasting_gradients_are_summed_to_the_input_shape(input_shape, other_shape):
    a = Tensor(np.ones(input_shape))
    b = Tensor(np.arange(float(np.prod(other_shape))).reshape(other_shape))
    with GradientTape() as tape:
        tape.watch([a, b])
        y = ops.multiply(a, b)
    grad_a, grad_b = tape.gradient(y, [a, b])
    assert grad_a.shape == input_shape and grad_b.shape == other_shape
    expected = np.broadcast_to(b.numpy(), y.shape)
    expected = expected.sum(axis=tuple(range(y.ndim - len(input_shape)))) if y.ndim > len(input_shape) else expected
    axes = tuple(i for i, size in enumerate(input_shape) if size == 1)
    np.testing.assert_allclose(grad_a.numpy(), expected.sum(axis=axes, keepdims=True).reshape(input_shape))


UNBROADCAST = [
    ((3, 4), (4,), [12.0, 15.0, 18.0, 21.0]),
    ((3, 4), (3, 1), [[6.0], [22.0], [38.0]]),
    ((3, 4), (1, 4), [[12.0, 15.0, 18.0, 21.0]]),
    ((3, 4), (), 66.0),
    ((3, 4), (1, 1), [[66.0]]),
    ((4,), (1, 4), [[0.0, 1.0, 2.0, 3.0]]),  # fewer axes than the input: padded, not mis-summed
]


@pytest.mark.parametrize("gradient_shape,shape,expected", UNBROADCAST)
def test_unbroadcast(gradient_shape, shape, expected):
    gradient = np.arange(float(np.prod(gradient_shape))).reshape(gradient_shape)
    out = unbroadcast(gradient, shape)
    assert out.shape == shape
    np.testing.assert_array_equal(out, expected)


def test_gradients_of_float32_variables_are_float32():
    v = Variable(np.array([1.0, 2.0]))  # floatx
    assert v.dtype == "float32"
    with GradientTape() as tape:
        y = ops.sum(ops.multiply(v, np.array([0.5, 0.25])))  # a float64 constant promotes y
    assert y.dtype == "float64"
    grad = tape.gradient(y, v)
    assert grad.dtype == "float32"
    np.testing.assert_array_equal(grad.numpy(), [0.5, 0.25])


def test_returned_gradients_are_independent_writable_arrays():
    a, b = _tensor([1.0, 2.0]), _tensor([3.0, 4.0])
    m = _tensor([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape() as tape:
        tape.watch([a, b, m])
        y = ops.add(ops.add(a, b), ops.mean(m))  # add hands g to both; mean a broadcast view
    grad_a, grad_b, grad_m = tape.gradient(y, [a, b, m])
    grad_a.value *= 10.0
    grad_m.value *= 2.0  # would raise on a read-only broadcast view
    np.testing.assert_array_equal(grad_b.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(grad_m.numpy(), np.full((2, 2), 1.0))


def test_records_are_freed_after_a_non_persistent_gradient():
    x = _tensor([1.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.square(x)
    tape.gradient(y, x)
    assert tape._records == [] and tape._watched == {}


def test_gradient_refuses_non_tensor_sources_and_targets():
    x = _tensor([1.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ops.square(x)
    with pytest.raises(TypeError, match="sources"):
        tape.gradient(y, np.ones(1))
    with pytest.raises(TypeError, match="target"):
        tape.gradient(np.ones(1), x)
