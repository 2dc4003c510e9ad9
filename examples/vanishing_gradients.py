"""The vanishing gradient: per-layer gradient norms of a deep sigmoid network against a ReLU / He one (deck 2).

Two MLPs of six hidden Dense(64) layers learn MNIST digits (a 10,000-image slice, flattened and
scaled) with plain SGD (learning rate 0.1, batch 128): one with sigmoid units and Keras' default
Glorot initialization, one with ReLU units and He initialization. Before each epoch the gradient
of the loss with respect to each layer's kernel is taken on a fixed batch of 1,000 images, and its
norm plotted per layer. In the sigmoid network each layer multiplies the backpropagated error by
sigmoid' <= 0.25, so the first layers get gradients orders of magnitude smaller than the last and
train slowly; the ReLU network keeps them within a small factor and learns faster.

Run it with `python examples/vanishing_gradients.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import GradientTape, layers, losses, models, ops, optimizers
from neuroflow.datasets import mnist
from neuroflow.utils import to_categorical

HIDDEN_LAYERS = 6
UNITS = 64
NETWORKS = (("sigmoid, Glorot", "sigmoid", "glorot_uniform"), ("ReLU, He", "relu", "he_normal"))
EXPECTED = ("deep sigmoid network: the gradient shrinks layer by layer toward the input, so the front layers "
            "train very slowly; ReLU with He keeps it and trains faster")


def build(activation, initializer):
    model = models.Sequential([layers.Input((28 * 28,))] + [
        layers.Dense(UNITS, activation=activation, kernel_initializer=initializer, name=f"hidden_{i + 1}")
        for i in range(HIDDEN_LAYERS)] + [layers.Dense(10, activation="softmax", name="output")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def kernel_gradient_norms(model, x, y):
    """The norm of dE/dkernel for each Dense layer, input side first."""
    kernels = [layer.kernel for layer in model.layers]
    with GradientTape() as tape:
        loss = ops.mean(losses.categorical_crossentropy(y, model(x)))
    return [float(numpy.linalg.norm(g.numpy())) for g in tape.gradient(loss, kernels)]


def _draw(runs, plot_dir):
    figure = new_figure((12, 3.6)) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(1, 3)
    for ax, (label, run) in zip(axes, runs.items()):
        norms = numpy.array(run["norms"])  # (epochs + 1, layers)
        for layer in range(norms.shape[1]):
            name = f"hidden {layer + 1}" if layer < HIDDEN_LAYERS else "output"
            ax.semilogy(range(len(norms)), norms[:, layer], marker=".", label=name,
                        color=f"C{layer}")
        ax.set_title(f"{label}: |dE/dW| per layer", fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7)
    for label, run in runs.items():
        axes[2].plot(range(1, len(run["loss"]) + 1), run["loss"], marker="o", label=label)
    axes[2].set_title("training loss", fontsize=10)
    axes[2].set_xlabel("epoch")
    axes[2].legend(fontsize=8)
    figure.tight_layout()
    path = plot_path(plot_dir, "vanishing_gradients")
    figure.savefig(path, dpi=70)
    print(f"plot saved to {path}")
    return path


def main(epochs=10, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Trains both networks, measuring each layer's gradient norm before every epoch.

    Args:
        epochs: training epochs of each network.
        samples: training images (default 10,000); the gradient batch is the first min(1,000, samples).
        verbose: 0 silent, 1 a line per epoch.
        plot_dir: folder for `vanishing_gradients.png` (None: no plot).
        seed: seed of the weights and shuffling.

    Returns:
        dict with `networks` (per network: norms per epoch and layer, loss, accuracy, and
        `first_to_last`, the first hidden layer's gradient norm over the last hidden layer's at the
        start), `plot`, `measured`.
    """
    (x_train, y_train), _ = mnist.load_data()
    count = samples or 10000
    x = x_train[:count].reshape(count, -1).astype("float32") / 255
    y = to_categorical(y_train[:count], 10)
    probe_x, probe_y = x[:1000], y[:1000]
    runs = {}
    for label, activation, initializer in NETWORKS:
        neuroflow.set_random_seed(seed)
        model = build(activation, initializer)
        norms, loss, accuracy = [kernel_gradient_norms(model, probe_x, probe_y)], [], []
        for epoch in range(epochs):
            history = model.fit(x, y, epochs=1, batch_size=128, verbose=0)
            loss.append(history.history["loss"][0])
            accuracy.append(history.history["accuracy"][0])
            norms.append(kernel_gradient_norms(model, probe_x, probe_y))
            if verbose:
                print(f"{label}, epoch {epoch + 1}: loss {loss[-1]:.4f}, accuracy {accuracy[-1]:.4f}, |dE/dW| "
                      + " ".join(f"{n:.1e}" for n in norms[-1]))
        runs[label] = {"norms": norms, "loss": loss, "accuracy": accuracy,
                       "first_to_last": norms[0][0] / norms[0][HIDDEN_LAYERS - 1]}
    plot = _draw(runs, plot_dir)
    sigmoid, relu = runs["sigmoid, Glorot"], runs["ReLU, He"]
    measured = (f"first / last hidden layer gradient norm at the start: sigmoid {sigmoid['first_to_last']:.1e}, "
                f"ReLU {relu['first_to_last']:.2f}; training accuracy after {epochs} epochs: sigmoid "
                f"{sigmoid['accuracy'][-1]:.3f}, ReLU {relu['accuracy'][-1]:.3f}")
    return {"networks": runs, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=10, samples_help="training images (default 10,000)")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
