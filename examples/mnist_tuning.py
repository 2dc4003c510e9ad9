"""The lecture's hyper-parameter tuning table on MNIST: five fully connected models, trained and tabulated.

Deck 5 ("Hyper-parameter Tuning 을 이용한 손글씨 인식 성능 개선") lists, with test accuracy:

    model             1      2      3      4      5
    hidden layers     0      2      2      2      3
    hidden units      -      128    128    512    ?+?+?
    epochs            10     10     10     10     10/15/20
    dropout           0      0      0.2    0.2    0.2/0.3
    batch size        128    128    512    512    256/512
    accuracy (%)      92.6   97.4   98.01  98.06  98.40

The deck gives no optimizer; it follows the TensorFlow 2 quick start of the same deck, so adam with its
defaults. Model 5's widths are left open ("?+?+?") and its other settings are ranges; this script uses
512-256-128 units, dropout 0.3, batch 256 and 20 epochs. Images are flattened, scaled to [0, 1] and the
labels one-hot encoded, as the exercise before the table says.

Run it with `python examples/mnist_tuning.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import mnist
from neuroflow.utils import to_categorical

# (name, hidden units, dropout, epochs, batch size, the deck's accuracy)
MODELS = (
    ("model 1", (), 0.0, 10, 128, 0.926),
    ("model 2", (128, 128), 0.0, 10, 128, 0.974),
    ("model 3", (128, 128), 0.2, 10, 512, 0.9801),
    ("model 4", (512, 512), 0.2, 10, 512, 0.9806),
    ("model 5", (512, 256, 128), 0.3, 20, 256, 0.9840),
)
EXPECTED = "test accuracy 0.926 / 0.974 / 0.9801 / 0.9806 / 0.9840 (deck 5's table)"


def build(hidden, dropout):
    """Flattened 784 inputs -> [Dense(units, relu) (+ Dropout)] per hidden layer -> Dense(10, softmax)."""
    model = models.Sequential([layers.Input(shape=(28 * 28,))])
    for units in hidden:
        model.add(layers.Dense(units, activation="relu"))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=None, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the five models of the table and prints measured against published accuracy.

    Args:
        epochs: epochs for every model (None: each model's own, 10 or 20).
        samples: train on the first N images and test on the first N test images (None: all).
        verbose: 0 silent, 1 one line per model, 2 also Keras progress bars.
        plot_dir: folder for `mnist_tuning.png`, one panel per model (None: no plot).
        seed: seed of the weights, dropout and shuffling (each model starts from it).

    Returns:
        dict with `models` (per model: name, hidden, dropout, epochs, batch_size, expected,
        test_accuracy, train_seconds), `rows` for the results table, `plot` and `measured`.
    """
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    if samples:
        x_train, y_train, x_test, y_test = x_train[:samples], y_train[:samples], x_test[:samples], y_test[:samples]
    x_train = x_train.reshape((len(x_train), 28 * 28)).astype("float32") / 255
    x_test = x_test.reshape((len(x_test), 28 * 28)).astype("float32") / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    results, curves = [], {}
    for name, hidden, dropout, model_epochs, batch_size, expected in MODELS:
        neuroflow.set_random_seed(seed)
        model = build(hidden, dropout)
        model_epochs = epochs or model_epochs
        start = time.perf_counter()
        # The test set doubles as validation data only to draw the per-epoch curves; nothing is tuned on it.
        history = model.fit(x_train, y_train, epochs=model_epochs, batch_size=batch_size,
                            validation_data=(x_test, y_test), verbose=2 if verbose > 1 else 0)
        seconds = time.perf_counter() - start
        test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
        results.append({"name": name, "hidden": hidden, "dropout": dropout, "epochs": model_epochs,
                        "batch_size": batch_size, "expected": expected, "test_accuracy": test_acc,
                        "train_seconds": seconds})
        curves[f"{name} accuracy"] = history.history["accuracy"]
        curves[f"val_{name} accuracy"] = history.history["val_accuracy"]
        if verbose:
            print(f"{name}: hidden {list(hidden) or 'none'}, dropout {dropout}, {model_epochs} epochs, "
                  f"batch {batch_size}: test accuracy {test_acc:.4f} (deck: {expected}) [{seconds:.0f} s]")

    print(f"\n{'':8} {'hidden':>15} {'dropout':>8} {'epochs':>7} {'batch':>6} {'deck':>7} {'neuroflow':>10}")
    for r in results:
        hidden = "+".join(map(str, r["hidden"])) or "0"
        print(f"{r['name']:8} {hidden:>15} {r['dropout']:>8} {r['epochs']:>7} {r['batch_size']:>6} "
              f"{r['expected']:>7.4f} {r['test_accuracy']:>10.4f}")
    plot = save_history_plot(curves, plot_dir, "mnist_tuning", dpi=60,
                             title="MNIST tuning table: training (solid) and test (dashed) accuracy per model")
    rows = [{"name": f"mnist_tuning {r['name']} ({'+'.join(map(str, r['hidden'])) or 'no hidden'}, "
                     f"dropout {r['dropout']}, {r['epochs']} ep, batch {r['batch_size']})",
             "expected": f"{r['expected']:.4f}", "measured": f"{r['test_accuracy']:.4f}",
             "seconds": r["train_seconds"]} for r in results]
    measured = " / ".join(f"{r['test_accuracy']:.4f}" for r in results)
    return {"models": results, "rows": rows, "plot": plot, "measured": f"test accuracy {measured}"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=None)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
