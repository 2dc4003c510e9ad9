"""Activation histograms per layer by weight initialization (deck 2; "밑바닥부터 시작하는 딥러닝" 6.2).

A 5-layer network of 100 units (no bias) takes 1,000 random inputs from N(0, 1); the histogram of
each layer's activations shows what the initialization does to the signal:

- sigmoid, W ~ N(0, 1): the activations pile up at 0 and 1, where the sigmoid is flat, so the
  gradient vanishes;
- sigmoid, W ~ N(0, 0.01): they crowd at 0.5: every neuron says the same ("representational
  power" is lost);
- sigmoid and tanh with Xavier (Var W = 1 / n_in): spread over the range in every layer;
- ReLU with He (Var W = 2 / n_in): the spread survives the five layers.

The figures come from `neuroflow.utils.activation_statistics(model, x)`.

Run it with `python examples/activation_histograms.py [--samples N] [--plot-dir D]`.
"""
import math

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import initializers, layers, models
from neuroflow.utils import activation_statistics

# (label, activation, initializer of the kernels, histogram range)
SETTINGS = (
    ("sigmoid, N(0, 1)", "sigmoid", lambda: initializers.RandomNormal(stddev=1.0), (0, 1)),
    ("sigmoid, N(0, 0.01)", "sigmoid", lambda: initializers.RandomNormal(stddev=0.01), (0, 1)),
    ("sigmoid, Xavier", "sigmoid", lambda: initializers.RandomNormal(stddev=math.sqrt(1 / 100)), (0, 1)),
    ("tanh, Xavier", "tanh", lambda: initializers.RandomNormal(stddev=math.sqrt(1 / 100)), (-1, 1)),
    ("ReLU, He", "relu", lambda: initializers.RandomNormal(stddev=math.sqrt(2 / 100)), (0, 3)),
)
EXPECTED = ("sigmoid N(0,1): activations at 0 and 1; sigmoid N(0,0.01): all near 0.5; Xavier (sigmoid, tanh) "
            "and He (ReLU): spread in every layer")
LAYERS = 5
UNITS = 100


def build(activation, initializer):
    """Five Dense(100) layers without bias, each kernel drawn by `initializer()`."""
    return models.Sequential([layers.Input((UNITS,))] + [
        layers.Dense(UNITS, activation=activation, use_bias=False, kernel_initializer=initializer(),
                     name=f"layer_{i + 1}") for i in range(LAYERS)])


def _draw(results, plot_dir):
    figure = new_figure((12, 2.1 * len(results))) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(len(results), LAYERS)
    for row, (label, stats, value_range) in enumerate(results):
        for column, layer in enumerate(stats):
            ax = axes[row][column]
            ax.hist(layer.values, bins=30, range=value_range, color="tab:blue")
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            if row == 0:
                ax.set_title(f"layer {column + 1}", fontsize=9)
            if column == 0:
                ax.set_ylabel(label, fontsize=8)
    figure.suptitle(f"activations of a {LAYERS}-layer, {UNITS}-unit network on N(0, 1) inputs", fontsize=10)
    figure.tight_layout()
    path = plot_path(plot_dir, "activation_histograms")
    figure.savefig(path, dpi=60)
    print(f"plot saved to {path}")
    return path


def main(epochs=None, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Runs random inputs through the network under each initialization and summarizes each layer.

    Args:
        epochs: ignored (nothing is trained); accepted so every example takes the same arguments.
        samples: the number of random inputs (default 1,000).
        verbose: 0 silent, 1 a table per setting.
        plot_dir: folder for `activation_histograms.png` (None: no plot).
        seed: seed of the inputs and weights.

    Returns:
        dict with `settings` (per setting: label and, per layer, mean, std, zero and saturated
        fractions), `plot`, `measured`.
    """
    x = numpy.random.default_rng(seed).normal(size=(samples or 1000, UNITS)).astype("float32")
    results, summary = [], []
    for label, activation, initializer, value_range in SETTINGS:
        neuroflow.set_random_seed(seed)
        stats = activation_statistics(build(activation, initializer), x)
        low, high = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
        rows = [{"mean": layer.mean, "std": layer.std, "zero_fraction": layer.zero_fraction,
                 "saturated_fraction": layer.saturated_fraction(low, high) if activation != "relu" else None}
                for layer in stats]
        results.append((label, stats, value_range))
        summary.append({"label": label, "layers": rows})
        if verbose:
            print(f"\n{label}")
            print(stats)
    plot = _draw(results, plot_dir)
    last = {entry["label"]: entry["layers"][-1] for entry in summary}
    measured = (f"layer 5: sigmoid N(0,1) {last['sigmoid, N(0, 1)']['saturated_fraction']:.0%} within 0.01 of 0 or 1; "
                f"sigmoid N(0,0.01) std {last['sigmoid, N(0, 0.01)']['std']:.4f} around "
                f"{last['sigmoid, N(0, 0.01)']['mean']:.3f}; sigmoid Xavier std {last['sigmoid, Xavier']['std']:.3f}; "
                f"tanh Xavier std {last['tanh, Xavier']['std']:.3f}; ReLU He std {last['ReLU, He']['std']:.3f} "
                f"({last['ReLU, He']['zero_fraction']:.0%} zeros)")
    return {"settings": summary, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=None, samples_help="number of random inputs (default 1,000)")
    main(samples=arguments.samples, plot_dir=arguments.plot_dir)
