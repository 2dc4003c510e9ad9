"""Shared machinery of the benchmarks: one subprocess per contender, the same threads for all.

A benchmark script defines its settings, a `prepare(config) -> {name: array}` that loads the data
once (in the parent, untimed), and `CONTENDERS = {name: function(config) -> result dict}`, then
calls `run_benchmark(...)`. The parent writes the prepared arrays to one temporary .npz file that
every child reads, so all contenders train on the same bytes and the peers' interpreter needs
neither neuroflow nor scikit-learn. Each contender trains in its own fresh interpreter
(`python script.py --child NAME ...`), so one library's allocator, thread pools and caches never
touch another's. The children run in lockstep: epoch k of every contender runs back to back, one
process at a time, while the others wait asleep (`--sequential` runs whole contenders one after
another instead). Each child prints its result as one JSON line after a marker; the parent
collects, repeats, and prints medians.

The peers (PyTorch eager, Keras 3 on JAX) run in the interpreter given by `--peer-python` or the
environment variable NEUROFLOW_PEER_PYTHON (default: this interpreter), e.g. a virtual environment
made with `pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 torch==2.13.0`. They are never
neuroflow's dependencies; a contender whose library does not import is skipped with a note.

Modes:
    default             wall-clock seconds per epoch, `--threads` BLAS / OpenMP / XLA threads (default: all cores)
    --pin               one thread, pinned to core 0 with `taskset -c 0`; the figure is the process's
                        CPU seconds per epoch (resource.getrusage: user + system), which other agents'
                        load on the other core disturbs much less than wall time
    --unset-openblas-env  removes OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from the children's environment
                        (some machines set them; they can pick a slower OpenBLAS kernel)

Figures per contender: the median steady epoch (the first epoch, with its one-off costs such as
Keras-JAX's XLA compile, left out), the first epoch's wall time, the whole fit's wall time (all
epochs, the first included), peak memory (max RSS), the library's import time in a fresh
interpreter (numpy included) and the test accuracy.

Why a child per contender: torch's OpenMP pool and NumPy's OpenBLAS pool spin-wait after each call;
in one process they fight over the same two cores and both slow down.
"""
import argparse
import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _lockstep  # noqa: E402

_MARKER = "@@BENCHMARK-RESULT@@ "
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
OPENBLAS_TUNING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The offline datasets beside the repository (../shared/data), as ./run points the loaders at them.
DEFAULT_DATA_DIR = os.path.join(REPOSITORY, "..", "shared", "data")
PEER_PYTHON_VARIABLE = "NEUROFLOW_PEER_PYTHON"
# The contenders that run in the peers' interpreter; all others run in this one.
PEER_CONTENDERS = ("torch", "keras_jax")
# The contender that runs the "neuroflow" benchmark code on the checkout named by --baseline.
BASELINE = "baseline"


class Skip(Exception):
    """A contender that cannot run here (e.g. torch not installed); its message is reported."""


# ---- the child side ------------------------------------------------------------------------------

_import_seconds = {}      # module name -> wall seconds of its first import in this child
_import_cpu_seconds = {}  # the same in process CPU seconds (in lockstep all children import at once)


def timed_import(module_name, install_hint=None):
    """Imports `module_name`, recording how long the import took (the child's first import of it).

    Raises Skip (with `install_hint`) when the module is not installed.
    """
    start, start_cpu = time.perf_counter(), EpochClock._cpu_now()
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise Skip(f"{module_name} does not import here ({error}); {install_hint or 'install it to compare'}") from None
    _import_seconds.setdefault(module_name, time.perf_counter() - start)
    _import_cpu_seconds.setdefault(module_name, EpochClock._cpu_now() - start_cpu)
    return module


def load_data(config):
    """The arrays the parent prepared ({name: numpy array}), read from the shared .npz file."""
    import numpy

    with numpy.load(config["data_file"]) as archive:
        return {name: archive[name] for name in archive.files}


class EpochClock:
    """Per-epoch wall seconds and process CPU seconds (user + system, all threads)."""

    def __init__(self):
        self.wall = []
        self.cpu = []
        self._start = None

    @staticmethod
    def _cpu_now():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def start(self):
        _lockstep.wait_turn()  # in lockstep, asleep and untimed until this contender's turn
        self._start = (time.perf_counter(), self._cpu_now())

    def stop(self):
        wall, cpu = self._start
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(self._cpu_now() - cpu)
        _lockstep.turn_done()

    def result(self, **figures):
        return dict({"epoch_seconds": self.wall, "epoch_cpu_seconds": self.cpu}, **figures)


def _peak_mib():
    """This process's peak resident memory in MiB.

    Linux's VmHWM belongs to the process image, whereas getrusage's ru_maxrss survives exec: a child
    started from a parent that loaded a large dataset would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, bytes on macOS (rough)


def _run_child(contenders, name, config):
    config = dict(config)
    try:
        result = contenders[name](config)
        result["status"] = "ok"
        result["import_seconds"] = sum(_import_seconds.values())
        result["import_cpu_seconds"] = sum(_import_cpu_seconds.values())
        result["peak_mib"] = _peak_mib()
    except Skip as reason:
        result = {"status": "skipped", "reason": str(reason)}
    print(_MARKER + json.dumps(result), flush=True)


# ---- the parent side -----------------------------------------------------------------------------

def _child_environment(name, threads, unset_openblas, neuroflow_checkout=None):
    environment = dict(os.environ)
    for variable in THREAD_VARIABLES:
        environment[variable] = str(threads)
    if unset_openblas:
        for variable in OPENBLAS_TUNING_VARIABLES:
            environment.pop(variable, None)
    environment.setdefault("NEUROFLOW_DATA_DIR", DEFAULT_DATA_DIR)
    if name == "keras_jax":
        environment["KERAS_BACKEND"] = "jax"
        environment["JAX_PLATFORMS"] = "cpu"
        if threads == 1:  # XLA's CPU client sizes its Eigen pool by the cores; one thread means one
            environment["XLA_FLAGS"] = " ".join(filter(None, [environment.get("XLA_FLAGS"),
                                                              "--xla_cpu_multi_thread_eigen=false",
                                                              "intra_op_parallelism_threads=1"]))
    # The children import the neuroflow of this checkout (or of --baseline's), whatever is installed.
    repository = neuroflow_checkout or REPOSITORY
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [repository, environment.get("PYTHONPATH")]))
    return environment


def _command(script, name, config, arguments):
    python = arguments.peer_python if name in PEER_CONTENDERS else sys.executable
    command = [python, os.path.abspath(script), "--child", name, "--config", json.dumps(config)]
    if arguments.pin:
        if shutil.which("taskset") is None:
            raise SystemExit("--pin needs `taskset` (util-linux)")
        command = ["taskset", "-c", "0"] + command
    return command


def _environment(name, config, arguments):
    return _child_environment(name, config["threads"], arguments.unset_openblas_env,
                              arguments.baseline if name == BASELINE else None)


def _parse_result(code, lines, errors):
    found = [json.loads(line[len(_MARKER):]) for line in lines if line.startswith(_MARKER)]
    return found[-1] if found else {"status": "failed", "reason": f"exit {code}: {errors.strip()[-2000:]}"}


def _launch(script, name, config, arguments):
    completed = subprocess.run(_command(script, name, config, arguments), env=_environment(name, config, arguments),
                               capture_output=True, text=True)
    return _parse_result(completed.returncode, completed.stdout.splitlines(), completed.stderr)


def _launch_lockstep(script, names, config, arguments):
    """Runs all contenders at once, one epoch at a time in turn (_lockstep.py): {name: result}.

    The k-th epochs of all contenders run back to back, under the same machine conditions, and
    never at the same time.
    """
    commands = {name: _command(script, name, config, arguments) for name in names}
    environments = {name: _environment(name, config, arguments) for name in names}
    outcomes = _lockstep.run_in_turns(commands, environments, pause=0.3 if config["threads"] > 1 else 0.0)
    return {name: _parse_result(*outcome) for name, outcome in outcomes.items()}


def _spread(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def parse_arguments(description, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS / OpenMP / torch / XLA threads for every contender (default: all cores; 1 with --pin)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="launch every contender this many times, round-robin; report medians over runs")
    parser.add_argument("--epochs", type=int, default=None, help="override the benchmark's epoch count")
    parser.add_argument("--contenders", default=None, help="comma-separated subset, e.g. neuroflow,numpy")
    parser.add_argument("--pin", action="store_true",
                        help="one thread pinned to core 0 (taskset -c 0); report process CPU seconds per epoch")
    parser.add_argument("--unset-openblas-env", action="store_true",
                        help="remove OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from the children's environment")
    parser.add_argument("--sequential", action="store_true",
                        help="run the contenders one after another instead of epoch by epoch in turn")
    parser.add_argument("--baseline", default=None, metavar="CHECKOUT",
                        help="also run the neuroflow contender on another checkout of neuroflow (e.g. a git worktree "
                             "of an older commit), as contender 'baseline', to show a change is not slower")
    parser.add_argument("--peer-python", default=os.environ.get(PEER_PYTHON_VARIABLE) or sys.executable,
                        help=f"the interpreter that runs {', '.join(PEER_CONTENDERS)} (default: ${PEER_PYTHON_VARIABLE}, "
                             "else this one)")
    parser.add_argument("--json", default=None, help="also write every figure to this JSON file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--config", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _median_of(values):
    return statistics.median(values) if values else None


def summarize(runs, mode):
    """One contender's figures over its runs (medians over runs of each run's figure).

    steady_s is the mode's figure (wall seconds, or pinned CPU seconds) of the median epoch after
    the first; steady_wall_s / steady_cpu_s are both kinds; first_epoch_s and fit_s are wall times.
    """
    def steady(run, key):
        epochs = run[key][1:] or run[key]
        return statistics.median(epochs)

    per_run = {
        "steady_wall_s": [steady(run, "epoch_seconds") for run in runs],
        "steady_cpu_s": [steady(run, "epoch_cpu_seconds") for run in runs],
        "first_epoch_s": [run["epoch_seconds"][0] for run in runs],
        "fit_s": [sum(run["epoch_seconds"]) for run in runs],
        "peak_mib": [run["peak_mib"] for run in runs],
        "import_s": [run["import_seconds"] for run in runs],
        "import_cpu_s": [run["import_cpu_seconds"] for run in runs if "import_cpu_seconds" in run],
        "test_accuracy": [run["test_accuracy"] for run in runs if run.get("test_accuracy") is not None],
    }
    summary = {key: _median_of(values) for key, values in per_run.items()}
    key = "steady_cpu_s" if mode == "pinned-cpu" else "steady_wall_s"
    summary["steady_s"] = summary[key]
    summary["spread"] = _spread(per_run[key])
    return summary


def target_ratios(contenders, targets, fit_targets=None):
    """neuroflow's figures over each peer's, checked against `targets` ({peer: limit} on the steady
    epoch) and `fit_targets` (on the whole fit): {"neuroflow/peer": {...}}."""
    ratios = {}
    if "neuroflow" not in contenders:
        return ratios
    ours = contenders["neuroflow"]["summary"]
    if BASELINE in contenders:
        targets = dict(targets, **{BASELINE: 1.0})
    for other in contenders:
        if other == "neuroflow":
            continue
        theirs = contenders[other]["summary"]
        entry = {"steady": ours["steady_s"] / theirs["steady_s"], "target": targets.get(other),
                 "fit": ours["fit_s"] / theirs["fit_s"], "fit_target": (fit_targets or {}).get(other),
                 "peak_memory": ours["peak_mib"] / theirs["peak_mib"],
                 "best_runs": ours["spread"]["min"] / theirs["spread"]["min"]}
        entry["met"] = None if entry["target"] is None else entry["steady"] <= entry["target"]
        entry["fit_met"] = None if entry["fit_target"] is None else entry["fit"] <= entry["fit_target"]
        ratios[f"neuroflow/{other}"] = entry
    return ratios


def _prepare_data_file(prepare, config, directory):
    import numpy

    sys.path.insert(0, REPOSITORY)  # prepare() may use this checkout's neuroflow.datasets
    os.environ.setdefault("NEUROFLOW_DATA_DIR", DEFAULT_DATA_DIR)
    arrays = prepare(config)
    path = os.path.join(directory, "data.npz")
    numpy.savez(path, **arrays)
    return path


def run_benchmark(description, contenders, config, prepare, script, targets, fit_targets=None, argv=None):
    """Runs the benchmark: as a child, one contender; as the parent, all of them, then reports.

    Args:
        description: the script's docstring (its first line describes it).
        contenders: {name: function(config) -> EpochClock.result(test_accuracy=...)}.
        config: the benchmark's settings (epochs, batch size ...), passed to every child.
        prepare: function(config) -> {name: numpy array}, the data, run once in the parent.
        script: the benchmark script's path (`__file__`), which the children re-run.
        targets: {peer: the most neuroflow's steady epoch may take, as a multiple of the peer's}.
        fit_targets: the same for the whole fit.

    Returns:
        The report dict (also printed, and written to --json), or None in a child.
    """
    arguments = parse_arguments(description.splitlines()[0], argv)
    if arguments.baseline is not None or arguments.child == BASELINE:
        contenders = dict(contenders, **{BASELINE: contenders["neuroflow"]})
    if arguments.child is not None:
        _run_child(contenders, arguments.child, json.loads(arguments.config))
        return None
    config = dict(config)
    if arguments.epochs is not None:
        config["epochs"] = arguments.epochs
    threads = arguments.threads if arguments.threads is not None else (1 if arguments.pin else os.cpu_count())
    if arguments.pin and threads != 1:
        raise SystemExit("--pin measures a one-thread run; drop --threads or pass --threads 1")
    config["threads"] = threads
    names = list(contenders) if arguments.contenders is None else arguments.contenders.split(",")
    if arguments.baseline is not None and BASELINE not in names:
        names.append(BASELINE)
    unknown = [name for name in names if name not in contenders]
    if unknown:
        raise SystemExit(f"unknown contender(s) {unknown}; known: {list(contenders)}")
    mode = "pinned-cpu" if arguments.pin else "wall"
    runs = {name: [] for name in names}
    notes = {}
    with tempfile.TemporaryDirectory(prefix="neuroflow-benchmark-") as directory:
        config["data_file"] = _prepare_data_file(prepare, config, directory)
        for repeat in range(arguments.repeats):
            lockstep = None if arguments.sequential else _launch_lockstep(script, names, config, arguments)
            for name in names:
                result = lockstep[name] if lockstep is not None else _launch(script, name, config, arguments)
                if result["status"] != "ok":
                    notes[name] = f"{result['status']}: {result['reason']}"
                    continue
                runs[name].append(result)
                figures = summarize([result], mode)
                print(f"  [{repeat + 1}/{arguments.repeats}] {name}: steady {figures['steady_s']:.4g} s, "
                      f"first {figures['first_epoch_s']:.4g} s, acc {figures['test_accuracy']}", file=sys.stderr, flush=True)
    del config["data_file"]
    contender_figures = {name: {"summary": summarize(results, mode), "runs": results}
                         for name, results in runs.items() if results}
    report = {
        "benchmark": os.path.splitext(os.path.basename(script))[0],
        "title": description.splitlines()[0],
        "command": " ".join(["python"] + [os.path.relpath(sys.argv[0], REPOSITORY)] + sys.argv[1:]),
        "mode": mode,
        "threads": threads,
        "repeats": arguments.repeats,
        "openblas_env": {variable: (None if arguments.unset_openblas_env else os.environ.get(variable))
                         for variable in OPENBLAS_TUNING_VARIABLES},
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "config": config,
        "contenders": contender_figures,
        "ratios": target_ratios(contender_figures, targets, fit_targets),
        "notes": notes,
    }
    print_report(report)
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(report, handle, indent=2)
    return report


def print_report(report):
    """Prints the contenders' figures and neuroflow's ratios to the peers."""
    figure = "CPU s/epoch (1 thread)" if report["mode"] == "pinned-cpu" else f"s/epoch ({report['threads']} threads)"
    print(f"{report['benchmark']}: mode={report['mode']} threads={report['threads']} repeats={report['repeats']} "
          f"openblas_env={report['openblas_env']}  ({report['machine']}, Python {report['python']})")
    columns = [figure, "first epoch s", "fit s", "peak MiB", "import CPU s", "test acc"]
    rows = []
    for name, entry in report["contenders"].items():
        summary = entry["summary"]
        rows.append((name, [f"{summary['steady_s']:.4g}", f"{summary['first_epoch_s']:.4g}", f"{summary['fit_s']:.4g}",
                            f"{summary['peak_mib']:.0f}", f"{summary['import_cpu_s']:.2f}",
                            "-" if summary["test_accuracy"] is None else f"{summary['test_accuracy']:.4f}"]))
    if rows:
        widths = [max(len(column), *(len(cells[i]) for _, cells in rows)) for i, column in enumerate(columns)]
        print(f"  {'contender':<10} " + "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths)))
        for name, cells in rows:
            print(f"  {name:<10} " + "  ".join(f"{cell:>{w}}" for cell, w in zip(cells, widths)))
    for pair, ratio in report["ratios"].items():
        verdict = "" if ratio["met"] is None else f" (target <= {ratio['target']}: {'met' if ratio['met'] else 'NOT met'})"
        fit_verdict = "" if ratio["fit_met"] is None else (
            f" (target <= {ratio['fit_target']}: {'met' if ratio['fit_met'] else 'NOT met'})")
        print(f"  {pair} = {ratio['steady']:.2f}{verdict}; whole fit {ratio['fit']:.2f}{fit_verdict}; "
              f"peak memory {ratio['peak_memory']:.2f}")
    for name, note in report["notes"].items():
        print(f"  note: {name} {note}")


# ---- helpers the contenders share ----------------------------------------------------------------

def set_torch_threads(torch, threads):
    """The same thread count as the BLAS env vars, for torch's intra-op pool."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before the first parallel work; harmless if too late
        pass


def import_torch(config):
    torch = timed_import("torch", "pip install torch==2.13.0 (the CPU build) to compare")
    set_torch_threads(torch, config["threads"])
    torch.manual_seed(config["seed"])
    return torch


def import_keras():
    """Keras 3 on JAX (the child's environment sets KERAS_BACKEND=jax)."""
    keras = timed_import("keras", "pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 to compare")
    if keras.backend.backend() != "jax":
        raise Skip(f"keras runs on {keras.backend.backend()}, not jax (set KERAS_BACKEND=jax)")
    return keras


def neuroflow_epoch_timer(callbacks, clock):
    """A neuroflow (or Keras) callback that times each epoch of fit with `clock`."""
    class EpochTimer(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.start()

        def on_epoch_end(self, epoch, logs=None):
            # Keras-JAX dispatches asynchronously: reading the epoch's loss waits for its last step.
            float((logs or {}).get("loss", 0.0))
            clock.stop()

    return EpochTimer()


def fit_timed(library, model, x_train, y_train, x_test, y_test, config, **fit_options):
    """`model.fit` of neuroflow or Keras with every epoch timed, then the test accuracy.

    The model is compiled with metrics=["accuracy"] (or a list whose last metric is accuracy).
    """
    clock = EpochClock()
    model.fit(x_train, y_train, epochs=config["epochs"], batch_size=config["batch_size"], verbose=0,
              callbacks=[neuroflow_epoch_timer(library.callbacks, clock)], **fit_options)
    results = model.evaluate(x_test, y_test, batch_size=config.get("eval_batch_size", 1024), verbose=0)
    return clock.result(test_accuracy=float(results[-1]))


def train_torch(torch, model, optimizer, x_train, y_train, x_test, y_test, config, loss="cross_entropy"):
    """The PyTorch contender's loop: reshuffle each epoch, train on logits, and keep the running
    loss and accuracy that Keras' fit reports.

    loss: "cross_entropy" (integer labels, softmax from logits) or "binary" (one logit, labels 0/1).
    """
    binary = loss == "binary"
    loss_function = torch.nn.BCEWithLogitsLoss() if binary else torch.nn.CrossEntropyLoss()
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    clock = EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    model.train()
    for _ in range(config["epochs"]):
        clock.start()
        order = torch.randperm(count)
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for start in range(0, count, batch_size):
            index = order[start:start + batch_size]
            x, y = x_train[index], y_train[index]
            logits = model(x)
            batch_loss = loss_function(logits, y)
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            optimizer.step()
            with torch.no_grad():
                total_loss += batch_loss.detach() * len(y)
                predicted = (logits > 0).to(y.dtype) if binary else logits.argmax(dim=1)
                correct += (predicted == y).sum()
        float(total_loss), int(correct)
        clock.stop()
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(torch.from_numpy(x_test[start:start + 1024])) for start in range(0, len(x_test), 1024)])
        predicted = (logits > 0).numpy().astype(y_test.dtype) if binary else logits.argmax(dim=1).numpy()
    accuracy = (predicted == y_test).mean()
    return clock.result(test_accuracy=float(accuracy), torch=torch.__version__)
