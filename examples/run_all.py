"""Runs every lecture exercise at full size and writes docs/RESULTS.md (run by `./run examples`).

The table gives, per exercise, the figure the course expects, the one neuroflow measured and the
wall time (data loading included) on the machine that ran it, which the file also describes.
An exercise whose dataset is not available offline, or that fails, still gets its row saying so.

    python examples/run_all.py [--only NAME ...] [--update] [--output docs/RESULTS.md] [--plot-dir docs/plots]

With --update (and --only), the rows of the examples not run are kept from the existing file, and
the file says which rows come from which earlier run.
"""
import argparse
import datetime
import importlib
import os
import platform
import re
import time
import traceback

import numpy
from _common import DEFAULT_PLOT_DIR, REPO

import neuroflow
from neuroflow.datasets import DatasetError

# In the order of the course: the first programs, then the decks' exercises, then the book's.
EXAMPLES = (
    "perceptron", "xor",
    # The lectures' tools (issue 11), in the decks' order: backprop, numerical gradients, scheduling,
    # vanishing gradients, initialization, optimizers, overfitting.
    "backprop_worked_example", "gradient_check_cost", "lr_schedules", "vanishing_gradients", "activation_histograms",
    "optimizer_paths", "overfitting_cures",
    "logistic_regression", "polynomial_regression", "iris_mlp", "mnist_mlp", "mnist_tuning",
    "fashion_mnist", "imdb_binary", "reuters_multiclass", "boston_kfold", "random_search_cv",
)
# Hyperparameter search with neuroflow.tuner (issue 12): random against grid search at an equal budget.
EXAMPLES += ("random_vs_grid",)


def cpu_model():
    """The CPU's marketing name from /proc/cpuinfo, else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_name():
    try:
        config = numpy.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy has no mode="dicts"; the BLAS is a nice-to-have
        return "unknown"


def machine_text():
    return (f"{cpu_model()}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; NumPy {numpy.__version__} ({blas_name()}); "
            f"neuroflow {getattr(neuroflow, '__version__', '?')}")


def run_one(name, plot_dir, epochs=None, samples=None):
    """Runs one example's main(); returns (rows, seconds, log text). Never raises."""
    module = importlib.import_module(name)
    kwargs = {"verbose": 1, "plot_dir": plot_dir}
    if epochs is not None:
        kwargs["epochs"] = epochs
    if samples is not None:
        kwargs["samples"] = samples
    start = time.perf_counter()
    try:
        result = module.main(**kwargs)
    except DatasetError as error:
        seconds = time.perf_counter() - start
        return [{"name": name, "expected": module.EXPECTED,
                 "measured": f"not run: dataset unavailable offline ({str(error).split(' (')[0]})"}], seconds
    except Exception as error:  # a failing example is reported in its row, not hidden
        seconds = time.perf_counter() - start
        traceback.print_exc()
        return [{"name": name, "expected": module.EXPECTED,
                 "measured": f"FAILED: {type(error).__name__}: {error}"}], seconds
    seconds = time.perf_counter() - start
    rows = result.get("rows") or [{"name": name, "expected": module.EXPECTED, "measured": result["measured"]}]
    for row in rows:
        row.setdefault("plot", result.get("plot"))
    return rows, seconds


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def load_text():
    try:
        return "load average (1 min) %.1f" % os.getloadavg()[0]
    except (AttributeError, OSError):
        return "load average unknown"


KEPT_NOTE = "**Kept from earlier runs** (each on its own machine and load): "


def earlier_rows(path, keep):
    """From an existing results file: ({example: [table lines]}, {example: the date of the run that made them})
    for the examples in `keep`. Rows the file itself kept from an earlier run keep that run's date."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return {}, {}
    run_on = next((line[len("Run on "):].split(",")[0] for line in lines if line.startswith("Run on ")), "date unknown")
    dates = {}
    for line in lines:
        if line.startswith(KEPT_NOTE):
            # "...: the rows of a, b (run on DATE); the rows of c (run on DATE)."
            for names, date in re.findall(r"the rows of ([^(]+) \(run on ([^)]+)\)", line):
                dates.update({name.strip(): date for name in names.split(",")})
    rows = {}
    for line in lines:
        if line.startswith("| ") and not line.startswith("| exercise |"):
            example = line[2:].split(" ", 1)[0]
            if example in keep:
                rows.setdefault(example, []).append(line)
    return rows, {example: dates.get(example, run_on) for example in rows}


def _kept_note(kept_dates):
    by_date = {}
    for name in EXAMPLES:
        if name in kept_dates:
            by_date.setdefault(kept_dates[name], []).append(name)
    return KEPT_NOTE + "; ".join(f"the rows of {', '.join(names)} (run on {date})" for date, names in by_date.items()) + "."


def write_results(path, entries, plot_dir, started, total, slice_note, loads, kept=None, kept_dates=None):
    lines = [
        "# Lecture exercises: the course's figures and neuroflow's",
        "",
        "Generated by `python examples/run_all.py` (`./run examples`); do not edit by hand.",
        f"Run on {started:%Y-%m-%d %H:%M} UTC, {total / 60:.1f} minutes in all.",
        "",
        f"**Machine:** {machine_text()}.",
        "",
        "Wall time is the whole example (data loading, every training run it makes, evaluation and plots); "
        "per-model rows of the tuning table time the training alone. The machine may have been shared with "
        f"other work, so times are indicative: {loads[0]} at the start, {load_text()} at the end "
        f"(on {os.cpu_count()} cores).",
    ]
    if slice_note:
        lines += ["", f"**Not full size:** {slice_note}."]
    if kept:
        lines += ["", _kept_note(kept_dates or {})]
    lines += ["", "| exercise | expected (course) | neuroflow measured | wall time | plot |", "|---|---|---|---|---|"]
    fresh = {}
    for rows, seconds in entries:
        for row in rows:
            plot = row.get("plot")
            link = f"[png]({os.path.relpath(plot, os.path.dirname(os.path.abspath(path)))})" if plot else "-"
            row_seconds = row.get("seconds", seconds)
            example = str(row["name"]).split(" ", 1)[0]
            fresh.setdefault(example, []).append(f"| {_cell(row['name'])} | {_cell(row['expected'])} | "
                                                 f"{_cell(row['measured'])} | {row_seconds:.1f} s | {link} |")
    kept = kept or {}
    for name in list(EXAMPLES) + [name for name in fresh if name not in EXAMPLES]:
        lines += fresh.get(name, kept.get(name, []))
    lines += ["", "Each example runs on its own: `python examples/<name>.py --help`.", ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=EXAMPLES, help="run these examples only")
    parser.add_argument("--update", action="store_true",
                        help="keep the rows of the examples not run (with --only) from the existing output file")
    parser.add_argument("--output", default=os.path.join(REPO, "docs", "RESULTS.md"))
    parser.add_argument("--plot-dir", default=DEFAULT_PLOT_DIR)
    parser.add_argument("--epochs", type=int, default=None, help="override every example's epochs (not full size)")
    parser.add_argument("--samples", type=int, default=None, help="a quick slice of every dataset (not full size)")
    arguments = parser.parse_args(argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    begin = time.perf_counter()
    loads = [load_text()]
    entries = []
    names = arguments.only or EXAMPLES
    kept, kept_dates = earlier_rows(arguments.output, [n for n in EXAMPLES if n not in names]) if arguments.update \
        else ({}, {})
    for name in names:
        print(f"\n===== {name} =====", flush=True)
        entry = run_one(name, arguments.plot_dir, arguments.epochs, arguments.samples)
        print(f"===== {name}: {entry[1]:.1f} s =====", flush=True)
        entries.append(entry)
        # Rewritten after each example, so an interrupted run still leaves what it measured.
        slice_note = ", ".join(f"--{k} {v}" for k, v in (("epochs", arguments.epochs), ("samples", arguments.samples))
                               if v is not None)
        write_results(arguments.output, entries, arguments.plot_dir, started, time.perf_counter() - begin,
                      slice_note, loads, kept, kept_dates)
    print(f"\nwrote {arguments.output}")
    with open(arguments.output, encoding="utf-8") as handle:
        print(handle.read())


if __name__ == "__main__":
    main()
