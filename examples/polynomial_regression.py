"""Nonlinear (polynomial) regression by a two-layer network (deck 5, "실습: 비선형회귀").

As in the deck: m random points x in [-3, 3), targets y = 0.5 x^2 + x + 2 + noise with standard
normal noise, the inputs expanded to the polynomial features [x, x^2] (scikit-learn's
PolynomialFeatures(degree=2, include_bias=False), written here with NumPy), and a two-layer
network Dense(16, relu) - Dense(1) fitted with the mean squared error and adam (learning rate 0.01).

No network can beat the noise: the best possible mean squared error is its variance, 1. The
least-squares quadratic, solved in closed form, shows what is reachable on this sample. The plot
shows the data, the true curve and the network's fit.

Run it with `python examples/polynomial_regression.py [--epochs N] [--samples N] [--plot-dir D]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, new_figure, parse_args, plot_path, save_history_plot

import neuroflow
from neuroflow import layers, models, optimizers

EXPECTED = "fit MSE about 1.0 (the noise variance), as low as the least-squares quadratic's"


def polynomial_features(x):
    """[x, x^2] per row: PolynomialFeatures(degree=2, include_bias=False) for one input column."""
    return numpy.concatenate([x, x ** 2], axis=1)


def main(epochs=200, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0):
    """Fits y = 0.5 x^2 + x + 2 + noise and compares the fit with the closed-form least squares.

    Args:
        epochs: training epochs (batch 16).
        samples: number of points m (None: 200).
        verbose: 0 silent, 1 the figures, 2 also Keras progress bars.
        plot_dir: folder for `polynomial_regression.png` (loss per epoch) and
            `polynomial_regression_fit.png` (data and fit); None: no plots.
        seed: seed of the data, the weights and the shuffling.

    Returns:
        dict with `mse` (network, on the training points), `least_squares_mse`, `true_curve_mse`
        (the noise actually drawn), `curve_error` (RMS distance of the fit from the true curve on
        [-3, 3]), `history`, `plot`, `fit_plot`, `measured`.
    """
    m = samples or 200
    data_rng = numpy.random.RandomState(seed)
    x = 6 * data_rng.rand(m, 1) - 3
    y = 0.5 * x ** 2 + x + 2 + data_rng.randn(m, 1)
    features = polynomial_features(x).astype("float32")
    targets = y.astype("float32")

    neuroflow.set_random_seed(seed)
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(2,)),
        layers.Dense(1),
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse")
    start = time.perf_counter()
    history = model.fit(features, targets, epochs=epochs, batch_size=16, verbose=2 if verbose > 1 else 0)
    seconds = time.perf_counter() - start
    mse = float(model.evaluate(features, targets, verbose=0))

    design = numpy.concatenate([numpy.ones((m, 1)), x, x ** 2], axis=1)
    coefficients, *_ = numpy.linalg.lstsq(design, y, rcond=None)
    least_squares_mse = float(numpy.mean((design @ coefficients - y) ** 2))
    true_curve_mse = float(numpy.mean((0.5 * x ** 2 + x + 2 - y) ** 2))
    grid = numpy.linspace(-3, 3, 121).reshape(-1, 1)
    fitted = model.predict(polynomial_features(grid).astype("float32"), verbose=0)
    curve_error = float(numpy.sqrt(numpy.mean((fitted - (0.5 * grid ** 2 + grid + 2)) ** 2)))
    if verbose:
        c = coefficients.ravel()
        print(f"network MSE {mse:.4f}; least-squares quadratic {c[2]:.3f} x^2 + {c[1]:.3f} x + {c[0]:.3f}: "
              f"MSE {least_squares_mse:.4f}; the true curve: MSE {true_curve_mse:.4f} (the noise)")
        print(f"RMS distance of the network's fit from 0.5 x^2 + x + 2 on [-3, 3]: {curve_error:.4f} "
              f"({seconds:.1f} s of training)")

    plot = save_history_plot(history, plot_dir, "polynomial_regression", title="Polynomial regression: MSE")
    fit_plot = None
    figure = new_figure((5, 3.5)) if plot_dir is not None else None
    if figure is not None:
        ax = figure.subplots()
        ax.plot(x.ravel(), y.ravel(), "b.", markersize=4, label="data")
        ax.plot(grid.ravel(), (0.5 * grid ** 2 + grid + 2).ravel(), "g--", label="0.5 x² + x + 2")
        ax.plot(grid.ravel(), fitted.ravel(), "r-", linewidth=2, label="network")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend()
        ax.grid(True, alpha=0.3)
        ax.set_title(f"Two-layer network on [x, x²]: MSE {mse:.3f}")
        figure.tight_layout()
        fit_plot = plot_path(plot_dir, "polynomial_regression_fit")
        figure.savefig(fit_plot, dpi=80)
        print(f"plot saved to {fit_plot}")
    return {"mse": mse, "least_squares_mse": least_squares_mse, "true_curve_mse": true_curve_mse,
            "curve_error": curve_error, "history": history, "train_seconds": seconds, "plot": plot,
            "fit_plot": fit_plot,
            "measured": f"fit MSE {mse:.3f} (least squares {least_squares_mse:.3f}; RMS off the true curve "
                        f"{curve_error:.3f})"}


if __name__ == "__main__":
    arguments = parse_args(__doc__, epochs=200, samples_help="number of random points (default 200)")
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir)
