"""Logistic regression as a network with no hidden layer (deck 5, "Simple Logistic Regression").

The deck's exercise tells cats from non-cats with one Dense(1, sigmoid) unit on the pixels; that
image set is not available offline, so this script uses a 2-class problem whose best possible
accuracy is known exactly: two Gaussian clouds in the plane, N(+mu, I) for class 1 and N(-mu, I)
for class 0, equally likely. The Bayes classifier is the line mu . x = 0 (which logistic
regression can represent), with accuracy Phi(|mu|) = 0.5 (1 + erf(|mu| / sqrt 2)).

The model is Dense(1, activation="sigmoid") on the 2 inputs, binary cross-entropy, sgd
(learning rate 0.1), batch 32; accuracy is measured on a fresh test sample.

Run it with `python examples/logistic_regression.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import math
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path, save_history_plot

import neuroflow
from neuroflow import layers, models, optimizers

MU = numpy.array([1.0, 0.5])
BAYES_ACCURACY = 0.5 * (1 + math.erf(float(numpy.linalg.norm(MU)) / math.sqrt(2)))
EXPECTED = f"test accuracy about {BAYES_ACCURACY:.3f} (the Bayes optimum Phi(|mu|); cat images not offline)"


def make_data(count, rng):
    """`count` points, half from N(+MU, I) labelled 1 and half from N(-MU, I) labelled 0, shuffled."""
    labels = numpy.arange(count) % 2
    points = rng.randn(count, 2) + numpy.where(labels[:, None] == 1, MU, -MU)
    order = rng.permutation(count)
    return points[order].astype("float32"), labels[order].astype("float32").reshape(-1, 1)


def main(epochs=30, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the no-hidden-layer network and compares its test accuracy with the Bayes optimum.

    Args:
        epochs: training epochs.
        samples: training points (None: 2,000); the test sample has 10,000.
        verbose: 0 silent, 1 the figures, 2 also Keras progress bars.
        plot_dir: folder for `logistic_regression.png` (loss and accuracy per epoch) and
            `logistic_regression_boundary.png` (test points and the learned line); None: no plots.
        seed: seed of the data, the weights and the shuffling.

    Returns:
        dict with `test_accuracy`, `bayes_accuracy`, `angle_degrees` (between the learned normal
        vector and mu), `history`, `plot`, `boundary_plot`, `measured`.
    """
    rng = numpy.random.RandomState(seed)
    x_train, y_train = make_data(samples or 2000, rng)
    x_test, y_test = make_data(10000, rng)

    neuroflow.set_random_seed(seed)
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.2,
                        verbose=2 if verbose > 1 else 0)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    kernel, bias = (numpy.asarray(w.numpy()) for w in model.layers[0].weights)
    normal = kernel.ravel()
    cosine = float(normal @ MU / (numpy.linalg.norm(normal) * numpy.linalg.norm(MU)))
    angle = math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
    if verbose:
        print(f"learned p(class 1) = sigmoid({normal[0]:.3f} x1 + {normal[1]:.3f} x2 + {float(bias[0]):.3f}); "
              f"angle to mu {angle:.1f} degrees")
        print(f"test_acc: {test_acc:.4f} (Bayes optimum {BAYES_ACCURACY:.4f}; {seconds:.1f} s of training)")

    plot = save_history_plot(history, plot_dir, "logistic_regression", title="Logistic regression (no hidden layer)")
    boundary_plot = None
    figure = new_figure((4.5, 4)) if plot_dir is not None else None
    if figure is not None:
        ax = figure.subplots()
        shown = slice(0, 1000)
        colors = numpy.where(y_test[shown].ravel() == 1, "tab:red", "tab:blue")
        ax.scatter(x_test[shown, 0], x_test[shown, 1], c=colors, s=4)
        line = numpy.linspace(-4, 4, 2)
        if abs(normal[1]) > 1e-8:
            ax.plot(line, -(normal[0] * line + float(bias[0])) / normal[1], "k-", label="network: p = 0.5")
        ax.plot(line, -MU[0] * line / MU[1], "g--", label="Bayes: mu . x = 0")
        ax.set_xlim(-4, 4)
        ax.set_ylim(-4, 4)
        ax.set_title(f"test accuracy {test_acc:.3f} (Bayes {BAYES_ACCURACY:.3f})")
        ax.legend(loc="lower right")
        figure.tight_layout()
        boundary_plot = plot_path(plot_dir, "logistic_regression_boundary")
        figure.savefig(boundary_plot, dpi=80)
        print(f"plot saved to {boundary_plot}")
    return {"test_loss": test_loss, "test_accuracy": test_acc, "bayes_accuracy": BAYES_ACCURACY,
            "angle_degrees": angle, "history": history, "train_seconds": seconds, "plot": plot,
            "boundary_plot": boundary_plot,
            "measured": f"test accuracy {test_acc:.4f} (Bayes {BAYES_ACCURACY:.4f})"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=30, samples_help="number of training points (default 2,000)")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
