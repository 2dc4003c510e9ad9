"""matmul, dot and the fused dense kernel: forward values and float64 gradient checks."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor, Variable
from neuroflow.ops.activation import KERNELS
from tests.ops.activation_references import REFERENCES
from tests.ops.op_checks import check_op, uniform

np = numpy

MATMUL_SHAPES = [
    ("matrix_matrix", (3, 4), (4, 2)),
    ("vector_matrix", (4,), (4, 2)),
    ("matrix_vector", (3, 4), (4,)),
    ("vector_vector", (4,), (4,)),
    ("batched_matrix", (2, 3, 4), (4, 5)),
    ("matrix_batched", (3, 4), (2, 4, 5)),
    ("batched_batched", (2, 3, 4), (2, 4, 5)),
    ("broadcast_batches", (2, 1, 3, 4), (5, 4, 2)),
    ("vector_batched", (4,), (2, 4, 3)),
    ("batched_vector", (2, 3, 4), (4,)),
]


@pytest.mark.parametrize("name,shape_a,shape_b", MATMUL_SHAPES, ids=[case[0] for case in MATMUL_SHAPES])
def test_matmul(name, shape_a, shape_b):
    check_op(ops.matmul, np.matmul, shape_a, shape_b)


@pytest.mark.parametrize("shape_a,shape_b", [((3, 4), (4, 2)), ((4,), (4,)), ((), (3, 2)), ((3,), ())])
def test_dot(shape_a, shape_b):
    check_op(ops.dot, np.dot, shape_a, shape_b)


def _dense_reference(activation):
    reference = REFERENCES[activation][0]

    def dense(x, kernel, bias=None):
        pre = x @ kernel
        return reference(pre if bias is None else pre + bias)
    return dense


DENSE_CASES = [(name, bias, x_shape) for name in sorted(KERNELS)
               for bias, x_shape in [(True, (4, 3)), (False, (4, 3)), (True, (2, 3, 3))]]


@pytest.mark.parametrize("activation,use_bias,x_shape", DENSE_CASES,
                         ids=[f"{a}-{'bias' if b else 'nobias'}-{len(s)}d" for a, b, s in DENSE_CASES])
def test_dense(activation, use_bias, x_shape):
    low, high = REFERENCES[activation][1]
    scale = max(abs(low), abs(high)) / 3.0  # pre-activations cover the activation's interesting range
    specs = [x_shape, (3, 5)] + ([(5,)] if use_bias else [])

    def fused(x, kernel, bias=None):
        return ops.dense(x, kernel, bias, activation=activation)
    check_op(fused, _dense_reference(activation), *specs, low=-scale, high=scale)


@pytest.mark.parametrize("options", [{"negative_slope": 0.1, "max_value": 1.0}, {"threshold": 0.3}])
def test_dense_relu_options(options):
    def reference(x, kernel, bias):
        pre = x @ kernel + bias
        out = np.where(pre >= options.get("threshold", 0.0), pre,
                       options.get("negative_slope", 0.0) * (pre - options.get("threshold", 0.0)))
        return out if "max_value" not in options else np.minimum(out, options["max_value"])
    check_op(lambda x, k, b: ops.dense(x, k, b, activation="relu", **options), reference, (4, 3), (3, 5), (5,))


def test_dense_matches_unfused_ops_and_keeps_float32():
    x = Tensor(uniform(6, 3, seed=1).astype(np.float32))
    kernel = Variable(uniform(3, 4, seed=2), dtype="float32")
    bias = Variable(uniform(4, seed=3), dtype="float32")
    with GradientTape(persistent=True) as tape:
        fused = ops.dense(x, kernel, bias, activation="tanh")
        unfused = ops.tanh(ops.add(ops.matmul(x, kernel), bias))
        fused_loss, unfused_loss = ops.sum(fused), ops.sum(unfused)
    assert fused.dtype == "float32"
    np.testing.assert_allclose(fused.numpy(), unfused.numpy(), rtol=1e-6)
    for a, b in zip(tape.gradient(fused_loss, [kernel, bias]), tape.gradient(unfused_loss, [kernel, bias])):
        assert a.dtype == "float32"
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_bias_with_leading_axis():
    # A (1, units) bias broadcasts like a (units,) one; its gradient must keep the (1, units) shape.
    check_op(lambda x, k, b: ops.dense(x, k, b, activation="sigmoid"), _dense_reference("sigmoid"),
             (4, 3), (3, 5), (1, 5))


def test_dense_activation_none_is_linear():
    x, kernel = uniform(2, 3), uniform(3, 4, seed=1)
    np.testing.assert_allclose(ops.dense(x, kernel, activation=None).numpy(), x @ kernel)


def test_dense_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        ops.dense(np.ones((1, 2)), np.ones((2, 2)), activation="rellu")


def test_dense_hand_computed_backprop():
    # y = relu(x W + b) with x = [1, 2], W = [[1, -1], [0.5, 1]], b = [0, -3]:
    # pre = [2, -2] -> y = [2, 0]; dL/dy = [1, 1] -> dL/dpre = [1, 0];
    # dL/dW = x^T [1, 0] = [[1, 0], [2, 0]]; dL/db = [1, 0]; dL/dx = W [1, 0] = [1, 0.5].
    x = Tensor(np.array([[1.0, 2.0]]))
    kernel = Variable(np.array([[1.0, -1.0], [0.5, 1.0]]), dtype="float64")
    bias = Variable(np.array([0.0, -3.0]), dtype="float64")
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.dense(x, kernel, bias, activation="relu")
    np.testing.assert_array_equal(y.numpy(), [[2.0, 0.0]])
    grad_x, grad_kernel, grad_bias = tape.gradient(y, [x, kernel, bias])
    np.testing.assert_array_equal(grad_kernel.numpy(), [[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(grad_bias.numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(grad_x.numpy(), [[1.0, 0.5]])
