"""Numerical gradient O(W^2) against backpropagation O(W), measured (decks 1 and 2, "Computing the gradient").

For MLPs 64 - h - h - 10 of growing width h (W weights in all) on a batch of 256 samples,
`neuroflow.utils.check_gradients` compares backprop's gradient with central differences (its
report must pass) on a sample of entries per tensor. A central difference costs two forward
passes per weight, and one forward pass costs O(W), so the full numerical gradient costs
2 W forward passes, O(W^2); backprop costs about one forward and one backward pass, O(W). Both are
timed as the fastest of nine runs (the least disturbed by other work on the machine): one forward
pass, scaled by 2 W, and one backward pass on the tape. The plot shows both on log-log axes with
the slopes fitted over the largest networks.

Run it with `python examples/gradient_check_cost.py [--plot-dir D]`.
"""
import contextlib
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path

import neuroflow
from neuroflow import GradientTape, backend, layers, models, no_grad, ops
from neuroflow.utils import check_gradients

try:
    # One BLAS thread while timing: on a shared machine a multi-threaded product waits for its
    # descheduled second thread, and the times would measure the neighbours. (threadpoolctl comes
    # with scikit-learn; without it the times are BLAS's default.)
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

WIDTHS = (8, 16, 32, 64, 128, 256, 512)
EXPECTED = "numerical gradient O(W^2) (log-log slope 2), backprop O(W) (slope 1); both agree"


def _network(width):
    return models.Sequential([layers.Input((64,)), layers.Dense(width, activation="tanh"),
                              layers.Dense(width, activation="tanh"), layers.Dense(10)])


def _fastest(run, model, x, y, repeats=9):
    """The least wall time of `repeats` runs of `run(model, x, y)` (timeit's advice: the others measure the machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(model, x, y)
        times.append(time.perf_counter() - start)
    return min(times)


def _loss(model, x, y):
    return ops.mean(neuroflow.losses.mean_squared_error(y, model(x)))


def _backprop(model, x, y):
    with GradientTape() as tape:
        loss = _loss(model, x, y)
    tape.gradient(loss, model.trainable_weights)


def _forward(model, x, y):
    with no_grad():
        _loss(model, x, y)


def _slope(sizes, seconds):
    return float(numpy.polyfit(numpy.log(sizes), numpy.log(seconds), 1)[0])


@contextlib.contextmanager
def _one_blas_thread():
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@contextlib.contextmanager
def _float64():
    """float64 while it lasts: the check is in float64, and building the networks in it spares the copy."""
    previous = backend.floatx()
    backend.set_floatx("float64")
    try:
        yield
    finally:
        backend.set_floatx(previous)


def _measure(widths, batch, entries, seed, verbose):
    """A row per width: weights, numerical and backprop seconds, and the gradient check's verdict."""
    rng = numpy.random.default_rng(seed)
    x = rng.normal(size=(batch, 64))
    y = rng.normal(size=(batch, 10))
    results = []
    for width in widths:
        neuroflow.set_random_seed(seed)
        model = _network(width)
        weights = model.count_params()
        report = check_gradients(model, x, y, loss="mse", max_entries=entries, seed=seed)
        checked = sum(check.entries_checked for check in report.tensors)
        numeric = 2 * weights * _fastest(_forward, model, x, y)
        backprop = _fastest(_backprop, model, x, y)
        results.append({"width": width, "weights": weights, "numeric_seconds": numeric, "backprop_seconds": backprop,
                         "passed": report.passed, "max_relative_error": report.max_relative_error})
        if verbose:
            print(f"h = {width:4}: W = {weights:7}, numerical gradient {numeric:9.3f} s (2 W forward passes; "
                  f"{checked} entries checked), backprop {backprop * 1e3:8.3f} ms, ratio {numeric / backprop:9.0f}, "
                  f"max relative error {report.max_relative_error:.1e} ({'passed' if report.passed else 'FAILED'})")
    return results


def main(epochs=None, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, widths=WIDTHS, entries=8, seed=0):
    """Times the numerical and the backprop gradient as the network grows.

    Args:
        epochs: ignored (nothing is trained); accepted so every example takes the same arguments.
        samples: batch size (default 256).
        verbose: 0 silent, 1 a row per network.
        plot_dir: folder for `gradient_check_cost.png` (None: no plot).
        widths: the hidden widths h.
        entries: entries per tensor checked by finite differences (the time is scaled to all W).
        seed: seed of the weights and data.

    Returns:
        dict with `rows` (per network: width, weights, numeric_seconds, backprop_seconds, passed),
        `numeric_slope`, `backprop_slope` (log-log, over the largest four networks or all if fewer),
        `all_passed`, `plot`, `measured`.
    """
    batch = samples or 256
    with _one_blas_thread(), _float64():
        results = _measure(widths, batch, entries, seed, verbose)
    tail = results[-4:] if len(results) >= 4 else results
    sizes = [r["weights"] for r in tail]
    numeric_slope = _slope(sizes, [r["numeric_seconds"] for r in tail]) if len(tail) > 1 else float("nan")
    backprop_slope = _slope(sizes, [r["backprop_seconds"] for r in tail]) if len(tail) > 1 else float("nan")
    plot = None
    figure = new_figure((6, 4.2)) if plot_dir is not None else None
    if figure is not None:
        ax = figure.subplots()
        all_sizes = [r["weights"] for r in results]
        ax.loglog(all_sizes, [r["numeric_seconds"] for r in results], "o-",
                  label=f"numerical gradient (slope {numeric_slope:.2f})")
        ax.loglog(all_sizes, [r["backprop_seconds"] for r in results], "s-", label=f"backprop (slope {backprop_slope:.2f})")
        ax.set_xlabel("weights W")
        ax.set_ylabel("seconds per gradient")
        ax.set_title("cost of one gradient: O(W^2) against O(W)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        figure.tight_layout()
        plot = plot_path(plot_dir, "gradient_check_cost")
        figure.savefig(plot, dpi=80)
        print(f"plot saved to {plot}")
    all_passed = all(r["passed"] for r in results)
    largest = results[-1]
    measured = (f"log-log slope numerical {numeric_slope:.2f}, backprop {backprop_slope:.2f} (largest {len(tail)} "
                f"networks, W up to {largest['weights']}); at W = {largest['weights']} numerical "
                f"{largest['numeric_seconds']:.1f} s vs backprop {largest['backprop_seconds'] * 1e3:.1f} ms; "
                f"gradient check {'passed' if all_passed else 'FAILED'} on every network")
    return {"networks": results, "numeric_slope": numeric_slope, "backprop_slope": backprop_slope,
            "all_passed": all_passed, "plot": plot, "measured": measured}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=None, samples_help="batch size (default 256)")
    main(samples=arguments.samples, plot_dir=arguments.plot_dir)
