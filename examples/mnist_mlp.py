"""The classic first Keras program: a two-layer MLP on MNIST (Deep Learning with Python, ch. 2).

Run it with `./run demo`, or `python examples/mnist_mlp.py [--epochs N] [--samples N]`.
With `keras` replaced by `neuroflow`, this is the program every Keras course starts with.
"""
import argparse
import time

from neuroflow import layers, models
from neuroflow.datasets import mnist
from neuroflow.utils import to_categorical


def main(epochs=5, samples=None, verbose=1):
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    if samples:
        train_images, train_labels = train_images[:samples], train_labels[:samples]
    train_images = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    train_labels, test_labels = to_categorical(train_labels), to_categorical(test_labels)

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
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=None, help="train on the first N images only")
    arguments = parser.parse_args()
    main(epochs=arguments.epochs, samples=arguments.samples)
