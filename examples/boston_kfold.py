"""Boston house prices by regression with 4-fold cross-validation (Deep Learning with Python 3.6, deck 5).

The 13 features are normalized feature-wise with the training set's mean and standard deviation
(x - mean) / std; the test set is normalized with the same training statistics. The network is
Dense(64, relu) - Dense(64, relu) - Dense(1) (no activation: a scalar regression), trained with
rmsprop on the mean squared error and monitored with the mean absolute error (in $1,000s).

With only 404 training houses, one validation split is too noisy to judge a model, so K = 4 fold
cross-validation trains 4 models, each validated on a different quarter: the score is the mean of
the 4 validation MAEs (the book: about 2.5 after 100 epochs, batch 16). A final model is then
trained on all 404 houses (130 epochs, batch 16) and tested on the 102 held-out ones.

Run it with `python examples/boston_kfold.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import boston_housing

EXPECTED = (
    "mean 4-fold validation MAE about 2.5, in $1,000s; final model test MAE about 2.5 "
    "(Deep Learning with Python 3.6: 2.55 in the 1st edition)"
)


def build(features):
    model = models.Sequential([
        layers.Dense(64, activation="relu", input_shape=(features,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def main(epochs=100, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0, folds=4, final_epochs=130):
    """K-fold validation of the regression network, then a final model tested on the test set.

    Args:
        epochs: epochs per fold (the book: 100).
        samples: use the first N training houses only (None: all 404).
        verbose: 0 silent, 1 one line per fold.
        plot_dir: folder for `boston_kfold.png`, MAE per epoch averaged over the folds (None: no plot).
        seed: seed of the weights and shuffling.
        folds: K (the book: 4).
        final_epochs: epochs of the final model on all training data (0 skips it).

    Returns:
        dict with `fold_mae` (validation MAE of each fold), `mean_validation_mae`, `test_mae`
        (final model, or None), `plot`, `measured`.
    """
    (train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()
    if samples:
        train_data, train_targets = train_data[:samples], train_targets[:samples]
    # Feature-wise normalization with training statistics only: the test set must not leak into them.
    mean = train_data.mean(axis=0)
    std = train_data.std(axis=0)
    train_data = ((train_data - mean) / std).astype("float32")
    test_data = ((test_data - mean) / std).astype("float32")
    train_targets = train_targets.astype("float32")
    test_targets = test_targets.astype("float32")

    fold_size = len(train_data) // folds
    fold_mae, curves = [], {"mae": [], "val_mae": []}
    for fold in range(folds):
        validation = slice(fold * fold_size, (fold + 1) * fold_size)
        x_val, y_val = train_data[validation], train_targets[validation]
        x_rest = numpy.concatenate([train_data[:validation.start], train_data[validation.stop:]])
        y_rest = numpy.concatenate([train_targets[:validation.start], train_targets[validation.stop:]])
        neuroflow.set_random_seed(seed + fold)
        model = build(train_data.shape[1])
        history = model.fit(x_rest, y_rest, validation_data=(x_val, y_val), epochs=epochs, batch_size=16,
                            verbose=0)
        val_mse, val_mae = model.evaluate(x_val, y_val, verbose=0)
        fold_mae.append(float(val_mae))
        curves["mae"].append(history.history["mae"])
        curves["val_mae"].append(history.history["val_mae"])
        if verbose:
            print(f"fold {fold + 1}/{folds}: validation MAE {val_mae:.3f}")
    mean_mae = float(numpy.mean(fold_mae))
    print(f"all fold scores: {[round(m, 3) for m in fold_mae]}; mean validation MAE {mean_mae:.3f}")
    averaged = {name: numpy.mean(values, axis=0).tolist() for name, values in curves.items()}
    plot = save_history_plot(averaged, plot_dir, "boston_kfold", metrics=["mae"],
                             title=f"Boston housing: MAE per epoch, mean of {folds} folds")

    test_mae = None
    if final_epochs:
        neuroflow.set_random_seed(seed)
        model = build(train_data.shape[1])
        start = time.perf_counter()
        model.fit(train_data, train_targets, epochs=final_epochs, batch_size=16, verbose=0)
        test_mse, test_mae = model.evaluate(test_data, test_targets, verbose=0)
        print(f"final model ({final_epochs} epochs on all {len(train_data)} houses): test MAE {test_mae:.3f} "
              f"({time.perf_counter() - start:.1f} s)")
    measured = f"mean validation MAE {mean_mae:.3f} (folds {', '.join(f'{m:.2f}' for m in fold_mae)})"
    if test_mae is not None:
        measured += f"; test MAE {test_mae:.3f}"
    return {"fold_mae": fold_mae, "mean_validation_mae": mean_mae, "test_mae": test_mae,
            "validation_curve": averaged["val_mae"], "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=100, samples_help="use the first N training houses only")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
