"""MNIST convnet (the Keras example's): neuroflow vs Keras 3 on JAX and PyTorch eager.

Conv2D(32, 3, relu) - MaxPooling2D - Conv2D(64, 3, relu) - MaxPooling2D - Flatten - Dropout(0.5) -
Dense(10, softmax), as examples/mnist_cnn.py builds it; Adam (Keras' defaults), categorical
cross-entropy, batch 128, float32, on the first `train_samples` MNIST images (40 batches) for 3
epochs, tested on the first 2000 test images (_harness.py runs the contenders and takes the figures).

    python benchmarks/cnn_epoch.py [--pin] [--peer-python PYTHON] [--json cnn.json]

Target (issue 15): at most 1.0x the fastest of PyTorch eager and Keras-JAX, per steady epoch and for
the whole fit. For convolutional networks neuroflow runs OpenBLAS on one thread and splits the
convolution products and the elementwise work over the cores itself (ops/parallel.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"epochs": 3, "batch_size": 128, "train_samples": 5120, "test_samples": 2000, "seed": 0,
          "eval_batch_size": 500}
TARGETS = {"keras_jax": 1.0, "torch": 1.0}
FIT_TARGETS = {"keras_jax": 1.0, "torch": 1.0}


def prepare(config):
    """Images in [0, 1] with a channel axis (samples, 28, 28, 1) and integer labels."""
    import numpy

    from neuroflow.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    train, test = config["train_samples"], config["test_samples"]
    return {"x_train": numpy.expand_dims(x_train[:train].astype(numpy.float32) / 255, -1),
            "y_train": y_train[:train].astype(numpy.int64),
            "x_test": numpy.expand_dims(x_test[:test].astype(numpy.float32) / 255, -1),
            "y_test": y_test[:test].astype(numpy.int64)}


def _one_hot(labels):
    import numpy
    return numpy.eye(10, dtype=numpy.float32)[labels]


def _keras_style_model(library):
    layers = library.layers
    model = library.models.Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def run_neuroflow(config):
    neuroflow = _harness.timed_import("neuroflow")
    data = _harness.load_data(config)
    neuroflow.random.set_random_seed(config["seed"])
    return _harness.fit_timed(neuroflow, _keras_style_model(neuroflow), data["x_train"], _one_hot(data["y_train"]),
                              data["x_test"], _one_hot(data["y_test"]), config)


def run_keras_jax(config):
    keras = _harness.import_keras()
    data = _harness.load_data(config)
    keras.utils.set_random_seed(config["seed"])
    return _harness.fit_timed(keras, _keras_style_model(keras), data["x_train"], _one_hot(data["y_train"]),
                              data["x_test"], _one_hot(data["y_test"]), config)


def run_torch(config):
    torch = _harness.import_torch(config)
    data = _harness.load_data(config)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(1600, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def channels_first(images):
        return images.transpose(0, 3, 1, 2).copy()

    return _harness.train_torch(torch, model, optimizer, channels_first(data["x_train"]), data["y_train"],
                                channels_first(data["x_test"]), data["y_test"], config)


CONTENDERS = {"neuroflow": run_neuroflow, "keras_jax": run_keras_jax, "torch": run_torch}

if __name__ == "__main__":
    _harness.run_benchmark(__doc__, CONTENDERS, CONFIG, prepare, __file__, TARGETS, FIT_TARGETS)
