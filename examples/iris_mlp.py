"""Classification of Iris flowers by an MLP (decks 1, 2 and 5: "Classification Example for IRIS data").

Four measurements (cm) of 150 flowers, three species. The features are standardized with the
training set's mean and standard deviation; the network is Dense(16, relu) - Dense(16, relu) -
Dense(3, softmax), trained with adam on sparse categorical cross-entropy (labels stay 0, 1, 2),
batch 16. 120 flowers train it (20% of them validate each epoch), 30 test it.

Run it with `python examples/iris_mlp.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import iris

EXPECTED = "test accuracy about 0.97 (no figure in the course; at most 1 or 2 of the 30 test flowers wrong)"


def main(epochs=100, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the MLP on 120 flowers and tests it on the other 30.

    Args:
        epochs: training epochs.
        samples: train on the first N of the 120 training flowers only (None: all).
        verbose: 0 silent, 1 the final figures, 2 also Keras progress bars.
        plot_dir: folder for `iris_mlp.png` (None: no plot).
        seed: seed of the weights and shuffling.

    Returns:
        dict with `test_accuracy`, `test_loss`, `confusion` (3x3, rows true, columns predicted),
        `history`, `train_seconds`, `plot`, `measured`.
    """
    neuroflow.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = iris.load_data()
    if samples:
        x_train, y_train = x_train[:samples], y_train[:samples]
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(4,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=16, validation_split=0.2,
                        verbose=2 if verbose > 1 else 0)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    predicted = numpy.argmax(model.predict(x_test, verbose=0), axis=1)
    confusion = numpy.zeros((3, 3), dtype=int)
    numpy.add.at(confusion, (y_test, predicted), 1)
    if verbose:
        print(f"test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} ({seconds:.1f} s of training)")
        print("confusion (rows: true " + ", ".join(iris.CLASS_NAMES) + "):\n" + str(confusion))
    plot = save_history_plot(history, plot_dir, "iris_mlp", title="Iris: Dense(16) - Dense(16) - Dense(3)")
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "confusion": confusion,
            "train_seconds": seconds, "plot": plot,
            "measured": f"test accuracy {test_acc:.4f} ({int(confusion.trace())}/{len(y_test)})"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=100, samples_help="train on the first N training flowers only")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
