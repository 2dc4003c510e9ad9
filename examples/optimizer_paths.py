"""Optimizer paths on f(x, y) = x^2 / 20 + y^2 from (-7, 2) (deck 2 "Optimizer Comparison"; "밑바닥부터 시작하는 딥러닝" 6.1).

The bowl is twenty times steeper in y than in x, so the gradient points mostly across the valley,
not toward the minimum at (0, 0). neuroflow's own optimizers move a Variable (x, y) for 30 steps
from the gradient the tape computes, with the book's learning rates (SGD 0.95, Momentum 0.1 with
momentum 0.9, AdaGrad 1.5, Adam 0.3; RMSProp, not in the book's figure, 0.3). SGD zigzags in y and
crawls in x; momentum overshoots and swings in; AdaGrad's and RMSProp's per-coordinate scaling
damps the y swings at once; Adam combines momentum and the scaling. The plot draws the paths on
the contour lines of f.

Run it with `python examples/optimizer_paths.py [--epochs STEPS] [--plot-dir D]`.
"""
import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

from neuroflow import GradientTape, Variable, ops, optimizers

START = (-7.0, 2.0)
OPTIMIZERS = (
    ("SGD", lambda: optimizers.SGD(learning_rate=0.95)),
    ("Momentum", lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9)),
    ("AdaGrad", lambda: optimizers.Adagrad(learning_rate=1.5)),
    ("RMSProp", lambda: optimizers.RMSprop(learning_rate=0.3)),
    ("Adam", lambda: optimizers.Adam(learning_rate=0.3)),
)
EXPECTED = ("SGD zigzags across the steep y direction (y flips sign every step) and creeps along x; Momentum swings "
            "around the minimum; AdaGrad damps the y motion at once and takes the most direct path (the book's figure)")


def f(point):
    """x^2 / 20 + y^2 on a Tensor of shape (2,)."""
    return ops.add(ops.divide(ops.square(point[0]), 20.0), ops.square(point[1]))


def path(optimizer, steps):
    """The points the optimizer visits from START, shape (steps + 1, 2)."""
    point = Variable(numpy.array(START, dtype="float64"), name="point")
    visited = [point.numpy().copy()]
    for _ in range(steps):
        with GradientTape() as tape:
            value = f(point)
        optimizer.apply(tape.gradient(value, [point]), [point])
        visited.append(point.numpy().copy())
    return numpy.array(visited)


def _draw(paths, plot_dir):
    figure = new_figure((15, 3.4)) if plot_dir is not None else None
    if figure is None:
        return None
    axes = figure.subplots(1, len(paths))
    xs, ys = numpy.meshgrid(numpy.linspace(-10, 10, 200), numpy.linspace(-5, 5, 200))
    heights = xs ** 2 / 20 + ys ** 2
    for ax, (name, points) in zip(axes, paths.items()):
        ax.contour(xs, ys, heights, levels=numpy.geomspace(0.05, 30, 12), colors="0.75", linewidths=0.7)
        ax.plot(points[:, 0], points[:, 1], "o-", color="tab:red", markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="k", markersize=10)
        final = float(points[-1, 0] ** 2 / 20 + points[-1, 1] ** 2)
        ax.set_title(f"{name}: f = {final:.2g} after {len(points) - 1} steps", fontsize=9)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
    figure.tight_layout()
    output = plot_path(plot_dir, "optimizer_paths")
    figure.savefig(output, dpi=70)
    print(f"plot saved to {output}")
    return output


def main(epochs=30, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR):
    """Runs each optimizer from (-7, 2) and reports where it ends.

    Args:
        epochs: the number of steps (the book: 30).
        samples: ignored (no data); accepted so every example takes the same arguments.
        verbose: 0 silent, 1 a line per optimizer.
        plot_dir: folder for `optimizer_paths.png` (None: no plot).

    Returns:
        dict with `paths` (name -> points), `final` (name -> f at the last point), `y_sign_changes`
        and `detour` (path length over the straight distance), `plot`, `measured`.
    """
    paths = {name: path(make(), epochs) for name, make in OPTIMIZERS}
    final = {name: float(points[-1, 0] ** 2 / 20 + points[-1, 1] ** 2) for name, points in paths.items()}
    # The zigzag: how often y changes sign, and the path's length over the straight distance to its end.
    flips = {name: int(numpy.sum(numpy.diff(numpy.sign(points[:, 1])) != 0)) for name, points in paths.items()}
    detour = {name: float(numpy.sum(numpy.linalg.norm(numpy.diff(points, axis=0), axis=1))
                          / numpy.linalg.norm(points[-1] - points[0])) for name, points in paths.items()}
    if verbose:
        for name, points in paths.items():
            print(f"{name:8}: ends at ({points[-1, 0]:+.4f}, {points[-1, 1]:+.4f}), f = {final[name]:.3g}; y changes "
                  f"sign {flips[name]} times; path {detour[name]:.2f} x the straight distance; first y: "
                  f"{' '.join(f'{v:+.2f}' for v in points[:6, 1])}")
    plot = _draw(paths, plot_dir)
    measured = "; ".join(f"{name}: f {final[name]:.2g}, y sign flips {flips[name]}, path {detour[name]:.2f}x straight"
                         for name in paths) + f" (after {epochs} steps)"
    return {"paths": paths, "final": final, "y_sign_changes": flips, "detour": detour, "plot": plot,
            "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=30, samples_help="ignored: no data")
    main(epochs=arguments.epochs, plot_dir=arguments.plot_dir)
