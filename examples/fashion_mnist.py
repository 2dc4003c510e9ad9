"""TensorFlow 2's quick-start network (deck 5) on Fashion-MNIST: Flatten - Dense(128) - Dropout(0.2) - Dense(10).

The deck's Sequential API example, trained for 5 epochs with adam and sparse categorical
cross-entropy, with Keras' default batch size of 32. The deck shows the Fashion-MNIST dataset
but no accuracy for it.

Run it with `python examples/fashion_mnist.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import fashion_mnist

EXPECTED = "test accuracy about 0.87 (no figure in the course; usual for this network on Fashion-MNIST)"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")


def main(epochs=5, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the quick-start network on Fashion-MNIST and evaluates it on the 10,000 test images.

    Args:
        epochs: training epochs (the quick start: 5).
        samples: train on the first N images and test on the first N test images (None: all).
        verbose: 0 silent, 1 progress bars.
        plot_dir: folder for `fashion_mnist.png` (None: no plot).
        seed: seed of the weights, dropout and shuffling.

    Returns:
        dict with `test_loss`, `test_accuracy`, `train_seconds`, `history`, `plot`, `measured`.
    """
    neuroflow.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    if samples:
        x_train, y_train, x_test, y_test = x_train[:samples], y_train[:samples], x_test[:samples], y_test[:samples]
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = models.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} ({seconds:.1f} s of training)")
    plot = save_history_plot(history, plot_dir, "fashion_mnist",
                             title="Fashion-MNIST, TensorFlow 2 quick-start network")
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": seconds,
            "plot": plot, "measured": f"test accuracy {test_acc:.4f}"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=5)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
