"""The classic first Keras program on real MNIST reaches >= 0.97 test accuracy after 5 epochs."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.utils import to_categorical
from tests.conftest import shared_data_path

MNIST = shared_data_path("mnist.npz")


@pytest.mark.skipif(MNIST is None, reason="../shared/data/mnist.npz is absent (offline copy of MNIST not available)")
def test_classic_mnist_mlp_reaches_97_percent():
    from neuroflow.datasets import mnist

    neuroflow.set_random_seed(0)
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data(path=str(MNIST))
    train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    train_labels, test_labels = to_categorical(train_labels), to_categorical(test_labels)
    network = models.Sequential()
    network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
    network.add(layers.Dense(10, activation="softmax"))
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = network.fit(train_images, train_labels, epochs=5, batch_size=128, validation_split=0.1, verbose=0)
    test_loss, test_acc = network.evaluate(test_images, test_labels, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert test_acc >= 0.97
    assert numpy.isfinite(test_loss)
