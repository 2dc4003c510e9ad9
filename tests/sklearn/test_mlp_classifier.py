"""MLPClassifier: scikit-learn's parameters, attributes and methods, and its scores on the standard data sets."""
import inspect
import pickle
import warnings

import numpy
import pytest

sklearn_nn = pytest.importorskip("sklearn.neural_network")
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("ours, theirs", [(MLPClassifier, sklearn_nn.MLPClassifier),
                                          (MLPRegressor, sklearn_nn.MLPRegressor)])
def test_every_constructor_parameter_has_scikit_learns_name_kind_and_default(ours, theirs):
    mine = inspect.signature(ours.__init__).parameters
    reference = inspect.signature(theirs.__init__).parameters
    assert list(mine) == list(reference)
    for name, parameter in reference.items():
        assert mine[name].kind == parameter.kind, name
        assert mine[name].default == parameter.default, name
    assert ours().get_params() == theirs().get_params()


def test_fitted_attributes_are_scikit_learns():
    X, y = _iris()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver, extra in [("adam", {}), ("sgd", {"early_stopping": True}), ("lbfgs", {})]:
            ours = MLPClassifier(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0, **extra).fit(X, y)
            theirs = sklearn_nn.MLPClassifier(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0,
                                              **extra).fit(X, y)
            public = {name for name in vars(theirs) if name.endswith("_") and not name.startswith("_")}
            assert public == {name for name in vars(ours) if name.endswith("_") and not name.startswith("_")}, solver
            for name in ["n_features_in_", "n_iter_", "n_layers_", "n_outputs_", "out_activation_", "t_"]:
                assert getattr(ours, name) == getattr(theirs, name), (solver, name)
            numpy.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.loss == theirs.loss == "log_loss"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_proba_log_proba_and_score():
    X, y = _iris()
    classifier = MLPClassifier(hidden_layer_sizes=(10,), max_iter=300, random_state=0).fit(X, y)
    probabilities = classifier.predict_proba(X)
    assert probabilities.shape == (150, 3)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    numpy.testing.assert_allclose(classifier.predict_log_proba(X), numpy.log(probabilities), rtol=1e-5)
    numpy.testing.assert_array_equal(classifier.predict(X), classifier.classes_[probabilities.argmax(axis=1)])
    assert classifier.score(X, y) > 0.9


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_string_labels_binary_outputs_and_multilabel():
    X, y = _iris()
    names = numpy.array(["setosa", "versicolor", "virginica"])[y]
    binary = numpy.where(y == 0, "yes", "no")
    classifier = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, binary)
    assert classifier.out_activation_ == "logistic" and classifier.n_outputs_ == 1
    assert classifier.predict_proba(X).shape == (150, 2) and set(classifier.predict(X)) <= {"yes", "no"}
    classifier = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, names)
    assert classifier.out_activation_ == "softmax" and list(classifier.classes_) == sorted(names[[0, 50, 100]])
    X, Y = make_multilabel_classification(n_samples=60, n_features=5, n_classes=4, random_state=0)
    classifier = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning):
        classifier.fit(X, Y)
    assert classifier.predict(X).shape == (60, 4) and set(numpy.unique(classifier.predict(X))) <= {0, 1}


def test_convergence_warnings_as_scikit_learn():
    X, y = _iris()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 3 iteration"):
        MLPClassifier(solver="lbfgs", max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="EVALUATIONS EXCEEDS LIMIT"):  # scipy's message, as in scikit-learn
        limited = MLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        reference = sklearn_nn.MLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, y)
    assert limited.n_iter_ == reference.n_iter_ <= 5 and limited.loss_ == pytest.approx(reference.loss_, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        classifier = MLPClassifier(hidden_layer_sizes=(10,), tol=1e-2, max_iter=500, random_state=0).fit(X, y)
    assert classifier.n_iter_ < 500 and classifier.best_loss_ == min(classifier.loss_curve_)


def test_partial_fit_and_warm_start_continue_like_scikit_learn():
    X, y = _iris()
    ours = MLPClassifier(hidden_layer_sizes=(6,), random_state=0)
    theirs = sklearn_nn.MLPClassifier(hidden_layer_sizes=(6,), random_state=0)
    for _ in range(4):
        ours.partial_fit(X, y, classes=[0, 1, 2])
        theirs.partial_fit(X, y, classes=[0, 1, 2])
    numpy.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)  # the Adam moments carry over
    assert ours.n_iter_ == theirs.n_iter_ == 1 and ours.t_ == 600
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")  # as scikit-learn's: lbfgs has no epochs
    assert not hasattr(sklearn_nn.MLPClassifier(solver="lbfgs"), "partial_fit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(hidden_layer_sizes=(6,), max_iter=3, warm_start=True, random_state=0).fit(X, y).fit(X, y)
        theirs = sklearn_nn.MLPClassifier(hidden_layer_sizes=(6,), max_iter=3, warm_start=True, random_state=0)
        theirs.fit(X, y).fit(X, y)
    numpy.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert len(ours.loss_curve_) == 6
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
        ours.fit(X[y < 2], y[y < 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predictions_read_the_coefs_as_left_by_the_user_and_pickle():
    X, y = _iris()
    classifier = MLPClassifier(hidden_layer_sizes=(6,), max_iter=300, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(classifier))
    numpy.testing.assert_array_equal(restored.predict_proba(X), classifier.predict_proba(X))
    classifier.coefs_[-1][:] = 0.0
    classifier.intercepts_[-1][:] = 0.0
    numpy.testing.assert_allclose(classifier.predict_proba(X), 1 / 3)
    restored.partial_fit(X, y)  # the unpickled model keeps training


def test_errors_name_what_is_wrong():
    X, y = _iris()
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)
    with pytest.raises(ValueError, match="The 'solver' parameter of MLPClassifier must be a str among"):
        MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    classifier = MLPClassifier(max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        classifier.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4 features"):
        classifier.predict(X[:, :3])


def _scaled_split(loader, seed=0):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("loader, params", [
    (load_digits, {"hidden_layer_sizes": (64,), "max_iter": 30}),
    (load_iris, {"hidden_layer_sizes": (16,), "max_iter": 300, "learning_rate_init": 0.01}),
    (load_breast_cancer, {"hidden_layer_sizes": (32,), "max_iter": 40}),
    (load_digits, {"hidden_layer_sizes": (16,), "solver": "lbfgs", "max_iter": 25}),
], ids=["digits-adam", "iris-adam", "breast_cancer-adam", "digits-lbfgs"])
def test_test_scores_within_the_seed_spread_of_scikit_learns(loader, params):
    X_train, X_test, y_train, y_test = _scaled_split(loader)
    ours, theirs = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(3):
            ours.append(MLPClassifier(random_state=seed, **params).fit(X_train, y_train).score(X_test, y_test))
            theirs.append(sklearn_nn.MLPClassifier(random_state=seed, **params).fit(X_train, y_train)
                          .score(X_test, y_test))
    spread = max(theirs) - min(theirs)
    assert min(theirs) - spread - 0.01 <= numpy.mean(ours) <= max(theirs) + spread + 0.01, (ours, theirs)
    assert numpy.mean(ours) > 0.85
