"""GridSearchCV, RandomizedSearchCV and cross_val_score on the wrappers, reproducible through random_state.

A search fits one clone per candidate and fold; with `random_state` set, each clone seeds
neuroflow's generator at fit, so running the same search twice gives the same scores.
"""
import numpy
import pytest

pytest.importorskip("sklearn")
from scipy.stats import loguniform  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score  # noqa: E402

from neuroflow import layers, models, optimizers  # noqa: E402
from neuroflow.wrappers import KerasClassifier, KerasRegressor, SKLearnClassifier, SKLearnRegressor  # noqa: E402
from tests.wrappers.test_sklearn import FIT, _blobs, _linear, build_classifier, build_regressor  # noqa: E402


def build_legacy_classifier(meta, hidden=8, learning_rate=0.05):
    model = models.Sequential([layers.Input((meta["n_features_in_"],)), layers.Dense(hidden, activation="relu"),
                               layers.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    return model


def build_legacy_regressor(hidden=8, learning_rate=0.01):
    model = models.Sequential([layers.Input((3,)), layers.Dense(hidden, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="mse")
    return model


def test_grid_search_on_both_classifier_spellings_is_reproducible():
    X, y = _blobs(n_per_class=12)
    searches = [
        (SKLearnClassifier(build_classifier, fit_kwargs={**FIT, "epochs": 10}, random_state=0),
         {"model_kwargs": [{"units": 4}, {"units": 16}]}),
        (KerasClassifier(build_fn=build_legacy_classifier, epochs=10, batch_size=16, verbose=0, random_state=0),
         {"hidden": [4, 16], "learning_rate": [0.01, 0.05]}),
    ]
    for estimator, grid in searches:
        first = GridSearchCV(estimator, grid, cv=3).fit(X, y)
        second = GridSearchCV(estimator, grid, cv=3).fit(X, y)
        numpy.testing.assert_array_equal(first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"])
        assert first.best_score_ > 0.8
        assert first.best_estimator_.predict(X).shape == (36,)


def test_random_state_makes_fits_equal_and_none_leaves_them_free():
    X, y = _linear(n=40)
    seeded = [SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 3, "verbose": 0}, random_state=7).fit(X, y)
              .predict(X) for _ in range(2)]
    numpy.testing.assert_array_equal(seeded[0], seeded[1])
    free = [SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 3, "verbose": 0}).fit(X, y).predict(X)
            for _ in range(2)]
    assert not numpy.array_equal(free[0], free[1])


def test_randomized_search_and_cross_val_score_on_the_legacy_regressor():
    X, y = _linear(n=45)
    regressor = KerasRegressor(build_fn=build_legacy_regressor, epochs=20, batch_size=16, verbose=0, random_state=0)
    scores = cross_val_score(regressor, X, y, cv=3, scoring="neg_mean_squared_error")
    assert scores.shape == (3,) and numpy.all(numpy.isfinite(scores))
    search = RandomizedSearchCV(regressor, {"hidden": [4, 8, 16], "learning_rate": loguniform(1e-3, 1e-1)}, n_iter=3,
                                cv=3, random_state=0).fit(X, y)
    assert len(search.cv_results_["params"]) == 3 and numpy.isfinite(search.best_score_)
    assert search.best_estimator_.hidden == search.best_params_["hidden"]
