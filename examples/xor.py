"""XOR: one layer cannot learn it, two layers can (decks 1 and 2: Minsky and Papert, then the MLP).

XOR's four points are not linearly separable: a single Dense(1, sigmoid) draws one line and so
gets at most 3 of the 4 right. A hidden layer, Dense(8, tanh) - Dense(1, sigmoid), bends the
boundary and gets all 4. Both are trained the same way: binary cross-entropy, adam with learning
rate 0.05, the four points as one batch.

Run it with `python examples/xor.py [--epochs N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models, optimizers

X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
Y = numpy.array([[0], [1], [1], [0]], dtype="float32")
EXPECTED = "single layer at most 0.75 accuracy; two layers 1.00"


def _train(model, epochs):
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, Y, epochs=epochs, batch_size=4, verbose=0)
    predictions = model.predict(X, verbose=0)
    accuracy = float(numpy.mean((predictions > 0.5) == Y))
    return history, predictions.ravel(), accuracy


def main(epochs=300, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=3):
    """Trains a single-layer and a two-layer network on XOR and reports both accuracies.

    Args:
        epochs: training epochs for both networks.
        samples: ignored (XOR has four points); accepted so every example takes the same arguments.
        verbose: 0 silent, 1 the figures.
        plot_dir: folder for `xor.png`, the loss of both networks per epoch (None: no plot).
        seed: seed of the weights.

    Returns:
        dict with `single_layer_accuracy`, `two_layer_accuracy`, the predictions of both, `plot`, `measured`.
    """
    start = time.perf_counter()
    neuroflow.set_random_seed(seed)
    single = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    single_history, single_predictions, single_accuracy = _train(single, epochs)
    neuroflow.set_random_seed(seed)
    two = models.Sequential([layers.Dense(8, activation="tanh", input_shape=(2,)),
                             layers.Dense(1, activation="sigmoid")])
    two_history, two_predictions, two_accuracy = _train(two, epochs)
    seconds = time.perf_counter() - start
    if verbose:
        for name, predictions, accuracy in (("single layer", single_predictions, single_accuracy),
                                            ("two layers", two_predictions, two_accuracy)):
            print(f"{name:13}: outputs for (0,0) (0,1) (1,0) (1,1) = "
                  f"{' '.join(f'{p:.3f}' for p in predictions)} -> accuracy {accuracy:.2f}")
    curves = {"single-layer loss": single_history.history["loss"], "two-layer loss": two_history.history["loss"]}
    plot = save_history_plot(curves, plot_dir, "xor", title="XOR: binary cross-entropy per epoch")
    return {"single_layer_accuracy": single_accuracy, "two_layer_accuracy": two_accuracy,
            "single_layer_predictions": single_predictions, "two_layer_predictions": two_predictions,
            "train_seconds": seconds, "plot": plot,
            "measured": f"single layer {single_accuracy:.2f}; two layers {two_accuracy:.2f}"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=300, samples_help="ignored: XOR has four points")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
