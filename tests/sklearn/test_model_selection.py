"""GridSearchCV, RandomizedSearchCV and cross_val_score on MLPClassifier / MLPRegressor.

With the same random_state, neuroflow's MLP trains as scikit-learn's does, so a search over either
gives the same scores, fold for fold.
"""
import warnings

import numpy
import pytest

sklearn_nn = pytest.importorskip("sklearn.neural_network")
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_cross_val_score_in_a_pipeline_equals_scikit_learns():
    X, y = load_iris(return_X_y=True)
    params = {"hidden_layer_sizes": (8,), "max_iter": 40, "learning_rate_init": 0.01, "random_state": 0}
    ours = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(**params)), X, y, cv=3)
    theirs = cross_val_score(make_pipeline(StandardScaler(), sklearn_nn.MLPClassifier(**params)), X, y, cv=3)
    numpy.testing.assert_allclose(ours, theirs)
    assert ours.shape == (3,) and ours.mean() > 0.7


def test_grid_search_over_the_lectures_hyperparameters_picks_scikit_learns_best():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    grid = {"hidden_layer_sizes": [(4,), (16,)], "activation": ["relu", "tanh"], "alpha": [1e-4, 1.0]}
    base = {"max_iter": 30, "learning_rate_init": 0.01, "random_state": 0}
    ours = GridSearchCV(MLPClassifier(**base), grid, cv=3).fit(X, y)
    theirs = GridSearchCV(sklearn_nn.MLPClassifier(**base), grid, cv=3).fit(X, y)
    numpy.testing.assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"])
    assert ours.best_params_ == theirs.best_params_ and len(ours.cv_results_["params"]) == 8
    assert isinstance(ours.best_estimator_, MLPClassifier) and ours.best_estimator_.n_iter_ > 0
    assert ours.predict(X).shape == (150,)


def test_randomized_search_with_log_uniform_learning_rates_on_the_regressor():
    X, y = make_regression(n_samples=90, n_features=4, noise=0.5, random_state=0)
    y = y / y.std()
    distributions = {"learning_rate_init": loguniform(1e-3, 1e-1), "batch_size": [16, 32],
                     "solver": ["adam", "sgd"]}
    base = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = RandomizedSearchCV(MLPRegressor(**base), distributions, n_iter=4, cv=3, random_state=0).fit(X, y)
        theirs = RandomizedSearchCV(sklearn_nn.MLPRegressor(**base), distributions, n_iter=4, cv=3,
                                    random_state=0).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    numpy.testing.assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                                  rtol=1e-6)
    assert numpy.isfinite(ours.best_score_)
