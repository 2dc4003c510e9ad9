"""The network's objective: scikit-learn's loss, and a tape gradient that matches finite differences (float64)."""
import numpy
import pytest

pytest.importorskip("sklearn")
from scipy.special import xlogy  # noqa: E402

from neuroflow.sklearn.lbfgs import pack, unpack_into  # noqa: E402
from neuroflow.sklearn.network import PerceptronNetwork, forward  # noqa: E402
from neuroflow.testing.gradient_check import numeric_gradient  # noqa: E402


def _network(out_activation, activation="tanh", alpha=0.3, n_outputs=3, seed=0):
    rng = numpy.random.default_rng(seed)
    coefs = [rng.normal(size=(4, 5)), rng.normal(size=(5, n_outputs))]
    intercepts = [rng.normal(size=5), rng.normal(size=n_outputs)]
    return PerceptronNetwork(coefs, intercepts, activation, out_activation, alpha), coefs, intercepts


def _targets(out_activation, rng, n=7, k=3):
    if out_activation == "softmax":
        return numpy.eye(k)[rng.integers(0, k, n)]
    if out_activation == "logistic":
        return rng.integers(0, 2, (n, k)).astype(float)
    if out_activation == "exp":
        return rng.poisson(1.0, (n, k)).astype(float)
    return rng.normal(size=(n, k))


@pytest.mark.parametrize("out_activation", ["softmax", "logistic", "identity", "exp"])
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_gradient_matches_finite_differences(out_activation, weighted):
    rng = numpy.random.default_rng(1)
    network, _, _ = _network(out_activation)
    X, y = rng.normal(size=(7, 4)), _targets(out_activation, rng)
    weights = rng.uniform(0.5, 2.0, 7) if weighted else None
    _, gradients = network.loss_and_gradients(X, y, weights)

    def loss_at(vector):
        unpack_into(vector, network.variables)
        return float(network.objective(X, y, weights))

    start = pack([v.value for v in network.variables])
    numeric = numeric_gradient(loss_at, [start], 0)
    numpy.testing.assert_allclose(pack(gradients), numeric, rtol=1e-5, atol=1e-7)


def test_reported_loss_is_scikit_learns_formula():
    rng = numpy.random.default_rng(2)
    X = rng.normal(size=(7, 4))
    for out_activation in ["softmax", "logistic", "identity", "exp"]:
        network, coefs, intercepts = _network(out_activation, alpha=0.3)
        y = _targets(out_activation, rng)
        p = forward(X, coefs, intercepts, "tanh", out_activation)
        if out_activation == "softmax":
            data = -numpy.sum(y * numpy.log(p)) / 7
        elif out_activation == "logistic":
            data = -numpy.sum(y * numpy.log(p) + (1 - y) * numpy.log(1 - p)) / 7
        elif out_activation == "identity":
            data = 0.5 * numpy.mean((y - p) ** 2)  # the mean over outputs too, as scikit-learn's squared_loss
        else:
            data = numpy.sum(numpy.mean(xlogy(y, y / p) - y + p, axis=0))
        penalty = 0.5 * 0.3 * sum(numpy.sum(c ** 2) for c in coefs) / 7
        loss, _ = network.loss_and_gradients(X, y)
        assert loss == pytest.approx(data + penalty, rel=1e-12), out_activation


def test_intercepts_are_not_penalized_and_alpha_scales_by_the_batch():
    rng = numpy.random.default_rng(3)
    X, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 3))
    plain, _, _ = _network("identity", alpha=0.0)
    penalized, coefs, _ = _network("identity", alpha=2.0)
    _, g0 = plain.loss_and_gradients(X, y)
    _, g1 = penalized.loss_and_gradients(X, y)
    for kernel_grad0, kernel_grad1, coef in zip(g0[:2], g1[:2], coefs):
        numpy.testing.assert_allclose(numpy.asarray(kernel_grad1) - numpy.asarray(kernel_grad0), 2.0 * coef / 10)
    for bias_grad0, bias_grad1 in zip(g0[2:], g1[2:]):
        numpy.testing.assert_allclose(numpy.asarray(bias_grad1), numpy.asarray(bias_grad0))
