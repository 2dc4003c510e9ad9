"""neuroflow.activations: values, gradients, identifiers, the fused-kernel names, remembered logits."""
import math

import numpy
import pytest

from neuroflow import activations, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.testing import check_gradients

X = numpy.array([[-2.5, -0.7, 0.4, 1.3, 4.0], [3.5, -5.0, 0.9, -1.6, 2.2]])


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def _erf(x):
    return numpy.vectorize(math.erf)(x)


EXPECTED = {
    "relu": lambda x: numpy.maximum(x, 0),
    "leaky_relu": lambda x: numpy.where(x > 0, x, 0.2 * x),
    "relu6": lambda x: numpy.clip(x, 0, 6),
    "elu": lambda x: numpy.where(x > 0, x, numpy.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * numpy.where(x > 0, x, 1.6732632423543772 * (numpy.exp(x) - 1)),
    "sigmoid": _sigmoid,
    "softmax": lambda x: numpy.exp(x) / numpy.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - numpy.log(numpy.exp(x).sum(-1, keepdims=True)),
    "tanh": numpy.tanh,
    "softplus": lambda x: numpy.log1p(numpy.exp(x)),
    "softsign": lambda x: x / (1 + numpy.abs(x)),
    "hard_sigmoid": lambda x: numpy.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * numpy.clip(x + 3, 0, 6) / 6,
    "silu": lambda x: x * _sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "mish": lambda x: x * numpy.tanh(numpy.log1p(numpy.exp(x))),
    "exponential": numpy.exp,
    "linear": lambda x: x,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values_match_formulas(name):
    got = activations.get(name)(Tensor(X)).numpy()
    numpy.testing.assert_allclose(got, EXPECTED[name](X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gradients_match_finite_differences(name):
    # X keeps away from every kink (0 for relu, +-3 for hard_sigmoid, 6 for relu6).
    tolerance = {"atol": 2e-6, "rtol": 1e-4} if name == "gelu" else {}
    check_gradients(activations.get(name), X, **tolerance)


def test_options():
    x = Tensor(numpy.array([-2.0, 0.5, 1.0, 3.0, 8.0]))
    numpy.testing.assert_allclose(activations.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0).numpy(),
                                  [-0.3, -0.05, 1.0, 3.0, 6.0])
    numpy.testing.assert_allclose(activations.leaky_relu(x, negative_slope=0.5).numpy(), [-1.0, 0.5, 1.0, 3.0, 8.0])
    numpy.testing.assert_allclose(activations.elu(x, alpha=2.0).numpy()[0], 2 * (math.exp(-2) - 1))
    tanh_gelu = 0.5 * 3 * (1 + math.tanh(math.sqrt(2 / math.pi) * (3 + 0.044715 * 27)))
    assert activations.gelu(x, approximate=True).numpy()[3] == pytest.approx(tanh_gelu)
    check_gradients(lambda t: activations.relu(t, negative_slope=0.1, max_value=6.0, threshold=1.0),
                    numpy.array([-2.0, 0.5, 1.5, 3.0, 8.0]))
    columns = activations.softmax(Tensor(X), axis=0).numpy()
    numpy.testing.assert_allclose(columns.sum(axis=0), numpy.ones(5))


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom
    assert activations.serialize(activations.swish) == "silu"
    for name in EXPECTED:
        assert activations.deserialize(activations.serialize(activations.get(name))) is activations.get(name)
    assert activations.get({"class_name": "function", "config": "relu"}) is activations.relu
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        activations.get("rellu")
    with pytest.raises(ValueError):
        activations.get(3)


def test_kernel_name_for_fused_dense():
    assert activations.kernel_name(activations.get("relu")) == "relu"
    assert activations.kernel_name(activations.get("swish")) == "silu"
    assert activations.kernel_name(activations.get(None)) == "linear"
    assert activations.kernel_name(lambda x: x) is None
    from neuroflow.ops.activation import KERNELS
    for name in EXPECTED:
        assert activations.kernel_name(activations.get(name)) in KERNELS


def test_softmax_and_sigmoid_remember_their_logits():
    logits = Tensor(X)
    kind, remembered = activations.softmax(logits)._softmax_logits
    assert kind == "softmax" and remembered is logits
    kind, remembered = activations.sigmoid(logits)._softmax_logits
    assert kind == "sigmoid" and remembered is logits
    assert activations.softmax(logits, axis=0)._softmax_logits is None
    assert ops.softmax(logits)._softmax_logits is None
