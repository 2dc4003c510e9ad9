"""Overfitting and its cures on IMDB: the original network against a smaller one, L2 and dropout (deck 2).

The deck's cures for overfitting (a smaller network, the L2 penalty E + 1/2 lambda W^2, dropout)
measured as Deep Learning with Python does in section 4.4: reviews as multi-hot vectors over the
10,000 most frequent words, trained 20 epochs with rmsprop and batch 512, the 25,000 test reviews
as validation data, and the validation loss compared per epoch:

- original: Dense(16, relu) - Dense(16, relu) - Dense(1, sigmoid)
- smaller:  Dense(4, relu) - Dense(4, relu) - Dense(1, sigmoid)
- L2:       the original with kernel_regularizer=l2(0.001) on both hidden layers
- dropout:  the original with Dropout(0.5) after each hidden layer

The book's findings: the smaller network starts overfitting later and its validation loss rises
more slowly; the L2 and the dropout models resist overfitting much better than the original.
(The deck's other tuning exercise, the MNIST hyper-parameter table, is examples/mnist_tuning.py.)

Run it with `python examples/overfitting_cures.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import layers, models, regularizers
from neuroflow.datasets import imdb
from neuroflow.utils import multi_hot_sequences

NUM_WORDS = 10000
EXPECTED = ("Deep Learning with Python 4.4: the smaller network overfits later and more slowly than the original; "
            "L2 and dropout resist overfitting much better (lower validation loss late in training)")


def build(name):
    """One of the four networks, compiled as the book compiles them."""
    units = 4 if name == "smaller" else 16
    regularizer = regularizers.L2(0.001) if name == "L2" else None
    stack = [layers.Input((NUM_WORDS,))]
    for _ in range(2):
        stack.append(layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
        if name == "dropout":
            stack.append(layers.Dropout(0.5))
    stack.append(layers.Dense(1, activation="sigmoid"))
    model = models.Sequential(stack)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _draw(runs, plot_dir):
    figure = new_figure((14, 3.6)) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(1, 3)
    original = runs["original"]["val_loss"]
    epochs = range(1, len(original) + 1)
    for ax, cure in zip(axes, ("smaller", "L2", "dropout")):
        ax.plot(epochs, original, "b+", label="original", markersize=8)
        ax.plot(epochs, runs[cure]["val_loss"], "bo", label=cure, markersize=4)
        ax.set_title(f"validation loss: original vs {cure}", fontsize=9)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    figure.tight_layout()
    output = plot_path(plot_dir, "overfitting_cures")
    figure.savefig(output, dpi=70)
    print(f"plot saved to {output}")
    return output


def main(epochs=20, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the four networks and compares their validation losses.

    Args:
        epochs: training epochs of each network (the book: 20).
        samples: use the first N training and N test reviews (None: 25,000 each).
        verbose: 0 silent, 1 a line per network.
        plot_dir: folder for `overfitting_cures.png` (None: no plot).
        seed: seed of the weights, dropout and shuffling.

    Returns:
        dict with `runs` (per network: val_loss per epoch, best_epoch, best and last val_loss,
        val_accuracy), `plot`, `measured`.
    """
    (train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=NUM_WORDS)
    if samples:
        train_data, train_labels = train_data[:samples], train_labels[:samples]
        test_data, test_labels = test_data[:samples], test_labels[:samples]
    x_train, x_test = multi_hot_sequences(train_data, NUM_WORDS), multi_hot_sequences(test_data, NUM_WORDS)
    y_train = numpy.asarray(train_labels, dtype="float32")
    y_test = numpy.asarray(test_labels, dtype="float32")
    runs = {}
    for name in ("original", "smaller", "L2", "dropout"):
        neuroflow.set_random_seed(seed)
        model = build(name)
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=512, validation_data=(x_test, y_test),
                            verbose=0)
        val_loss = history.history["val_loss"]
        best = int(numpy.argmin(val_loss)) + 1
        runs[name] = {"val_loss": val_loss, "loss": history.history["loss"], "best_epoch": best,
                      "best_val_loss": float(min(val_loss)), "last_val_loss": float(val_loss[-1]),
                      "val_accuracy": float(history.history["val_accuracy"][-1])}
        if verbose:
            print(f"{name:8}: least val_loss {min(val_loss):.4f} at epoch {best}, val_loss after {epochs} epochs "
                  f"{val_loss[-1]:.4f}, val_accuracy {runs[name]['val_accuracy']:.4f}")
    plot = _draw(runs, plot_dir)
    measured = "; ".join(f"{name}: least val_loss {run['best_val_loss']:.3f} at epoch {run['best_epoch']}, "
                         f"{run['last_val_loss']:.3f} at epoch {epochs}" for name, run in runs.items())
    return {"runs": runs, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=20)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
