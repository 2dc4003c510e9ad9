import numpy
import pytest

from neuroflow import layers
from neuroflow.testing import check_layer_gradients


def test_relu_options(rng):
    x = numpy.array([[-2.0, -0.5, 0.5, 3.0, 8.0]], dtype="float32")
    numpy.testing.assert_allclose(layers.ReLU()(x).numpy(), [[0, 0, 0.5, 3, 8]])
    numpy.testing.assert_allclose(layers.ReLU(max_value=6.0)(x).numpy(), [[0, 0, 0.5, 3, 6]])
    numpy.testing.assert_allclose(layers.ReLU(negative_slope=0.1)(x).numpy(), [[-0.2, -0.05, 0.5, 3, 8]], rtol=1e-6)
    numpy.testing.assert_allclose(layers.ReLU(threshold=1.0)(x).numpy(), [[0, 0, 0, 3, 8]])


def test_leaky_relu_elu_softmax_values():
    x = numpy.array([[-2.0, 0.0, 1.0]], dtype="float32")
    numpy.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), [[-0.6, 0.0, 1.0]], rtol=1e-6)
    numpy.testing.assert_allclose(layers.ELU(alpha=0.5)(x).numpy(), [[0.5 * (numpy.exp(-2) - 1), 0, 1]], rtol=1e-6)
    expected = numpy.exp(x) / numpy.exp(x).sum()
    numpy.testing.assert_allclose(layers.Softmax()(x).numpy(), expected, rtol=1e-6)
    masked = layers.Softmax()(x, mask=numpy.array([[True, False, True]])).numpy()
    assert masked[0, 1] == pytest.approx(0.0, abs=1e-7) and masked.sum() == pytest.approx(1.0)


def test_leaky_relu_alpha_is_deprecated():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1


def test_prelu_learns_a_slope_per_unit(float64, rng):
    layer = layers.PReLU(alpha_initializer="ones", shared_axes=[1])
    x = rng.normal(size=(3, 4, 5))
    layer(x)
    assert layer.alpha.shape == (1, 5)
    numpy.testing.assert_allclose(layer(x).numpy(), x)  # slope 1 everywhere: identity
    check_layer_gradients(layers.PReLU(alpha_initializer="constant"), rng.normal(size=(4, 3)) + 0.05)


@pytest.mark.parametrize("make", [lambda: layers.ReLU(max_value=6.0), lambda: layers.LeakyReLU(0.2),
                                  lambda: layers.ELU(0.7), lambda: layers.Softmax()])
def test_gradients(float64, rng, make):
    # Built after the float64 fixture: a float32 layer would cast the input and cut the gradient.
    check_layer_gradients(make(), rng.normal(size=(4, 3)) + 0.05)


@pytest.mark.parametrize("layer", [layers.ReLU(max_value=6.0, negative_slope=0.1), layers.LeakyReLU(0.2),
                                   layers.PReLU(shared_axes=[1]), layers.ELU(0.7), layers.Softmax(axis=1)])
def test_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
