"""minimize_lbfgs: scipy's L-BFGS-B over neuroflow Variables, usable from Keras-style code."""
import numpy
import pytest

pytest.importorskip("scipy")
from neuroflow import layers, losses, models  # noqa: E402
from neuroflow.sklearn.lbfgs import minimize_lbfgs, pack, unpack_into  # noqa: E402


def test_pack_and_unpack_round_trip(float64):
    layer = layers.Dense(3)
    layer.build((None, 2))
    vector = numpy.arange(9.0)
    unpack_into(vector, [layer.kernel, layer.bias])
    numpy.testing.assert_array_equal(layer.kernel.numpy(), numpy.arange(6.0).reshape(2, 3))
    numpy.testing.assert_array_equal(pack([layer.kernel.value, layer.bias.value]), vector)


def test_keras_style_least_squares_reaches_the_normal_equations(float64):
    rng = numpy.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ numpy.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.normal(size=(50, 1))
    model = models.Sequential([layers.Input((3,)), layers.Dense(1)])
    loss_fn = losses.MeanSquaredError()
    result = minimize_lbfgs(lambda: loss_fn(y, model(X)), model.trainable_variables, max_iter=200, tol=1e-10)
    design = numpy.hstack([X, numpy.ones((50, 1))])
    solution, *_ = numpy.linalg.lstsq(design, y, rcond=None)
    numpy.testing.assert_allclose(model.layers[-1].kernel.numpy()[:, 0], solution[:3, 0], atol=1e-6)
    numpy.testing.assert_allclose(model.layers[-1].bias.numpy(), solution[3], atol=1e-6)
    assert result.success and result.fun == pytest.approx(numpy.mean((design @ solution - y) ** 2), rel=1e-6)
