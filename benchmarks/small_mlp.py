"""Digits MLP 64-64-64-10, Adam, the overhead-bound case: neuroflow vs Keras 3 on JAX, PyTorch eager and hand NumPy.

scikit-learn's 8x8 digits (1797 images, standardized with the training split's mean and standard
deviation, 80/20 split), Dense(64, relu) - Dense(64, relu) - Dense(10, softmax), Adam (Keras'
defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7), sparse categorical cross-entropy,
batch 32, 20 epochs, reshuffled every epoch, running loss and accuracy tracked per batch. The
matrices are tiny (32 x 64), so per-step framework overhead, not arithmetic, sets the pace; the
whole fit shows Keras-JAX's compile time.

    python benchmarks/small_mlp.py [--pin] [--peer-python PYTHON] [--json small.json]

Targets (issue 15): neuroflow's steady epoch at most 0.5x Keras-JAX's and 1.25x the NumPy loop's;
the whole fit (compile included) at most 0.1x Keras-JAX's. Needs scikit-learn (for the data).
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"epochs": 20, "batch_size": 32, "hidden": 64, "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
          "epsilon": 1e-7, "seed": 0}
TARGETS = {"keras_jax": 0.5, "torch": 0.5, "numpy": 1.25}
FIT_TARGETS = {"keras_jax": 0.1}


def prepare(config):
    """Standardized float32 features and integer labels, split 80/20."""
    import numpy
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise SystemExit("small_mlp.py needs scikit-learn for its data (pip install scikit-learn)") from None
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.2, random_state=0,
                                                        stratify=digits.target)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0  # constant border pixels
    return {"x_train": ((x_train - mean) / std).astype(numpy.float32), "y_train": y_train.astype(numpy.int64),
            "x_test": ((x_test - mean) / std).astype(numpy.float32), "y_test": y_test.astype(numpy.int64)}


def _keras_style_model(library, config):
    layers, hidden = library.layers, config["hidden"]
    model = library.models.Sequential([layers.Input(shape=(64,)), layers.Dense(hidden, activation="relu"),
                                       layers.Dense(hidden, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=library.optimizers.Adam(learning_rate=config["learning_rate"], beta_1=config["beta_1"],
                                                    beta_2=config["beta_2"], epsilon=config["epsilon"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run_neuroflow(config):
    neuroflow = _harness.timed_import("neuroflow")
    data = _harness.load_data(config)
    neuroflow.random.set_random_seed(config["seed"])
    model = _keras_style_model(neuroflow, config)
    return _harness.fit_timed(neuroflow, model, data["x_train"], data["y_train"], data["x_test"], data["y_test"], config)


def run_keras_jax(config):
    keras = _harness.import_keras()
    data = _harness.load_data(config)
    keras.utils.set_random_seed(config["seed"])
    model = _keras_style_model(keras, config)
    return _harness.fit_timed(keras, model, data["x_train"], data["y_train"], data["x_test"], data["y_test"], config)


def run_torch(config):
    torch = _harness.import_torch(config)
    data = _harness.load_data(config)
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
    return _harness.train_torch(torch, model, optimizer, data["x_train"], data["y_train"], data["x_test"],
                                data["y_test"], config)


def run_numpy(config):
    """The loop a student who knows NumPy well would write: a list of layers, in-place Adam."""
    np = _harness.timed_import("numpy")
    data = _harness.load_data(config)
    x_train, y_train, x_test, y_test = data["x_train"], data["y_train"], data["x_test"], data["y_test"]
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
    return clock.result(test_accuracy=float(accuracy), numpy=np.__version__)


CONTENDERS = {"neuroflow": run_neuroflow, "keras_jax": run_keras_jax, "torch": run_torch, "numpy": run_numpy}

if __name__ == "__main__":
    _harness.run_benchmark(__doc__, CONTENDERS, CONFIG, prepare, __file__, TARGETS, FIT_TARGETS)
