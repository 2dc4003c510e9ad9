"""Rosenblatt's perceptron on AND, OR and XOR, and the 2-layer MLP that solves XOR (decks 1 and 2).

The perceptron learning rule (w += eta * (t - y) * x, from zero weights, eta = 0.1) finds a
separating line for AND and OR in a few epochs; for XOR no line exists (Minsky and Papert, 1969),
so after `max_epochs` it stops with `converged_ == False`. A Dense(4, tanh) - Dense(1, sigmoid)
network trained by backpropagation (binary cross-entropy, adam 0.05) classifies XOR correctly.
The plot draws each perceptron's decision line and the MLP's decision region.

Run it with `python examples/perceptron.py [--epochs N] [--plot-dir D]`.
"""
import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import layers, models, optimizers
from neuroflow.classic import Perceptron

POINTS = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float64")
GATES = {"AND": numpy.array([0, 0, 0, 1]), "OR": numpy.array([0, 1, 1, 1]), "XOR": numpy.array([0, 1, 1, 0])}
EXPECTED = ("perceptron: AND and OR converge in a few epochs, XOR never converges (a line gets at most 3 of 4); "
            "a 2-layer MLP trained by backprop solves XOR")


def train_mlp(epochs, seed):
    """The 2-layer MLP on XOR: returns (model, accuracy)."""
    neuroflow.set_random_seed(seed)
    model = models.Sequential([layers.Input((2,)), layers.Dense(4, activation="tanh"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(POINTS, GATES["XOR"][:, None].astype("float64"), epochs=epochs, batch_size=4, verbose=0)
    accuracy = float(numpy.mean((model.predict(POINTS, verbose=0).ravel() > 0.5) == GATES["XOR"]))
    return model, accuracy


def _draw(perceptrons, mlp, plot_dir):
    figure = new_figure((13, 3.4)) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(1, 4)
    line = numpy.linspace(-0.5, 1.5, 2)
    for ax, (name, perceptron) in zip(axes, perceptrons.items()):
        w, b = perceptron.weights_, perceptron.bias_
        if abs(w[1]) > 1e-12:
            ax.plot(line, -(w[0] * line + b) / w[1], "k-")
        elif abs(w[0]) > 1e-12:
            ax.axvline(-b / w[0], color="k")
        status = (f"converged in {len(perceptron.errors_)} epochs" if perceptron.converged_ else
                  f"not converged after {len(perceptron.errors_)} epochs")
        ax.set_title(f"perceptron, {name}\n{status}", fontsize=9)
    grid = numpy.linspace(-0.5, 1.5, 101)
    mesh = numpy.stack(numpy.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    region = mlp.predict(mesh, verbose=0).reshape(len(grid), len(grid))
    axes[3].contourf(grid, grid, region > 0.5, levels=[-0.5, 0.5, 1.5], colors=["#cfe0f5", "#f5d0cf"])
    axes[3].set_title("2-layer MLP (backprop), XOR\ndecision region", fontsize=9)
    for ax, labels in zip(axes, (GATES["AND"], GATES["OR"], GATES["XOR"], GATES["XOR"])):
        ax.scatter(POINTS[:, 0], POINTS[:, 1], c=numpy.where(labels == 1, "tab:red", "tab:blue"), s=60, zorder=3)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
    figure.tight_layout()
    path = plot_path(plot_dir, "perceptron")
    figure.savefig(path, dpi=70)
    print(f"plot saved to {path}")
    return path


def main(epochs=300, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0, max_epochs=100):
    """Trains a perceptron on each gate, and the MLP on XOR.

    Args:
        epochs: training epochs of the MLP.
        samples: ignored (each gate has four points); accepted so every example takes the same arguments.
        verbose: 0 silent, 1 the figures.
        plot_dir: folder for `perceptron.png` (None: no plot).
        seed: seed of the MLP's weights.
        max_epochs: the perceptrons' limit.

    Returns:
        dict with `perceptrons` (per gate: converged, epochs, errors, accuracy), `mlp_accuracy`, `plot`, `measured`.
    """
    perceptrons = {name: Perceptron(learning_rate=0.1, max_epochs=max_epochs).fit(POINTS, labels)
                   for name, labels in GATES.items()}
    summary = {name: {"converged": p.converged_, "epochs": len(p.errors_), "errors": list(p.errors_),
                      "accuracy": p.score(POINTS, GATES[name])} for name, p in perceptrons.items()}
    mlp, mlp_accuracy = train_mlp(epochs, seed)
    if verbose:
        for name, perceptron in perceptrons.items():
            print(f"perceptron {name:3}: {perceptron.status_}; w = {perceptron.weights_.round(3).tolist()}, "
                  f"b = {perceptron.bias_:.3f}, errors per epoch {perceptron.errors_[:8]}"
                  f"{' ...' if len(perceptron.errors_) > 8 else ''}")
        print(f"2-layer MLP on XOR: accuracy {mlp_accuracy:.2f}")
    plot = _draw(perceptrons, mlp, plot_dir)
    parts = []
    for name, entry in summary.items():
        parts.append(f"{name} converged in {entry['epochs']} epochs" if entry["converged"] else
                     f"{name} not converged after {entry['epochs']} epochs (accuracy {entry['accuracy']:.2f})")
    measured = "perceptron: " + ", ".join(parts) + f"; MLP on XOR accuracy {mlp_accuracy:.2f}"
    return {"perceptrons": summary, "mlp_accuracy": mlp_accuracy, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=300, samples_help="ignored: each gate has four points")
    main(epochs=arguments.epochs, plot_dir=arguments.plot_dir)
