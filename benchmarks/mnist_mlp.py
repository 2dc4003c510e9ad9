"""MNIST MLP 784-512-10, RMSprop: neuroflow vs Keras 3 on JAX, PyTorch eager, hand NumPy and the GEMM floor.

The classic first Keras program: Dense(512, relu) - Dense(10, softmax), RMSprop (lr 0.001, rho 0.9,
epsilon 1e-7), categorical cross-entropy, batch 128, 5 epochs, float32, reshuffled every epoch,
training loss and accuracy tracked per batch (as Keras' fit does). Each contender runs in its own
subprocess with the same thread count (_harness.py); the figure is the median steady epoch (the
first epoch's one-off costs drop out), then test accuracy as a check that all learned the same thing.
The "gemm" contender runs only the matrix products of each training step (forward, input gradient,
weight gradient) into preallocated buffers: the floor that no framework on the same BLAS goes under.

    python benchmarks/mnist_mlp.py                        # wall seconds, all cores
    python benchmarks/mnist_mlp.py --pin                  # CPU seconds of a 1-thread run on core 0
    python benchmarks/mnist_mlp.py --peer-python .peers/bin/python --json mnist.json

benchmarks/mlp_large.py runs the same contenders on 784-1024-1024-10 with Adam.
Targets (issue 15): neuroflow at most 1.0x Keras-JAX and at most 1.3x the GEMM floor.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"epochs": 5, "batch_size": 128, "hidden": [512], "optimizer": "rmsprop", "learning_rate": 0.001,
          "rho": 0.9, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "seed": 0}
TARGETS = {"keras_jax": 1.0, "torch": 1.0, "numpy": 1.0, "gemm": 1.3}


def prepare(config):
    """Flattened float32 images in [0, 1] and integer labels."""
    import numpy

    from neuroflow.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    return {"x_train": x_train.reshape(len(x_train), 784).astype(numpy.float32) / 255,
            "y_train": y_train.astype(numpy.int64),
            "x_test": x_test.reshape(len(x_test), 784).astype(numpy.float32) / 255,
            "y_test": y_test.astype(numpy.int64)}


def _layer_sizes(config):
    return [784] + list(config["hidden"]) + [10]


def _one_hot(labels):
    import numpy
    return numpy.eye(10, dtype=numpy.float32)[labels]


def _keras_style_model(library, config):
    """The same Sequential model in neuroflow or Keras (their APIs agree), compiled."""
    layers = library.layers
    stack = [layers.Input(shape=(784,))] + [layers.Dense(units, activation="relu") for units in config["hidden"]]
    model = library.models.Sequential(stack + [layers.Dense(10, activation="softmax")])
    if config["optimizer"] == "rmsprop":
        optimizer = library.optimizers.RMSprop(learning_rate=config["learning_rate"], rho=config["rho"],
                                               epsilon=config["epsilon"])
    else:
        optimizer = library.optimizers.Adam(learning_rate=config["learning_rate"], beta_1=config["beta_1"],
                                            beta_2=config["beta_2"], epsilon=config["epsilon"])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def run_neuroflow(config):
    neuroflow = _harness.timed_import("neuroflow")
    data = _harness.load_data(config)
    neuroflow.random.set_random_seed(config["seed"])
    model = _keras_style_model(neuroflow, config)
    return _harness.fit_timed(neuroflow, model, data["x_train"], _one_hot(data["y_train"]), data["x_test"],
                              _one_hot(data["y_test"]), config)


def run_keras_jax(config):
    keras = _harness.import_keras()
    data = _harness.load_data(config)
    keras.utils.set_random_seed(config["seed"])
    model = _keras_style_model(keras, config)
    return _harness.fit_timed(keras, model, data["x_train"], _one_hot(data["y_train"]), data["x_test"],
                              _one_hot(data["y_test"]), config)


def run_torch(config):
    torch = _harness.import_torch(config)
    data = _harness.load_data(config)
    sizes = _layer_sizes(config)
    modules = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        linear = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(linear.weight)  # Keras' defaults: glorot_uniform kernel, zero bias
        torch.nn.init.zeros_(linear.bias)
        modules += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*modules[:-1])  # logits: the softmax is inside the loss
    if config["optimizer"] == "rmsprop":
        # torch's alpha is Keras' rho; its epsilon sits outside the square root (Keras: inside), a
        # difference far below float32 noise at 1e-7.
        optimizer = torch.optim.RMSprop(model.parameters(), lr=config["learning_rate"], alpha=config["rho"],
                                        eps=config["epsilon"])
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"],
                                     betas=(config["beta_1"], config["beta_2"]), eps=config["epsilon"])
    return _harness.train_torch(torch, model, optimizer, data["x_train"], data["y_train"], data["x_test"],
                                data["y_test"], config)


def run_numpy(config):
    """The loop a student who knows NumPy well would write: a list of layers, fused in-place updates."""
    numpy = _harness.timed_import("numpy")
    data = _harness.load_data(config)
    x_train, y_train, x_test, y_test = data["x_train"], data["y_train"], data["x_test"], data["y_test"]
    rng = numpy.random.default_rng(config["seed"])
    sizes = _layer_sizes(config)
    lr, eps = config["learning_rate"], config["epsilon"]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        params += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(numpy.float32),
                   numpy.zeros(fan_out, numpy.float32)]
    moments = [numpy.zeros_like(p) for p in params]
    velocities = [numpy.zeros_like(p) for p in params]
    layer_count = len(sizes) - 1
    one_hot = _one_hot(y_train)
    clock = _harness.EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    step = 0
    for _ in range(config["epochs"]):
        clock.start()
        order = rng.permutation(count)
        total_loss, correct = 0.0, 0
        for start in range(0, count, batch_size):
            index = order[start:start + batch_size]
            x, y = x_train[index], one_hot[index]
            activations = [x]
            for layer in range(layer_count):
                z = activations[-1] @ params[2 * layer]
                z += params[2 * layer + 1]
                if layer < layer_count - 1:
                    numpy.maximum(z, 0, out=z)
                activations.append(z)
            logits = activations[-1]
            logits -= logits.max(axis=1, keepdims=True)
            p = numpy.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            n = len(x)
            total_loss -= float(numpy.log(numpy.maximum((p * y).sum(axis=1), 1e-7)).sum())
            correct += int((p.argmax(axis=1) == y_train[index]).sum())
            # backward: d(mean CE)/d logits = (p - y) / n
            delta = p
            delta -= y
            delta /= n
            grads = [None] * (2 * layer_count)
            for layer in reversed(range(layer_count)):
                grads[2 * layer] = activations[layer].T @ delta
                grads[2 * layer + 1] = delta.sum(axis=0)
                if layer > 0:
                    delta = delta @ params[2 * layer].T
                    delta *= activations[layer] > 0
            step += 1
            if config["optimizer"] == "rmsprop":  # Keras' form: v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps)
                rho = config["rho"]
                for param, velocity, grad in zip(params, velocities, grads):
                    velocity *= rho
                    velocity += (1 - rho) * grad * grad
                    param -= lr * grad / numpy.sqrt(velocity + eps)
            else:  # Adam, Keras' form
                beta_1, beta_2 = config["beta_1"], config["beta_2"]
                alpha = lr * math.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
                for param, m, v, g in zip(params, moments, velocities, grads):
                    m += (g - m) * (1 - beta_1)
                    v += (g * g - v) * (1 - beta_2)
                    param -= alpha * m / (numpy.sqrt(v) + eps)
        clock.stop()
    h = x_test
    for layer in range(layer_count):
        h = h @ params[2 * layer] + params[2 * layer + 1]
        if layer < layer_count - 1:
            h = numpy.maximum(h, 0)
    accuracy = (h.argmax(axis=1) == y_test).mean()
    return clock.result(test_accuracy=float(accuracy), numpy=numpy.__version__)


def run_gemm(config):
    """Only the matrix products of every step, written into preallocated buffers (no test accuracy)."""
    numpy = _harness.timed_import("numpy")
    data = _harness.load_data(config)
    x_train = data["x_train"]
    rng = numpy.random.default_rng(config["seed"])
    sizes = _layer_sizes(config)
    weights = [rng.standard_normal((a, b)).astype(numpy.float32) * 0.01 for a, b in zip(sizes[:-1], sizes[1:])]
    clock = _harness.EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    batches = {}
    for _ in range(config["epochs"]):
        clock.start()
        for start in range(0, count, batch_size):
            x = x_train[start:start + batch_size]
            n = len(x)
            if n not in batches:  # one set of buffers per batch size
                batches[n] = ([numpy.empty((n, b), numpy.float32) for b in sizes[1:]],
                              [numpy.empty((n, a), numpy.float32) for a in sizes[1:-1]],
                              [numpy.empty(w.shape, numpy.float32) for w in weights])
            outputs, input_grads, weight_grads = batches[n]
            inputs = [x] + outputs[:-1]
            for layer, weight in enumerate(weights):
                numpy.matmul(inputs[layer], weight, out=outputs[layer])
            delta = outputs[-1]
            for layer in reversed(range(len(weights))):
                numpy.matmul(inputs[layer].T, delta, out=weight_grads[layer])
                if layer > 0:
                    numpy.matmul(delta, weights[layer].T, out=input_grads[layer - 1])
                    delta = input_grads[layer - 1]
        clock.stop()
    return clock.result(test_accuracy=None)


CONTENDERS = {"neuroflow": run_neuroflow, "keras_jax": run_keras_jax, "torch": run_torch, "numpy": run_numpy,
              "gemm": run_gemm}

if __name__ == "__main__":
    _harness.run_benchmark(__doc__, CONTENDERS, CONFIG, prepare, __file__, TARGETS)
