"""AutocastScope: float Variables read in the compute dtype inside a mixed-precision call (Keras')."""
import numpy

from neuroflow import ops
from neuroflow.engine import autocast
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor, Variable


def _in_scope(dtype, function):
    previous = autocast.enter(autocast.AutocastScope(dtype))
    try:
        return function()
    finally:
        autocast.leave(previous)


def test_float_variables_are_read_cast_and_other_inputs_are_not():
    kernel = Variable(numpy.array([[1.5, -2.0], [0.25, 4.0]], dtype="float32"))
    frozen = Variable(numpy.ones(2, dtype="float32"), autocast=False)
    steps = Variable(numpy.array(3, dtype="int64"), trainable=False)
    x = Tensor(numpy.ones((1, 2), dtype="float16"))
    product = _in_scope("float16", lambda: ops.matmul(x, kernel))
    assert product.dtype == "float16"
    numpy.testing.assert_array_equal(product.numpy(), [[1.75, 2.0]])
    assert _in_scope("float16", lambda: ops.add(frozen, 1.0)).dtype == "float32"  # autocast=False
    assert _in_scope("float16", lambda: ops.add(steps, 1)).dtype == "int64"        # not a float
    assert _in_scope("float16", lambda: ops.add(Tensor(kernel.value), 1.0)).dtype == "float32"  # not a Variable
    assert ops.matmul(x, kernel).dtype == "float32"  # outside a scope: NumPy's promotion
    assert kernel.dtype == "float32"


def test_gradient_reaches_the_variable_as_float32_through_one_cast_per_scope():
    kernel = Variable(numpy.array([0.5, -1.0, 2.0], dtype="float32"))
    x = Tensor(numpy.array([1.0, 2.0, 3.0], dtype="float16"))
    with GradientTape() as tape:
        # Two reads in one scope (a recurrent layer's time steps) share one cast.
        loss = _in_scope("float16", lambda: ops.sum(ops.add(ops.multiply(x, kernel), ops.multiply(kernel, kernel))))
    assert [record[0].name for record in tape._records].count("cast") == 1
    (grad,) = tape.gradient(loss, [kernel])
    assert grad.dtype == "float32"
    numpy.testing.assert_array_equal(grad.numpy(), [2.0, 0.0, 7.0])  # x + 2 * kernel


def test_a_nested_none_scope_stops_casting_and_restores_the_outer_one():
    kernel = Variable(numpy.ones(2, dtype="float32"))

    def inner_float32_layer():
        previous = autocast.enter(None)   # what a dtype='float32' layer inside a mixed model does
        try:
            inside = ops.add(kernel, 0.0).dtype
        finally:
            autocast.leave(previous)
        return inside, ops.add(kernel, 0.0).dtype

    assert _in_scope("float16", inner_float32_layer) == ("float32", "float16")
    assert autocast.active is None

