"""Learning-rate scheduling, the lecture's four kinds, on one MNIST MLP (deck 2 "Learning rate Scheduling").

The deck lists: a fixed rate, performance-based scheduling, exponential scheduling and power
scheduling (the terms of Géron's Hands-On Machine Learning, chapter 11, which it follows). Here
the same Dense(256, relu) - Dense(10, softmax) network is trained on MNIST with plain SGD from
the same initial weights and rate 0.2 under each:

- fixed:             lr = 0.2
- performance-based: ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=1)
- exponential:       ExponentialDecay(0.2, decay_steps=10 epochs, decay_rate=0.1): lr = 0.2 * 0.1^(t / s)
- power:             InverseTimeDecay(0.2, decay_steps=1 epoch, decay_rate=1): lr = 0.2 / (1 + t / s)

with 10% of the training images held out for the validation loss. The plot shows the training
and validation loss of each, side by side, and the rate each used per epoch.

Run it with `python examples/lr_schedules.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import math

import _common  # noqa: F401  (finds neuroflow and the offline data)
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import callbacks, layers, models, optimizers
from neuroflow.datasets import mnist
from neuroflow.optimizers import schedules
from neuroflow.utils import to_categorical

INITIAL_RATE = 0.2
BATCH = 128
EXPECTED = ("no figure in the deck; Géron (ch. 11, which it follows): performance-based and exponential scheduling "
            "both converge faster than a fixed rate, exponential a little faster")


def _schedules(steps_per_epoch, epochs):
    """name -> (learning rate or schedule, callbacks)."""
    return {
        "fixed": (INITIAL_RATE, []),
        "performance-based": (INITIAL_RATE, [callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                                                         verbose=0)]),
        "exponential": (schedules.ExponentialDecay(INITIAL_RATE, decay_steps=steps_per_epoch * max(epochs, 1),
                                                   decay_rate=0.1), []),
        "power": (schedules.InverseTimeDecay(INITIAL_RATE, decay_steps=steps_per_epoch, decay_rate=1.0), []),
    }


class _RateRecorder(callbacks.Callback):
    """Keeps the rate each epoch ended with (a schedule's value at the step count then)."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(callbacks.lr_scheduler.get_learning_rate(self.model.optimizer))


def _draw(runs, plot_dir):
    figure = new_figure((15, 3.4)) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(1, len(runs) + 1)
    for ax, (name, run) in zip(axes, runs.items()):
        epochs = range(1, len(run["loss"]) + 1)
        ax.plot(epochs, run["loss"], "o-", label="training")
        ax.plot(epochs, run["val_loss"], "s--", label="validation")
        ax.set_title(f"{name}: test accuracy {run['test_accuracy']:.4f}", fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylim(0, max(0.5, max(run["val_loss"]) * 1.1))
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    for name, run in runs.items():
        axes[-1].plot(range(1, len(run["rates"]) + 1), run["rates"], "o-", label=name)
    axes[-1].set_title("learning rate at the end of each epoch", fontsize=9)
    axes[-1].set_xlabel("epoch")
    axes[-1].legend(fontsize=7)
    figure.tight_layout()
    output = plot_path(plot_dir, "lr_schedules")
    figure.savefig(output, dpi=70)
    print(f"plot saved to {output}")
    return output


def main(epochs=10, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains the network under each schedule and compares the losses.

    Args:
        epochs: training epochs per schedule.
        samples: train on the first N images and test on the first N test images (None: all).
        verbose: 0 silent, 1 a line per schedule.
        plot_dir: folder for `lr_schedules.png` (None: no plot).
        seed: seed of the weights and shuffling (the same for every schedule).

    Returns:
        dict with `runs` (per schedule: loss, val_loss, rates, test_accuracy), `plot`, `measured`.
    """
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    if samples:
        x_train, y_train, x_test, y_test = x_train[:samples], y_train[:samples], x_test[:samples], y_test[:samples]
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
    steps_per_epoch = math.ceil(len(x_train) * 0.9 / BATCH)
    runs = {}
    for name, (rate, extra_callbacks) in _schedules(steps_per_epoch, epochs).items():
        neuroflow.set_random_seed(seed)
        model = models.Sequential([layers.Input((28 * 28,)), layers.Dense(256, activation="relu"),
                                   layers.Dense(10, activation="softmax")])
        model.compile(optimizer=optimizers.SGD(learning_rate=rate), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        recorder = _RateRecorder()
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH, validation_split=0.1, verbose=0,
                            callbacks=extra_callbacks + [recorder])
        _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        runs[name] = {"loss": history.history["loss"], "val_loss": history.history["val_loss"],
                      "rates": recorder.rates, "test_accuracy": float(test_accuracy)}
        if verbose:
            print(f"{name:17}: final loss {runs[name]['loss'][-1]:.4f}, val_loss {runs[name]['val_loss'][-1]:.4f} "
                  f"(least {min(runs[name]['val_loss']):.4f}), test accuracy {test_accuracy:.4f}; rate "
                  f"{INITIAL_RATE:g} -> {recorder.rates[-1]:.3g}")
    plot = _draw(runs, plot_dir)
    measured = "; ".join(f"{name}: val_loss {run['val_loss'][-1]:.4f}, test accuracy {run['test_accuracy']:.4f}, "
                         f"final rate {run['rates'][-1]:.3g}" for name, run in runs.items()) + f" (after {epochs} epochs)"
    return {"runs": runs, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=10)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
