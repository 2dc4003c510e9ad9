"""MLPRegressor: 1-D and multi-output predictions, R^2, the loss option, and scores next to scikit-learn's."""
import warnings

import numpy
import pytest

sklearn_nn = pytest.importorskip("sklearn.neural_network")
from sklearn.datasets import load_diabetes, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from neuroflow.sklearn import MLPRegressor  # noqa: E402


def _regression(n_targets=1):
    X, y = make_regression(n_samples=120, n_features=5, n_targets=n_targets, noise=0.5, random_state=0)
    return X, y / y.std()


def test_predictions_are_1d_for_one_output_and_2d_for_several():
    X, y = _regression()
    regressor = MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=100, random_state=0).fit(X, y)
    assert regressor.predict(X).shape == (120,) and regressor.predict(X).dtype == numpy.float64
    assert regressor.out_activation_ == "identity" and regressor.n_outputs_ == 1
    assert regressor.score(X, y) == pytest.approx(r2_score(y, regressor.predict(X)))
    assert regressor.score(X, y) > 0.95
    X, Y = _regression(n_targets=3)
    regressor = MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=100, random_state=0).fit(X, Y)
    assert regressor.predict(X).shape == (120, 3) and regressor.n_outputs_ == 3
    with pytest.warns(DataConversionWarning):
        MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5).fit(X, y.reshape(-1, 1))


def test_float32_input_trains_and_predicts_in_float32():
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        regressor = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X.astype("float32"), y)
    assert regressor.coefs_[0].dtype == numpy.float32 and regressor.predict(X.astype("float32")).dtype == numpy.float32


def test_early_stopping_scores_r2_and_restores_the_best_weights():
    X, y = _regression()
    ours = MLPRegressor(hidden_layer_sizes=(10,), early_stopping=True, n_iter_no_change=2, learning_rate_init=0.05,
                        max_iter=200, random_state=0).fit(X, y)
    theirs = sklearn_nn.MLPRegressor(hidden_layer_sizes=(10,), early_stopping=True, n_iter_no_change=2,
                                     learning_rate_init=0.05, max_iter=200, random_state=0).fit(X, y)
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_)
    assert ours.n_iter_ == theirs.n_iter_ < 200 and ours.best_validation_score_ == max(ours.validation_scores_)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        ours.partial_fit(X, y)


def test_sparse_input_gives_the_dense_result():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = _regression()
    X[X < 0.5] = 0.0
    dense = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=50, random_state=0)
    sparse = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense.fit(X, y)
        sparse.fit(scipy_sparse.csr_matrix(X), y)
    numpy.testing.assert_allclose(sparse.predict(scipy_sparse.csr_matrix(X)), dense.predict(X))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_diabetes_test_r2_within_the_seed_spread_of_scikit_learns(solver):
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    params = {"hidden_layer_sizes": (32,), "solver": solver, "max_iter": 200 if solver == "adam" else 50,
              "learning_rate_init": 0.05, "alpha": 1.0}
    ours, theirs = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(3):
            ours.append(MLPRegressor(random_state=seed, **params).fit(X_train, y_train).score(X_test, y_test))
            theirs.append(sklearn_nn.MLPRegressor(random_state=seed, **params).fit(X_train, y_train)
                          .score(X_test, y_test))
    spread = max(theirs) - min(theirs)
    assert min(theirs) - spread - 0.01 <= numpy.mean(ours) <= max(theirs) + spread + 0.01, (ours, theirs)
    assert numpy.mean(ours) > 0.2  # a linear fit scores about 0.45 on this split


def test_verbose_prints_scikit_learns_epoch_lines(capsys):
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, verbose=True, random_state=0).fit(X, y)
        sklearn_nn.MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == lines[2:] and lines[0].startswith("Iteration 1, loss = ")
