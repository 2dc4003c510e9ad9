"""Fidelity with scikit-learn's MLP: same random_state, same initial weights, same loss curve (float64).

Both libraries draw the initial weights, the validation split and each epoch's shuffle from the
same RandomState in the same order, so equal `random_state` means equal starting weights (checked
first) and equal batches; the loss curves then agree to rounding, asserted here to 1e-6 over the
first epochs as the issue asks (in practice they agree to ~1e-15).
"""
import warnings

import numpy
import pytest

sklearn_nn = pytest.importorskip("sklearn.neural_network")
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _classification():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _fit_both(ours, theirs, X, y, **fit_kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y, **fit_kwargs)
        ours.fit(X, y, **fit_kwargs)
    return ours, theirs


def _pair(kind, **params):
    ours = {"classifier": MLPClassifier, "regressor": MLPRegressor}[kind](**params)
    theirs = {"classifier": sklearn_nn.MLPClassifier, "regressor": sklearn_nn.MLPRegressor}[kind](**params)
    return ours, theirs


def _assert_same_fit(ours, theirs, epochs=None):
    curve, reference = numpy.array(ours.loss_curve_), numpy.array(theirs.loss_curve_)
    assert len(curve) == len(reference) and ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    assert numpy.abs(curve[:epochs] - reference[:epochs]).max() < 1e-6
    for mine, theirs_coef in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        numpy.testing.assert_allclose(mine, theirs_coef, rtol=1e-6, atol=1e-8)


def test_same_random_state_gives_scikit_learns_initial_weights():
    X, y = _classification()
    ours, theirs = _fit_both(*_pair("classifier", hidden_layer_sizes=(7, 5), max_iter=1, learning_rate_init=1e-12,
                                    random_state=3), X, y)
    for mine, reference in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        numpy.testing.assert_allclose(mine, reference, atol=1e-10)  # a step of 1e-12 moves nothing visible


@pytest.mark.parametrize("params", [
    {"solver": "adam"},
    {"solver": "adam", "activation": "tanh", "batch_size": 32, "alpha": 0.1},
    {"solver": "sgd", "learning_rate_init": 0.05},
    {"solver": "sgd", "nesterovs_momentum": False, "momentum": 0.5, "activation": "logistic"},
    {"solver": "sgd", "momentum": 0.0, "learning_rate": "invscaling", "learning_rate_init": 0.5},
    {"solver": "adam", "shuffle": False, "activation": "identity", "batch_size": 50},
], ids=["adam", "adam-tanh-alpha", "sgd-nesterov", "sgd-momentum-logistic", "sgd-invscaling", "adam-no-shuffle"])
def test_stochastic_loss_curve_matches_scikit_learn(params):
    X, y = _classification()
    ours, theirs = _fit_both(*_pair("classifier", hidden_layer_sizes=(16, 8), max_iter=8, random_state=0, **params), X, y)
    _assert_same_fit(ours, theirs, epochs=8)


def test_adaptive_learning_rate_and_stopping_follow_scikit_learn():
    # tol large: the loss "stalls" every epoch, so 'adaptive' divides the rate by 5 several times and stops.
    X, y = _classification()
    ours, theirs = _fit_both(*_pair("classifier", solver="sgd", learning_rate="adaptive", tol=0.5, n_iter_no_change=2,
                                    max_iter=200, random_state=1), X, y)
    assert theirs.n_iter_ < 200
    _assert_same_fit(ours, theirs)
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate)


def test_early_stopping_validation_scores_and_best_weights_match():
    X, y = _classification()
    ours, theirs = _fit_both(*_pair("classifier", early_stopping=True, validation_fraction=0.2, n_iter_no_change=3,
                                    learning_rate_init=0.01, max_iter=60, random_state=2), X, y)
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_)
    assert ours.best_validation_score_ == theirs.best_validation_score_ and ours.best_loss_ is None
    _assert_same_fit(ours, theirs)


def test_sample_weight_multilabel_and_multioutput_regression_match():
    X, Y = make_multilabel_classification(n_samples=80, n_features=6, n_classes=3, random_state=0)
    weights = numpy.random.default_rng(0).uniform(0.5, 2.0, size=80)
    ours, theirs = _fit_both(*_pair("classifier", hidden_layer_sizes=(10,), max_iter=6, random_state=0), X, Y,
                             sample_weight=weights)
    assert ours.out_activation_ == "logistic" and ours.predict(X).shape == (80, 3)
    _assert_same_fit(ours, theirs)
    X, Y = make_regression(n_samples=90, n_features=5, n_targets=2, noise=0.1, random_state=0)
    ours, theirs = _fit_both(*_pair("regressor", hidden_layer_sizes=(12,), max_iter=6, learning_rate_init=0.01,
                                    random_state=0), X, Y / 100)
    _assert_same_fit(ours, theirs)  # the reported loss averages over the 2 outputs, as scikit-learn's does


def test_poisson_regression_matches():
    rng = numpy.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = rng.poisson(numpy.exp(0.3 * X[:, 0]))
    ours, theirs = _fit_both(*_pair("regressor", loss="poisson", hidden_layer_sizes=(8,), max_iter=5, random_state=0),
                             X, y)
    assert ours.out_activation_ == "exp"
    _assert_same_fit(ours, theirs)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_lbfgs_reaches_scikit_learns_final_loss(kind):
    if kind == "classifier":
        X, y = _classification()
    else:
        X, y = make_regression(n_samples=100, n_features=4, noise=1.0, random_state=0)
        y = y / y.std()
    ours, theirs = _fit_both(*_pair(kind, solver="lbfgs", hidden_layer_sizes=(6,), max_iter=400, random_state=0), X, y)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert not hasattr(ours, "loss_curve_") and ours.n_iter_ > 10

