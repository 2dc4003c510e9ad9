"""The classic first Keras program: a two-layer MLP on MNIST (Deep Learning with Python, ch. 2).

Run it with `./run demo`, or `python examples/mnist_mlp.py [--epochs N] [--samples N] [--plot-dir D]`.
With `keras` replaced by `neuroflow`, this is the program every Keras course starts with.
Deck 3 of the lecture notes shows it reaching test_acc 0.9804 after 5 epochs.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import mnist
from neuroflow.utils import to_categorical

EXPECTED = "test accuracy about 0.98 (deck 3: 0.9804)"


def main(epochs=5, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains Dense(512, relu) - Dense(10, softmax) with rmsprop, batch 128, 10% validation split.

    Args:
        epochs: training epochs (the book: 5).
        samples: train on the first N images only (None: all 60,000); the test set stays whole.
        verbose: 0 silent, 1 progress bars and the summary.
        plot_dir: folder for `mnist_mlp.png` (None: no plot).
        seed: seed of the weights, dropout and shuffling.

    Returns:
        dict with `test_loss`, `test_accuracy`, `train_seconds`, `history`, `plot` (path or None)
        and `measured` (one line for the results table).
    """
    neuroflow.set_random_seed(seed)
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    if samples:
        train_images, train_labels = train_images[:samples], train_labels[:samples]
    train_images = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255
    train_labels = to_categorical(train_labels, 10)
    test_labels = to_categorical(test_labels, 10)

    network = models.Sequential()
    network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
    network.add(layers.Dense(10, activation="softmax"))
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    if verbose:
        network.summary()

    start = time.perf_counter()
    history = network.fit(train_images, train_labels, epochs=epochs, batch_size=128, validation_split=0.1,
                          verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = network.evaluate(test_images, test_labels, verbose=0)
    print(f"test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} ({seconds:.1f} s of training)")
    plot = save_history_plot(history, plot_dir, "mnist_mlp", title="MNIST, Dense(512) - Dense(10), rmsprop")
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": seconds,
            "plot": plot, "measured": f"test accuracy {test_acc:.4f}"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=5, samples_help="train on the first N images only")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
