"""neuroflow.sklearn.MLPClassifier against scikit-learn's MLPClassifier: the same data, settings and seed, one run.

Both get the same `random_state`, so they start from the same weights and see the same batches;
the figures are the wall time and the process CPU time (user + system, all threads) of `fit`,
medians over --repeats with the two libraries alternating so the machine's load falls on both alike,
and their ratios neuroflow / scikit-learn (below 1: neuroflow is faster). On a shared machine the CPU
time of a one-thread run (--threads 1, under `taskset -c 0`) is the steadier figure. The final
training loss and the test accuracy of each are printed beside it, as a check that both did the same work.

Cases (hidden_layer_sizes=(100,), scikit-learn's default; pixels scaled to [0, 1]):
    digits-adam   8x8 digits (1347 train / 450 test), adam, 50 epochs
    digits-lbfgs  the same, lbfgs, 200 iterations
    mnist-adam    MNIST 60000 / 10000 (float32), adam, 3 epochs
    mnist-lbfgs   the first 10000 MNIST images (float32), lbfgs, 50 iterations

    python benchmarks/sklearn_mlp.py [--repeats 3] [--cases digits-adam,mnist-adam] [--threads 1] [--json out.json]

Target (issue 12): neuroflow no slower than scikit-learn (ratio <= 1). Needs scikit-learn and
scipy; MNIST comes from NEUROFLOW_DATA_DIR (the offline copy beside the repository by default).
"""
import argparse
import json
import os
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = os.path.join(os.path.dirname(HERE), "..", "shared", "data")

CASES = {
    "digits-adam": {"data": "digits", "solver": "adam", "max_iter": 50},
    "digits-lbfgs": {"data": "digits", "solver": "lbfgs", "max_iter": 200},
    "mnist-adam": {"data": "mnist", "solver": "adam", "max_iter": 3},
    "mnist-lbfgs": {"data": "mnist", "solver": "lbfgs", "max_iter": 50, "train_limit": 10000},
}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (set before NumPy loads)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    return parser.parse_args()


def _load(name, train_limit=None):
    """(X_train, X_test, y_train, y_test), pixels in [0, 1] (not timed)."""
    import numpy
    if name == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
    else:
        os.environ.setdefault("NEUROFLOW_DATA_DIR", DEFAULT_DATA_DIR)
        from neuroflow.datasets import mnist
        (X_train, y_train), (X_test, y_test) = mnist.load_data()
        X_train = (X_train.reshape(len(X_train), -1) / 255.0).astype(numpy.float32)
        X_test = (X_test.reshape(len(X_test), -1) / 255.0).astype(numpy.float32)
    if train_limit:
        X_train, y_train = X_train[:train_limit], y_train[:train_limit]
    return X_train, X_test, y_train, y_test


def _fit(estimator, X_train, y_train):
    from sklearn.exceptions import ConvergenceWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # fixed budgets: both stop at max_iter
        start, cpu_start = time.perf_counter(), time.process_time()
        estimator.fit(X_train, y_train)
        return time.perf_counter() - start, time.process_time() - cpu_start


def run_case(name, repeats):
    from sklearn.neural_network import MLPClassifier as SKLearnMLP

    from neuroflow.sklearn import MLPClassifier as NeuroflowMLP

    case = dict(CASES[name])
    X_train, X_test, y_train, y_test = _load(case.pop("data"), case.pop("train_limit", None))
    params = {"hidden_layer_sizes": (100,), "random_state": 0, **case}
    times = {"scikit-learn": [], "neuroflow": []}
    cpu_times = {"scikit-learn": [], "neuroflow": []}
    results = {}
    for _ in range(repeats):
        for library, klass in (("scikit-learn", SKLearnMLP), ("neuroflow", NeuroflowMLP)):
            estimator = klass(**params)
            wall, cpu = _fit(estimator, X_train, y_train)
            times[library].append(wall)
            cpu_times[library].append(cpu)
            results[library] = {"loss": float(estimator.loss_), "test_accuracy": float(estimator.score(X_test, y_test)),
                                "n_iter": int(estimator.n_iter_)}
    figures = {library: {"median_fit_s": statistics.median(values), "fit_s": values,
                         "median_cpu_s": statistics.median(cpu_times[library]), "cpu_s": cpu_times[library],
                         **results[library]}
               for library, values in times.items()}
    ratio = figures["neuroflow"]["median_fit_s"] / figures["scikit-learn"]["median_fit_s"]
    cpu_ratio = figures["neuroflow"]["median_cpu_s"] / figures["scikit-learn"]["median_cpu_s"]
    return {"case": name, "samples": int(len(X_train)), "dtype": str(X_train.dtype), "params": params,
            "libraries": figures, "ratio_neuroflow_over_sklearn": ratio, "cpu_ratio_neuroflow_over_sklearn": cpu_ratio}


def main():
    arguments = _arguments()
    if arguments.threads:
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(arguments.threads)
    sys.path.insert(0, os.path.dirname(HERE))  # this checkout's neuroflow, whatever is installed
    import numpy
    import sklearn
    outcomes = []
    print(f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}, repeats {arguments.repeats}, "
          f"threads {arguments.threads or 'default'}")
    print(f"{'case':14} {'n':>6} {'sklearn s':>10} {'neuroflow s':>12} {'ratio':>6} {'cpu sk s':>9} {'cpu nf s':>9} "
          f"{'ratio':>6}  {'loss sk / nf':>23}  {'test acc sk / nf':>17}")
    for name in arguments.cases.split(","):
        outcome = run_case(name.strip(), arguments.repeats)
        outcomes.append(outcome)
        theirs, ours = outcome["libraries"]["scikit-learn"], outcome["libraries"]["neuroflow"]
        print(f"{name:14} {outcome['samples']:>6} {theirs['median_fit_s']:>10.3f} {ours['median_fit_s']:>12.3f} "
              f"{outcome['ratio_neuroflow_over_sklearn']:>6.2f} {theirs['median_cpu_s']:>9.3f} {ours['median_cpu_s']:>9.3f} "
              f"{outcome['cpu_ratio_neuroflow_over_sklearn']:>6.2f}  {theirs['loss']:>11.6f} / {ours['loss']:<9.6f}  "
              f"{theirs['test_accuracy']:.4f} / {ours['test_accuracy']:.4f}", flush=True)
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(outcomes, handle, indent=2)


if __name__ == "__main__":
    main()
