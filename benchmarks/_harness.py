"""Shared machinery of the benchmarks: one subprocess per contender, the same threads for all.

A benchmark script defines `CONTENDERS = {name: function(config) -> result dict}` and calls
`main(description, CONTENDERS, config)`. The parent process only launches children and reports;
each contender trains in its own fresh interpreter (`python script.py --child NAME ...`), so one
library's allocator, thread pools and caches never touch another's. The children run in lockstep:
epoch k of every contender runs back to back, one process at a time, while the others wait asleep
(`--sequential` runs whole contenders one after another instead). Each child prints its result
as one JSON line after a marker; the parent collects, repeats, and prints medians.

Modes:
    default             wall-clock seconds per epoch, `--threads` BLAS / OpenMP threads (default: all cores)
    --pin               one thread, pinned to core 0 with `taskset -c 0`; the figure is the process's
                        CPU seconds per epoch (resource.getrusage: user + system), which other agents'
                        load on the other core disturbs much less than wall time
    --unset-openblas-env  removes OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from the children's environment
                        (this machine sets them; they can pick a slower OpenBLAS kernel)

Why a child per contender: torch's OpenMP pool and NumPy's OpenBLAS pool spin-wait after each call;
in one process they fight over the same two cores and both slow down.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _lockstep  # noqa: E402

_MARKER = "@@BENCHMARK-RESULT@@ "
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
OPENBLAS_TUNING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# The offline datasets beside the repository (../shared/data), as ./run points the loaders at them.
DEFAULT_DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "data")


class Skip(Exception):
    """A contender that cannot run here (e.g. torch not installed); its message is reported."""


# ---- the child side ------------------------------------------------------------------------------

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


def set_torch_threads(torch, threads):
    """The same thread count as the BLAS env vars, for torch's intra-op pool."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before the first parallel work; harmless if too late
        pass


def _run_child(contenders, name, config):
    config = dict(config)
    try:
        result = contenders[name](config)
        result["status"] = "ok"
    except Skip as reason:
        result = {"status": "skipped", "reason": str(reason)}
    print(_MARKER + json.dumps(result), flush=True)


# ---- the parent side -----------------------------------------------------------------------------

# The contender that runs the "neuroflow" benchmark code on the checkout named by --baseline.
BASELINE = "baseline"


def _child_environment(threads, unset_openblas, neuroflow_checkout=None):
    environment = dict(os.environ)
    for variable in THREAD_VARIABLES:
        environment[variable] = str(threads)
    if unset_openblas:
        for variable in OPENBLAS_TUNING_VARIABLES:
            environment.pop(variable, None)
    environment.setdefault("NEUROFLOW_DATA_DIR", DEFAULT_DATA_DIR)
    # The children import the neuroflow of this checkout (or of --baseline's), whatever is installed.
    repository = neuroflow_checkout or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [repository, environment.get("PYTHONPATH")]))
    return environment


def _launch(script, name, config, arguments):
    command = [sys.executable, os.path.abspath(script), "--child", name, "--config", json.dumps(config)]
    if arguments.pin:
        if shutil.which("taskset") is None:
            raise SystemExit("--pin needs `taskset` (util-linux)")
        command = ["taskset", "-c", "0"] + command
    environment = _child_environment(config["threads"], arguments.unset_openblas_env,
                                     arguments.baseline if name == BASELINE else None)
    completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    for line in completed.stdout.splitlines():
        if line.startswith(_MARKER):
            return json.loads(line[len(_MARKER):])
    return {"status": "failed", "reason": f"exit {completed.returncode}: {completed.stderr.strip()[-2000:]}"}


def _launch_lockstep(script, names, config, arguments):
    """Runs all contenders at once, one epoch at a time in turn (_lockstep.py): {name: result}.

    The k-th epochs of all contenders run back to back, under the same machine conditions, and
    never at the same time.
    """
    commands, environments = {}, {}
    for name in names:
        commands[name] = [sys.executable, os.path.abspath(script), "--child", name, "--config", json.dumps(config)]
        if arguments.pin:
            if shutil.which("taskset") is None:
                raise SystemExit("--pin needs `taskset` (util-linux)")
            commands[name] = ["taskset", "-c", "0"] + commands[name]
        environments[name] = _child_environment(config["threads"], arguments.unset_openblas_env,
                                                arguments.baseline if name == BASELINE else None)
    outcomes = _lockstep.run_in_turns(commands, environments, pause=0.3 if config["threads"] > 1 else 0.0)
    results = {}
    for name, (code, lines, errors) in outcomes.items():
        found = [json.loads(line[len(_MARKER):]) for line in lines if line.startswith(_MARKER)]
        results[name] = found[-1] if found else {"status": "failed", "reason": f"exit {code}: {errors.strip()[-2000:]}"}
    return results


def _spread(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def parse_arguments(description, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS / OpenMP / torch threads for every contender (default: all cores; 1 with --pin)")
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
    parser.add_argument("--json", default=None, help="also write every figure to this JSON file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--config", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(description, contenders, config, summarize, script, argv=None):
    """Runs the benchmark: as a child, one contender; as the parent, all of them, then reports.

    Args:
        description: the script's one-line description.
        contenders: {name: function(config) -> {"epoch_seconds": [...], "epoch_cpu_seconds": [...], ...}}.
        config: the benchmark's settings (epochs, batch size ...), passed to every child.
        summarize: function(name, runs, mode) -> {figure name: value} for the printed table.
        script: the benchmark script's path (`__file__`), which the children re-run.
    """
    arguments = parse_arguments(description, argv)
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
    for repeat in range(arguments.repeats):
        lockstep = None if arguments.sequential else _launch_lockstep(script, names, config, arguments)
        for name in names:
            result = lockstep[name] if lockstep is not None else _launch(script, name, config, arguments)
            if result["status"] != "ok":
                notes[name] = f"{result['status']}: {result['reason']}"
                continue
            runs[name].append(result)
            print(f"  [{repeat + 1}/{arguments.repeats}] {name}: " + ", ".join(
                f"{key}={value:.4g}" for key, value in summarize(name, [result], mode).items()
                if isinstance(value, float)), file=sys.stderr, flush=True)
    report = {
        "benchmark": os.path.basename(script),
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "mode": mode,
        "threads": threads,
        "repeats": arguments.repeats,
        "openblas_env": {variable: (None if arguments.unset_openblas_env else os.environ.get(variable))
                         for variable in OPENBLAS_TUNING_VARIABLES},
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "config": config,
        "contenders": {name: {"summary": summarize(name, results, mode), "runs": results}
                       for name, results in runs.items() if results},
        "notes": notes,
    }
    return report


def epoch_figures(runs, key):
    """Median over runs of each run's median epoch figure, and the spread of those run medians."""
    per_run = [statistics.median(run[key]) for run in runs]
    return statistics.median(per_run), _spread(per_run)


def target_ratios(result, targets, median_key, spread_key):
    """neuroflow's median epoch figure over each peer's, checked against `targets` ({peer: limit}).

    Records {"ratio", "target", "met", "best_runs_ratio"} per peer in result["ratios"] and returns
    the lines to print.
    """
    contenders, lines = result["contenders"], []
    result["ratios"] = {}
    if "neuroflow" not in contenders:
        return lines
    ours = contenders["neuroflow"]["summary"]
    if BASELINE in contenders:
        targets = dict(targets, **{BASELINE: 1.0})
    for other, target in targets.items():
        if other not in contenders:
            continue
        theirs = contenders[other]["summary"]
        ratio = ours[median_key] / theirs[median_key]
        best = ours[spread_key]["min"] / theirs[spread_key]["min"]
        result["ratios"][f"neuroflow/{other}"] = {"ratio": ratio, "target": target, "met": ratio <= target,
                                                  "best_runs_ratio": best}
        lines.append(f"neuroflow/{other} = {ratio:.2f}  (target <= {target}: {'met' if ratio <= target else 'NOT met'})")
        lines.append(f"  fastest run over fastest run: {best:.2f} (this VM alternates slow and fast phases)")
    return lines


def print_report(report, rows, ratios):
    """Prints a table (`rows`: list of (name, {column: text})) and the ratio lines, and writes JSON."""
    print(f"{report['benchmark']}: mode={report['mode']} threads={report['threads']} repeats={report['repeats']} "
          f"openblas_env={report['openblas_env']}  ({report['machine']}, Python {report['python']})")
    if rows:
        columns = list(rows[0][1])
        widths = [max(len(c), *(len(r[1][c]) for r in rows)) for c in columns]
        print(f"  {'contender':<10} " + "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths)))
        for name, cells in rows:
            print(f"  {name:<10} " + "  ".join(f"{cells[c]:>{w}}" for c, w in zip(columns, widths)))
    for line in ratios:
        print("  " + line)
    for name, note in report["notes"].items():
        print(f"  note: {name} {note}")


def write_json(report, path):
    if path:
        with open(path, "w") as handle:
            json.dump(report, handle, indent=2)


def train_torch(torch, model, optimizer, x_train, y_train, x_test, y_test, config):
    """The PyTorch contender's loop, shared by the MLP benchmarks: reshuffle each epoch, train on
    logits with cross-entropy, and keep the running loss and accuracy that Keras' fit reports."""
    loss_function = torch.nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, from logits
    clock = EpochClock()
    count, batch_size = len(x_train), config["batch_size"]
    for _ in range(config["epochs"]):
        clock.start()
        order = torch.randperm(count)
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for start in range(0, count, batch_size):
            index = order[start:start + batch_size]
            x, y = x_train[index], y_train[index]
            logits = model(x)
            loss = loss_function(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                total_loss += loss.detach() * len(y)
                correct += (logits.argmax(dim=1) == y).sum()
        float(total_loss), int(correct)
        clock.stop()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(dim=1).numpy() == y_test).mean()
    return {"epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu, "test_accuracy": float(accuracy),
            "steps_per_epoch": -(-count // batch_size), "torch": torch.__version__}
