"""What every example shares: finding neuroflow and the offline data, the command line, saving plots.

Importing this module first lets `python examples/<name>.py` run from a plain checkout:
it puts the repository on `sys.path` when neuroflow is not installed, and points the dataset
loaders at `<repo>/../shared/data` when that folder exists and `NEUROFLOW_DATA_DIR` is unset
(what `./run` does).
"""
import argparse
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PLOT_DIR = os.path.join(REPO, "docs", "plots")


def _find_neuroflow():
    try:
        import neuroflow  # noqa: F401
    except ImportError:
        sys.path.insert(0, REPO)


def _find_data():
    shared = os.path.join(os.path.dirname(REPO), "shared", "data")
    if not os.environ.get("NEUROFLOW_DATA_DIR") and os.path.isdir(shared):
        os.environ["NEUROFLOW_DATA_DIR"] = shared


_find_neuroflow()
_find_data()


def parse_args(doc, epochs, samples_help="train on the first N samples only (a quick slice)", extra=None):
    """The command line every example takes: --epochs, --samples, --plot-dir (and `extra` options).

    Args:
        doc: the example's module docstring; its first line is the description.
        epochs: the default of --epochs (None: the example's own schedule).
        samples_help: help text of --samples.
        extra: optional function adding more arguments to the parser.

    Returns:
        The parsed `argparse.Namespace`.
    """
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--epochs", type=int, default=epochs, help=f"training epochs (default: {epochs})")
    parser.add_argument("--samples", type=int, default=None, help=samples_help)
    parser.add_argument("--plot-dir", default="docs/plots",
                        help="folder for the PNG plots (default: docs/plots of the repository)")
    if extra is not None:
        extra(parser)
    arguments = parser.parse_args()
    if arguments.plot_dir == "docs/plots":
        arguments.plot_dir = DEFAULT_PLOT_DIR
    return arguments


def plot_path(plot_dir, name):
    """`<plot_dir>/<name>.png`, creating the folder; None when `plot_dir` is None (no plot wanted)."""
    if plot_dir is None:
        return None
    os.makedirs(plot_dir, exist_ok=True)
    return os.path.join(plot_dir, name + ".png")


def matplotlib_available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_history_plot(history, plot_dir, name, title=None, metrics=None, dpi=80):
    """Saves `plot_history(history)` as `<plot_dir>/<name>.png` and returns the path.

    Returns None (after printing a note) when matplotlib is missing, or when `plot_dir` is None.
    """
    from neuroflow.utils import plot_history

    path = plot_path(plot_dir, name)
    if path is None:
        return None
    if not matplotlib_available():
        print(f"note: matplotlib is not installed, so {name}.png was not drawn "
              '(pip install "neuroflow[plot]")')
        return None
    plot_history(history, metrics=metrics, path=path, title=title, dpi=dpi)
    print(f"plot saved to {path}")
    return path


def new_figure(figsize):
    """A matplotlib Figure (not tied to any GUI backend), or None when matplotlib is missing."""
    if not matplotlib_available():
        return None
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)
