"""Float64 gradient checks, placeholders and errors of the Keras 3.x activations."""
import numpy
import pytest

import neuroflow as nf
from neuroflow import activations
from neuroflow.testing import check_gradients

# Points kept away from the kinks (|x| = threshold, x = +-1), where finite differences straddle them.
X = numpy.array([[-2.7, -1.6, -0.8, -0.3, 0.2, 0.7], [1.3, 2.2, -0.1, 0.35, -1.35, 2.9]])


@pytest.mark.parametrize("fn", [
    activations.celu, lambda x: activations.celu(x, alpha=0.5), activations.glu, lambda x: activations.glu(x, axis=0),
    activations.hard_shrink, activations.hard_tanh, activations.log_sigmoid, activations.soft_shrink,
    activations.sparse_plus, activations.sparse_sigmoid, activations.squareplus, activations.tanh_shrink,
    lambda x: activations.threshold(x, 0.5, -1.0), activations.sparsemax, lambda x: activations.sparsemax(x, axis=0),
])
def test_gradient(fn):
    check_gradients(fn, X)


@pytest.mark.parametrize("name", ["celu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
                                  "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink"])
def test_placeholder_shape_and_layer_use(name):
    assert activations.get(name)(nf.Input((6,))).shape == (None, 6)
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(4, activation=name)])
    assert model.predict(numpy.ones((2, 3), dtype="float32"), verbose=0).shape == (2, 4)
    assert model.layers[-1].get_config()["activation"] == name


def test_glu_halves_the_axis_and_refuses_odd_sizes():
    assert activations.glu(nf.Input((6,))).shape == (None, 3)
    with pytest.raises(ValueError, match="even size"):
        activations.glu(nf.ops.convert_to_tensor(numpy.ones((2, 5))))


def test_squareplus_refuses_negative_b():
    with pytest.raises(ValueError, match="b >= 0"):
        activations.squareplus(nf.ops.convert_to_tensor(X), b=-1)
