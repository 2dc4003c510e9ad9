"""Random search with cross-validation over an MLP for the Boston house prices (decks 1 and 5).

Deck 1 ("How to tune hyperparameter"): to find good hyperparameters by cross-validation, random
search is more efficient than grid search. Deck 5's exercise is the Boston regression. Here the
two meet the way lecture notes for tf.keras do it (Hands-On Machine Learning, chapter 10): the
model builder `build_model(n_hidden, n_neurons, learning_rate)` is wrapped in a scikit-learn
estimator (`neuroflow.wrappers.KerasRegressor`, tf.keras' `keras.wrappers.scikit_learn.KerasRegressor`)
and scikit-learn's `RandomizedSearchCV` draws `n_iter` settings: the number of hidden layers
(1-3), their width (16-128) and rmsprop's learning rate (log-uniform in [3e-4, 3e-2]). Each is
scored by K-fold cross-validation on the 404 training houses (mean absolute error, in $1,000s);
the best is refitted on all of them and tested on the 102 held-out houses.

Needs scikit-learn (`pip install "neuroflow[sklearn]"`); without it the script says so and stops.
Run it with `python examples/random_search_cv.py [--epochs N] [--samples N] [--iterations N] [--folds K]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args

import neuroflow
from neuroflow import layers, models, optimizers
from neuroflow.datasets import boston_housing

EXPECTED = ("best cross-validated MAE about 2.5 in $1,000s (the book's 4-fold validation: 2.5); "
            "test MAE of the refitted best model about 2.5-3")
MISSING = 'scikit-learn is not installed; this example needs it: pip install "neuroflow[sklearn]"'


def build_model(n_hidden=2, n_neurons=64, learning_rate=1e-3, input_shape=(13,)):
    """The MLP of the search: `n_hidden` ReLU layers of `n_neurons`, one linear output, rmsprop on the MSE."""
    model = models.Sequential([layers.Input(shape=input_shape)])
    for _ in range(n_hidden):
        model.add(layers.Dense(n_neurons, activation="relu"))
    model.add(layers.Dense(1))
    model.compile(optimizer=optimizers.RMSprop(learning_rate=learning_rate), loss="mse", metrics=["mae"])
    return model


def main(epochs=100, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0, iterations=10, folds=3,
         batch_size=16):
    """Random search over the MLP's hyperparameters, each scored by K-fold cross-validation.

    Args:
        epochs: epochs of every fit (each fold, and the final refit).
        samples: use the first N training houses only (None: all 404).
        verbose: 0 silent, 1 one line per candidate and the result.
        plot_dir: accepted like every example's; this one draws no plot.
        seed: seed of the weights, of the folds and of the drawn candidates.
        iterations: candidates drawn (`n_iter` of RandomizedSearchCV).
        folds: K of the cross-validation (`cv`).
        batch_size: mini-batch size of every fit.

    Returns:
        dict with `best_params` (n_hidden, n_neurons, learning_rate), `best_score` (the best mean
        validation MAE, in $1,000s), `candidates` (params and MAE of each), `test_mae`, `plot` (None),
        `measured`; when scikit-learn is missing: `best_params` None, `skipped` True and `measured`
        saying why.
    """
    try:
        from scipy.stats import loguniform
        from sklearn.model_selection import KFold, RandomizedSearchCV
    except ImportError:
        print(MISSING)
        return {"best_params": None, "best_score": None, "candidates": [], "test_mae": None, "plot": None,
                "skipped": True, "measured": f"not run: {MISSING}"}
    from neuroflow.wrappers import KerasRegressor

    (train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()
    if samples:
        train_data, train_targets = train_data[:samples], train_targets[:samples]
    # Normalized with the training set's statistics, as in the book; the folds share them (a
    # Pipeline with a StandardScaler would refit them per fold, at the cost of prefixed names).
    mean, std = train_data.mean(axis=0), train_data.std(axis=0)
    train_data = ((train_data - mean) / std).astype("float32")
    test_data = ((test_data - mean) / std).astype("float32")

    distributions = {
        "n_hidden": [1, 2, 3],
        "n_neurons": [16, 32, 64, 128],
        "learning_rate": loguniform(3e-4, 3e-2),
    }
    neuroflow.set_random_seed(seed)
    regressor = KerasRegressor(build_model, epochs=epochs, batch_size=batch_size, verbose=0)
    search = RandomizedSearchCV(regressor, distributions, n_iter=iterations, random_state=seed,
                                cv=KFold(folds, shuffle=True, random_state=seed),
                                scoring="neg_mean_absolute_error", verbose=0)
    start = time.perf_counter()
    search.fit(train_data, train_targets.astype("float32"))
    seconds = time.perf_counter() - start

    candidates = [{"params": _plain(params), "mae": float(-score)}
                  for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"])]
    if verbose:
        for candidate in candidates:
            print(f"{_describe(candidate['params'])}: {folds}-fold validation MAE {candidate['mae']:.3f}")
    best_params = _plain(search.best_params_)
    best_score = float(-search.best_score_)
    predictions = search.best_estimator_.predict(test_data)
    test_mae = float(numpy.mean(numpy.abs(predictions - test_targets)))
    measured = (f"best of {iterations} ({_describe(best_params)}): {folds}-fold validation MAE {best_score:.3f}; "
                f"test MAE {test_mae:.3f} ({seconds:.0f} s)")
    print(measured)
    return {"best_params": best_params, "best_score": best_score, "candidates": candidates, "test_mae": test_mae,
            "plot": None, "measured": measured}


def _plain(params):
    """Search parameters as plain Python numbers (numpy scalars print as `np.int64(64)`)."""
    return {name: value.item() if hasattr(value, "item") else value for name, value in params.items()}


def _describe(params):
    return (f"{params['n_hidden']} x Dense({params['n_neurons']}), "
            f"learning rate {params['learning_rate']:.2g}")


if __name__ == "__main__":
    def _extra(parser):
        parser.add_argument("--iterations", type=int, default=10, help="candidates drawn (default: 10)")
        parser.add_argument("--folds", type=int, default=3, help="K of the cross-validation (default: 3)")

    arguments = parse_args(__doc__, epochs=100, samples_help="use the first N training houses only", extra=_extra)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir,
         iterations=arguments.iterations, folds=arguments.folds)
