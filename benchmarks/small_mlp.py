"""Small-MLP speed, the overhead-bound case: neuroflow vs PyTorch eager vs a hand-written NumPy loop.

scikit-learn's 8x8 digits (1797 images, standardized with the training split's mean and standard
deviation, 80/20 split), Dense(64, relu) - Dense(64, relu) - Dense(10, softmax), Adam (Keras'
defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7), sparse categorical cross-entropy,
batch 32, 20 epochs, reshuffled every epoch, running loss and accuracy tracked per batch. The
matrices are tiny (32 x 64), so per-step framework overhead, not arithmetic, sets the pace.
Figures: median epoch milliseconds and training steps per second.

    python benchmarks/small_mlp.py [--repeats 3] [--unset-openblas-env] [--pin] [--json small.json]

Targets (issue 2, section 8): neuroflow at most 0.5x PyTorch eager and 2x the NumPy loop.
Needs scikit-learn (for the data); PyTorch is optional.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"epochs": 20, "batch_size": 32, "hidden": 64, "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
          "epsilon": 1e-7, "seed": 0}
TARGETS = {"torch": 0.5, "numpy": 2.0}


def _load_digits():
    """Standardized float32 features and integer labels, split 80/20 (not timed)."""
    import numpy
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise _harness.Skip("scikit-learn is not installed (pip install scikit-learn): it provides the data") from None
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.2, random_state=0,
                                                        stratify=digits.target)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0  # constant border pixels
    x_train = ((x_train - mean) / std).astype(numpy.float32)
    x_test = ((x_test - mean) / std).astype(numpy.float32)
    return x_train, y_train.astype(numpy.int64), x_test, y_test.astype(numpy.int64)


def run_neuroflow(config):
    import neuroflow
    from neuroflow import callbacks, layers, models

    x_train, y_train, x_test, y_test = _load_digits()
    neuroflow.random.set_random_seed(config["seed"])
    clock = _harness.EpochClock()

    class EpochTimer(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.start()

        def on_epoch_end(self, epoch, logs=None):
            clock.stop()

    hidden = config["hidden"]
    model = models.Sequential([
        layers.Dense(hidden, activation="relu", input_shape=(64,)),
        layers.Dense(hidden, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=neuroflow.optimizers.Adam(learning_rate=config["learning_rate"], beta_1=config["beta_1"],
                                                      beta_2=config["beta_2"], epsilon=config["epsilon"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=config["epochs"], batch_size=config["batch_size"], verbose=0,
              callbacks=[EpochTimer()])
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu, "test_accuracy": float(accuracy),
            "steps_per_epoch": -(-len(x_train) // config["batch_size"])}


def run_torch(config):
    try:
        import torch
    except ImportError:
        raise _harness.Skip("torch is not installed (pip install torch to compare)") from None
    _harness.set_torch_threads(torch, config["threads"])
    x_train, y_train, x_test, y_test = _load_digits()
    torch.manual_seed(config["seed"])
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    hidden = config["hidden"]
    model = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    for module in model:
        if isinstance(module, torch.nn.Linear):  # Keras' defaults: glorot_uniform kernel, zero bias
            torch.nn.init.xavier_uniform_(module.weight)
            torch.nn.init.zeros_(module.bias)
    # torch adds epsilon to the bias-corrected sqrt(v) (Keras: the uncorrected one); with 1e-7 the
    # difference is below float32 noise.
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"],
                                 betas=(config["beta_1"], config["beta_2"]), eps=config["epsilon"])
    return _harness.train_torch(torch, model, optimizer, x_train, y_train, x_test, y_test, config)


def run_numpy(config):
    """The loop a student who knows NumPy well would write: a list of layers, in-place Adam."""
    import math

    import numpy as np

    x_train, y_train, x_test, y_test = _load_digits()
    rng = np.random.default_rng(config["seed"])
    hidden, lr = config["hidden"], config["learning_rate"]
    beta_1, beta_2, eps = config["beta_1"], config["beta_2"], config["epsilon"]
    sizes = [64, hidden, hidden, 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        params += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)]
    moments = [np.zeros_like(p) for p in params]
    velocities = [np.zeros_like(p) for p in params]
    clock = _harness.EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    step = 0
    for _ in range(config["epochs"]):
        clock.start()
        order = rng.permutation(count)
        total_loss, correct = 0.0, 0
        for start in range(0, count, batch_size):
            index = order[start:start + batch_size]
            x, y = x_train[index], y_train[index]
            n = len(x)
            # forward, keeping each layer's input for the backward pass
            activations = [x]
            for layer in range(3):
                z = activations[-1] @ params[2 * layer]
                z += params[2 * layer + 1]
                if layer < 2:
                    np.maximum(z, 0, out=z)
                activations.append(z)
            logits = activations[-1]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            total_loss -= float(np.log(np.maximum(p[rows, y], 1e-7)).sum())
            correct += int((p.argmax(axis=1) == y).sum())
            # backward: d(mean CE)/d logits = (p - one_hot(y)) / n
            delta = p
            delta[rows, y] -= 1
            delta /= n
            grads = [None] * 6
            for layer in (2, 1, 0):
                grads[2 * layer] = activations[layer].T @ delta
                grads[2 * layer + 1] = delta.sum(axis=0)
                if layer > 0:
                    delta = delta @ params[2 * layer].T
                    delta *= activations[layer] > 0
            # Adam, Keras' form
            step += 1
            alpha = lr * math.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
            for param, m, v, g in zip(params, moments, velocities, grads):
                m += (g - m) * (1 - beta_1)
                v += (g * g - v) * (1 - beta_2)
                param -= alpha * m / (np.sqrt(v) + eps)
        clock.stop()
    h = x_test
    for layer in range(3):
        h = h @ params[2 * layer] + params[2 * layer + 1]
        if layer < 2:
            h = np.maximum(h, 0)
    accuracy = (h.argmax(axis=1) == y_test).mean()
    return {"epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu, "test_accuracy": float(accuracy),
            "steps_per_epoch": -(-count // batch_size), "numpy": np.__version__}


CONTENDERS = {"neuroflow": run_neuroflow, "torch": run_torch, "numpy": run_numpy}


def summarize(name, runs, mode):
    key = "epoch_cpu_seconds" if mode == "pinned-cpu" else "epoch_seconds"
    median, spread = _harness.epoch_figures(runs, key)
    steps = runs[0]["steps_per_epoch"]
    return {"median_epoch_ms": median * 1e3, "steps_per_s": steps / median,
            "spread_ms": {k: (v * 1e3 if k != "n" else v) for k, v in spread.items()},
            "test_accuracy": sorted(run["test_accuracy"] for run in runs)[len(runs) // 2]}


def report(result):
    contenders = result["contenders"]
    figure = "CPU ms/epoch (1 thread)" if result["mode"] == "pinned-cpu" else "ms/epoch"
    rows = []
    for name, entry in contenders.items():
        summary, spread = entry["summary"], entry["summary"]["spread_ms"]
        rows.append((name, {figure: f"{summary['median_epoch_ms']:.1f}", "steps/s": f"{summary['steps_per_s']:.0f}",
                            "run spread ms": f"{spread['min']:.1f}-{spread['max']:.1f} (n={spread['n']})",
                            "test acc": f"{summary['test_accuracy']:.4f}"}))
    ratios = _harness.target_ratios(result, TARGETS, "median_epoch_ms", "spread_ms")
    _harness.print_report(result, rows, ratios)


if __name__ == "__main__":
    outcome = _harness.main(__doc__.splitlines()[0], CONTENDERS, CONFIG, summarize, __file__)
    if outcome is not None:
        report(outcome)
        _harness.write_json(outcome, _harness.parse_arguments(__doc__).json)
