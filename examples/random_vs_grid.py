"""Random search against grid search at an equal budget of trials (decks 1 and 2; Bergstra and Bengio, 2012).

Decks 1 and 2 ("Random Search 활용"): when hyperparameters are chosen by cross-validation, random search is
more efficient than grid search. The reason (Bergstra and Bengio, "Random Search for Hyper-Parameter
Optimization", JMLR 13, 2012): usually only some hyperparameters matter. A 3 x 3 grid spends its 9 trials
on 3 values of each; 9 random trials try 9 different values of the one that matters.

The task: two interleaved half-moons (600 points, noise 0.25), an MLP Dense(units, relu) - Dense(1,
sigmoid) trained with plain SGD for a fixed number of epochs. Two hyperparameters: the learning rate
(four decades on a log scale: it decides almost everything) and the hidden units (4 to 64: they matter
little). Each search has 9 trials, each scored by 3-fold cross-validation (`search(..., cross_validation=3)`),
objective the validation loss (lower is better):

- grid: `neuroflow.tuner.GridSearch` over 3 learning rates (both ends and the middle of the range, on the
  log scale) x units {4, 34, 64};
- random: `neuroflow.tuner.RandomSearch`, 9 draws, learning rate log-uniform, units uniform.

Both run once per seed. The seed sets the weights, the folds, the random draws and where the learning-rate
range starts: [10**a, 10**(a + 4)] with a drawn uniformly in [-4, -2], the same range for both searches.
Without that shift the comparison would hinge on where 3 fixed grid points happen to fall relative to the
best learning rate (with a = -4 the grid's top point, 1.0, sits next to the optimum and grid search wins).
The figure is how often random search ends with the lower best validation loss.

Run it with `python examples/random_vs_grid.py [--epochs N] [--samples N] [--seeds N] [--plot-dir D]`.
"""
import tempfile
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import layers, optimizers
from neuroflow import tuner as kt

EXPECTED = ("random search ends with the lower best validation loss in more than half of the seeds "
            "(equal budget: 9 trials each; decks 1-2: random search is more efficient than grid search)")
TRIALS = 9
FOLDS = 3


def two_moons(samples, seed, noise=0.25):
    """Two interleaved half circles with Gaussian noise (scikit-learn's make_moons, in NumPy)."""
    generator = numpy.random.default_rng(seed)
    half = samples // 2
    angles = generator.uniform(0.0, numpy.pi, samples)
    upper = numpy.stack([numpy.cos(angles[:half]), numpy.sin(angles[:half])], axis=1)
    lower = numpy.stack([1.0 - numpy.cos(angles[half:]), 0.5 - numpy.sin(angles[half:])], axis=1)
    x = numpy.concatenate([upper, lower]) + generator.normal(0.0, noise, (samples, 2))
    y = numpy.concatenate([numpy.zeros(half), numpy.ones(samples - half)])
    order = generator.permutation(samples)
    return x[order].astype("float32"), y[order].astype("float32")


class MoonsHyperModel(kt.HyperModel):
    """The MLP of both searches; `grid=True` declares the grid's steps, else the continuous ranges."""

    def __init__(self, grid, low_exponent):
        super().__init__()
        self.grid = grid
        self.low, self.high = 10.0 ** low_exponent, 10.0 ** (low_exponent + 4)

    def build(self, hp):
        if self.grid:
            # A factor of 100 between steps: the range's two ends and its middle, on the log scale.
            learning_rate = hp.Float("learning_rate", self.low, self.high, step=100, sampling="log")
            units = hp.Int("units", 4, 64, step=30)
        else:
            learning_rate = hp.Float("learning_rate", self.low, self.high, sampling="log")
            units = hp.Int("units", 4, 64)
        model = neuroflow.Sequential([layers.Input((2,)), layers.Dense(units, activation="relu"),
                                      layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
        return model


def run_search(tuner_class, grid, x, y, seed, epochs, directory, **arguments):
    """One search of TRIALS trials; returns [(learning_rate, units, validation loss)] and the best loss."""
    low_exponent = numpy.random.default_rng([seed, 2012]).uniform(-4.0, -2.0)
    neuroflow.set_random_seed(seed)
    tuner = tuner_class(MoonsHyperModel(grid, low_exponent), objective="val_loss", max_trials=TRIALS, seed=seed,
                        directory=directory, project_name=f"{tuner_class.__name__}_{seed}", overwrite=True,
                        **arguments)
    tuner.search(x, y, epochs=epochs, batch_size=32, cross_validation=FOLDS, verbose=0)
    trials = [tuner.oracle.trials[trial_id] for trial_id in tuner.oracle.start_order]
    points = [(t.hyperparameters["learning_rate"], t.hyperparameters["units"], t.score) for t in trials]
    return points, tuner.oracle.get_best_trials()[0].score


def main(epochs=10, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seeds=20):
    """Grid and random search, `seeds` times each, on the half-moons MLP.

    Args:
        epochs: SGD epochs of every training run (each fold of each trial).
        samples: number of points (None: 600).
        verbose: 0 silent, 1 one line per seed and the result.
        plot_dir: folder for `random_vs_grid.png` (None: no plot).
        seeds: how many times each search runs.

    Returns:
        dict with `grid_best` and `random_best` (the best validation loss of each search, per seed),
        `random_wins` (seeds where random's is lower), `seeds`, `plot`, `measured`.
    """
    x, y = two_moons(samples or 600, seed=12345)
    grid_best, random_best, examples = [], [], None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        for seed in range(seeds):
            grid_points, grid_score = run_search(kt.GridSearch, True, x, y, seed, epochs, directory)
            random_points, random_score = run_search(kt.RandomSearch, False, x, y, seed, epochs, directory)
            grid_best.append(grid_score)
            random_best.append(random_score)
            if examples is None:
                examples = (grid_points, random_points)
            if verbose:
                print(f"seed {seed}: best {FOLDS}-fold validation loss grid {grid_score:.4f}, random {random_score:.4f}")
    seconds = time.perf_counter() - start
    grid_best, random_best = numpy.array(grid_best), numpy.array(random_best)
    wins = int(numpy.sum(random_best < grid_best))
    measured = (f"random search better in {wins}/{seeds} seeds; median best {FOLDS}-fold validation loss "
                f"random {numpy.median(random_best):.4f}, grid {numpy.median(grid_best):.4f} "
                f"({TRIALS} trials each, {epochs} epochs, {seconds:.0f} s)")
    print(measured)
    plot = _plot(grid_best, random_best, examples, plot_path(plot_dir, "random_vs_grid"))
    return {"grid_best": grid_best.tolist(), "random_best": random_best.tolist(), "random_wins": wins,
            "seeds": seeds, "plot": plot, "measured": measured}


def _plot(grid_best, random_best, examples, path):
    """Left: the 9 trials of each search for the first seed. Right: best losses per seed, grid against random."""
    if path is None:
        return None
    figure = new_figure((11, 4.5))
    if figure is None:
        print('note: matplotlib is not installed, so random_vs_grid.png was not drawn (pip install "neuroflow[plot]")')
        return None
    trials, pairs = figure.subplots(1, 2)
    lowest = min(point[2] for points in examples for point in points)
    for points, marker, label in ((examples[0], "s", "grid"), (examples[1], "o", "random")):
        rates, units, losses = (numpy.array(column) for column in zip(*points))
        drawn = trials.scatter(rates, units, c=losses, marker=marker, s=70, cmap="viridis_r", vmin=lowest, vmax=0.7,
                               edgecolors="black")
        # An empty, grey stand-in for the legend: the points' own colours are the losses.
        trials.scatter([], [], marker=marker, s=70, color="lightgray", edgecolors="black", label=label)
    trials.set_xscale("log")
    trials.set(xlabel="learning rate", ylabel="hidden units", title="the 9 trials of each search (seed 0)")
    trials.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    figure.colorbar(drawn, ax=trials, label=f"{FOLDS}-fold validation loss")
    low = min(grid_best.min(), random_best.min()) * 0.95
    high = max(grid_best.max(), random_best.max()) * 1.05
    pairs.plot([low, high], [low, high], color="gray", linestyle="--", linewidth=1)
    pairs.scatter(grid_best, random_best, color="tab:blue")
    wins = int(numpy.sum(random_best < grid_best))
    pairs.set(xlabel="best validation loss, grid search", ylabel="best validation loss, random search",
              title=f"per seed: random lower in {wins} of {len(grid_best)} (below the diagonal)")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    print(f"plot saved to {path}")
    return path


if __name__ == "__main__":
    def _extra(parser):
        parser.add_argument("--seeds", type=int, default=20, help="how many times each search runs (default: 20)")

    arguments = parse_args(__doc__, epochs=10, samples_help="number of half-moon points (default: 600)", extra=_extra)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir, seeds=arguments.seeds)
