"""MNIST MLP speed: neuroflow vs PyTorch eager vs a hand-written NumPy loop, same network and math.

The classic first Keras program: Dense(512, relu) - Dense(10, softmax), RMSprop (lr 0.001, rho 0.9,
epsilon 1e-7), categorical cross-entropy, batch 128, 5 epochs, float32, reshuffled every epoch,
training loss and accuracy tracked per batch (as Keras' fit does). Each contender runs in its own
subprocess with the same thread count; the figure is the median epoch time (the first epoch's
one-off costs drop out), then test accuracy as a check that all three learned the same thing.

    python benchmarks/mnist_mlp.py                        # wall seconds, all cores
    python benchmarks/mnist_mlp.py --unset-openblas-env   # without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
    python benchmarks/mnist_mlp.py --pin                  # CPU seconds of a 1-thread run on core 0
    python benchmarks/mnist_mlp.py --repeats 3 --json mnist.json

Targets (issue 2, section 8): neuroflow at most 1.0x PyTorch eager and 1.2x the NumPy loop.
PyTorch is optional: without it that contender is skipped with a note.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"epochs": 5, "batch_size": 128, "hidden": 512, "learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7,
          "seed": 0}
TARGETS = {"torch": 1.0, "numpy": 1.2}


def _load_mnist():
    """Flattened float32 images in [0, 1] and integer labels (loading is not timed)."""
    import numpy

    from neuroflow.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype(numpy.float32) / 255
    x_test = x_test.reshape(len(x_test), 784).astype(numpy.float32) / 255
    return x_train, y_train.astype(numpy.int64), x_test, y_test.astype(numpy.int64)


def run_neuroflow(config):
    import neuroflow
    from neuroflow import callbacks, layers, models
    from neuroflow.utils import to_categorical

    x_train, y_train, x_test, y_test = _load_mnist()
    neuroflow.random.set_random_seed(config["seed"])
    clock = _harness.EpochClock()

    class EpochTimer(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.start()

        def on_epoch_end(self, epoch, logs=None):
            clock.stop()

    model = models.Sequential([
        layers.Dense(config["hidden"], activation="relu", input_shape=(784,)),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=neuroflow.optimizers.RMSprop(learning_rate=config["learning_rate"], rho=config["rho"],
                                                         epsilon=config["epsilon"]),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, to_categorical(y_train, 10), epochs=config["epochs"], batch_size=config["batch_size"],
              verbose=0, callbacks=[EpochTimer()])
    _, accuracy = model.evaluate(x_test, to_categorical(y_test, 10), batch_size=1024, verbose=0)
    return {"epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu, "test_accuracy": float(accuracy)}


def run_torch(config):
    try:
        import torch
    except ImportError:
        raise _harness.Skip("torch is not installed (pip install torch to compare)") from None
    _harness.set_torch_threads(torch, config["threads"])
    x_train, y_train, x_test, y_test = _load_mnist()
    torch.manual_seed(config["seed"])
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    model = torch.nn.Sequential(torch.nn.Linear(784, config["hidden"]), torch.nn.ReLU(),
                                torch.nn.Linear(config["hidden"], 10))
    for module in model:
        if isinstance(module, torch.nn.Linear):  # Keras' defaults: glorot_uniform kernel, zero bias
            torch.nn.init.xavier_uniform_(module.weight)
            torch.nn.init.zeros_(module.bias)
    # torch's alpha is Keras' rho; its epsilon sits outside the square root (Keras: inside), a
    # difference far below float32 noise at 1e-7.
    optimizer = torch.optim.RMSprop(model.parameters(), lr=config["learning_rate"], alpha=config["rho"],
                                    eps=config["epsilon"])
    return _harness.train_torch(torch, model, optimizer, x_train, y_train, x_test, y_test, config)


def run_numpy(config):
    """The loop a student who knows NumPy well would write: fused in-place updates, no framework."""
    import numpy as np

    x_train, y_train, x_test, y_test = _load_mnist()
    rng = np.random.default_rng(config["seed"])
    hidden, lr, rho, eps = config["hidden"], config["learning_rate"], config["rho"], config["epsilon"]

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    params = [glorot(784, hidden), np.zeros(hidden, np.float32), glorot(hidden, 10), np.zeros(10, np.float32)]
    velocities = [np.zeros_like(p) for p in params]
    one_hot = np.eye(10, dtype=np.float32)[y_train]
    clock = _harness.EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    for _ in range(config["epochs"]):
        clock.start()
        order = rng.permutation(count)
        total_loss, correct = 0.0, 0
        for start in range(0, count, batch_size):
            index = order[start:start + batch_size]
            x, y = x_train[index], one_hot[index]
            w1, b1, w2, b2 = params
            # forward
            h = x @ w1
            h += b1
            np.maximum(h, 0, out=h)
            logits = h @ w2
            logits += b2
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            p = exp / exp.sum(axis=1, keepdims=True)
            n = len(x)
            total_loss -= float(np.log(np.maximum((p * y).sum(axis=1), 1e-7)).sum())
            correct += int((p.argmax(axis=1) == y_train[index]).sum())
            # backward: d(mean CE)/d logits = (p - y) / n
            d_logits = p
            d_logits -= y
            d_logits /= n
            d_h = d_logits @ w2.T
            d_h *= h > 0
            grads = [x.T @ d_h, d_h.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0)]
            # RMSprop, Keras' form: v = rho v + (1 - rho) g^2;  w -= lr g / sqrt(v + eps)
            for param, velocity, grad in zip(params, velocities, grads):
                velocity *= rho
                velocity += (1 - rho) * grad * grad
                param -= lr * grad / np.sqrt(velocity + eps)
        clock.stop()
    w1, b1, w2, b2 = params
    accuracy = ((np.maximum(x_test @ w1 + b1, 0) @ w2 + b2).argmax(axis=1) == y_test).mean()
    return {"epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu, "test_accuracy": float(accuracy),
            "numpy": np.__version__}


CONTENDERS = {"neuroflow": run_neuroflow, "torch": run_torch, "numpy": run_numpy}


def summarize(name, runs, mode):
    key = "epoch_cpu_seconds" if mode == "pinned-cpu" else "epoch_seconds"
    median, spread = _harness.epoch_figures(runs, key)
    wall, _ = _harness.epoch_figures(runs, "epoch_seconds")
    return {"median_epoch_s": median, "spread": spread, "median_epoch_wall_s": wall,
            "test_accuracy": sorted(run["test_accuracy"] for run in runs)[len(runs) // 2]}


def report(result):
    contenders = result["contenders"]
    figure = "CPU s/epoch (1 thread, core 0)" if result["mode"] == "pinned-cpu" else "s/epoch"
    rows = []
    for name, entry in contenders.items():
        summary, spread = entry["summary"], entry["summary"]["spread"]
        rows.append((name, {figure: f"{summary['median_epoch_s']:.3f}",
                            "run spread": f"{spread['min']:.3f}-{spread['max']:.3f} (n={spread['n']})",
                            "test acc": f"{summary['test_accuracy']:.4f}"}))
    ratios = _harness.target_ratios(result, TARGETS, "median_epoch_s", "spread")
    _harness.print_report(result, rows, ratios)


if __name__ == "__main__":
    outcome = _harness.main(__doc__.splitlines()[0], CONTENDERS, CONFIG, summarize, __file__)
    if outcome is not None:
        report(outcome)
        _harness.write_json(outcome, _harness.parse_arguments(__doc__).json)
