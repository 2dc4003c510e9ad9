"""A simple convnet on MNIST, as in the Keras example "Simple MNIST convnet" (~99% test accuracy).

Run it with `python examples/mnist_cnn.py [--epochs N] [--samples N]`. With `keras` replaced by
`neuroflow`, this is the Keras example program. It is slow on a CPU in pure NumPy (see
benchmarks/cnn_epoch.py for the time per epoch); `--samples 5000 --epochs 2` is a quick look.
"""
import argparse
import time

import numpy

from neuroflow import layers, models
from neuroflow.datasets import mnist
from neuroflow.utils import to_categorical


def build_model():
    """Conv2D(32) - MaxPooling2D - Conv2D(64) - MaxPooling2D - Flatten - Dropout(0.5) - Dense(10)."""
    return models.Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def load(samples=None):
    """MNIST scaled to [0, 1] with a channel axis, one-hot labels."""
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    if samples:
        x_train, y_train = x_train[:samples], y_train[:samples]
    x_train = numpy.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = numpy.expand_dims(x_test.astype("float32") / 255, -1)
    return (x_train, to_categorical(y_train, 10)), (x_test, to_categorical(y_test, 10))


def main(epochs=12, samples=None, verbose=1, test_samples=None):
    (x_train, y_train), (x_test, y_test) = load(samples)
    if test_samples:
        x_test, y_test = x_test[:test_samples], y_test[:test_samples]
    model = build_model()
    if verbose:
        model.summary()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_split=0.1, verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} ({seconds:.1f} s of training)")
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12, help="training epochs (12 reaches ~99%% test accuracy)")
    parser.add_argument("--samples", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--verbose", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.epochs, arguments.samples, arguments.verbose)
