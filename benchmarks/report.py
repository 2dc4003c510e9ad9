"""Writes docs/BENCHMARKS.md and a bar chart of neuroflow's ratios from the benchmarks' JSON files.

    python benchmarks/report.py RESULTS_DIR [--markdown docs/BENCHMARKS.md] [--chart docs/plots/benchmark_ratios.png]

RESULTS_DIR holds `<benchmark>.wall.json` (the default run: wall seconds, all cores) and
`<benchmark>.pinned.json` (`--pin`: CPU seconds of one thread on core 0) as `./run bench` writes
them with each script's `--json`. A benchmark with only one of the two gets "-" in the other's columns.
The chart needs matplotlib (the `plot` extra); without it only the Markdown is written.
"""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

ORDER = ["mnist_mlp", "mlp_large", "small_mlp", "cnn_epoch", "lstm_epoch", "gru_stacked", "bilstm_text"]
PEER_NAMES = {"neuroflow": "neuroflow", "baseline": "neuroflow before (--baseline)", "keras_jax": "Keras 3 / JAX",
              "torch": "PyTorch eager", "numpy": "hand NumPy", "gemm": "GEMM floor"}
MODES = ("wall", "pinned")
RATIO_AXIS_TOP = 3.0  # taller bars are clipped there, with their value written on them


def load_results(directory):
    """{benchmark: {"wall": report, "pinned": report}} from the directory's JSON files, in ORDER."""
    results = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        benchmark, mode = os.path.basename(path)[:-len(".json")].rsplit(".", 1)
        if mode in MODES:
            with open(path) as handle:
                report = json.load(handle)
            for entry in report["contenders"].values():  # this harness's figures, also for older files
                entry["summary"] = _harness.summarize(entry["runs"], report["mode"])
            results.setdefault(benchmark, {})[mode] = report
    return dict(sorted(results.items(), key=lambda item: ORDER.index(item[0]) if item[0] in ORDER else len(ORDER)))


def _number(value, digits=3):
    if value is None:
        return "-"
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.0f}"


def _summary(reports, mode, name):
    report = reports.get(mode)
    entry = report and report["contenders"].get(name)
    return entry["summary"] if entry else None


def _ratio(reports, mode, peer, key="steady"):
    report = reports.get(mode)
    entry = report and report["ratios"].get(f"neuroflow/{peer}")
    return entry[key] if entry else None


def _import_cpu(summary):
    """The library's import in CPU seconds; None for reports from before the harness took it (their wall
    seconds are not shown: in lockstep every contender imports at the same moment)."""
    return summary.get("import_cpu_s")


def _contenders(reports):
    names = []
    for mode in MODES:
        for name in (reports.get(mode) or {}).get("contenders", {}):
            if name not in names:
                names.append(name)
    return names


def _verdict(ratio, target):
    if ratio is None or target is None:
        return ""
    return " (met)" if ratio <= target else " (not met)"


def benchmark_section(benchmark, reports):
    """The Markdown of one benchmark: its contenders' figures and neuroflow's ratios."""
    first = reports.get("wall") or reports.get("pinned")
    wall_threads = reports["wall"]["threads"] if "wall" in reports else "-"
    lines = [f"### {benchmark}: {first['title']}", "",
             f"Settings: `{json.dumps({k: v for k, v in first['config'].items() if k != 'threads'})}`", "",
             f"| contender | steady epoch s (wall, {wall_threads} threads) | steady epoch CPU s (1 thread pinned) "
             "| first epoch s (wall) | whole fit s (wall) | peak memory MiB | import CPU s | test accuracy |",
             "|---|---|---|---|---|---|---|---|"]
    for name in _contenders(reports):
        wall, pinned = _summary(reports, "wall", name), _summary(reports, "pinned", name)
        shown = wall or pinned
        lines.append(f"| {PEER_NAMES.get(name, name)} | {_number(wall and wall['steady_wall_s'])} "
                     f"| {_number(pinned and pinned['steady_cpu_s'])} | {_number(wall and wall['first_epoch_s'])} "
                     f"| {_number(wall and wall['fit_s'])} | {_number(shown['peak_mib'], 4)} "
                     f"| {_number(_import_cpu(wall or pinned), 2)} | {_number(shown['test_accuracy'], 4)} |")
    peers = [name for name in _contenders(reports) if name != "neuroflow"]
    if peers and _summary(reports, "wall", "neuroflow") or _summary(reports, "pinned", "neuroflow"):
        lines += ["", "| neuroflow / | steady epoch (wall) | steady epoch (CPU, pinned) | whole fit (wall) "
                      "| peak memory | target (steady; whole fit) |", "|---|---|---|---|---|---|"]
        for peer in peers:
            entry = ((reports.get("wall") or reports["pinned"])["ratios"].get(f"neuroflow/{peer}") or {})
            target, fit_target = entry.get("target"), entry.get("fit_target")
            wall, pinned, fit = _ratio(reports, "wall", peer), _ratio(reports, "pinned", peer), \
                _ratio(reports, "wall", peer, "fit")
            memory = _ratio(reports, "wall", peer, "peak_memory") or _ratio(reports, "pinned", peer, "peak_memory")
            targets = " ; ".join(filter(None, [target and f"<= {target}", fit_target and f"fit <= {fit_target}"]))
            lines.append(f"| {PEER_NAMES.get(peer, peer)} | {_number(wall)}{_verdict(wall, target)} "
                         f"| {_number(pinned)}{_verdict(pinned, target)} | {_number(fit)}{_verdict(fit, fit_target)} "
                         f"| {_number(memory)} | {targets or '-'} |")
    notes = [f"{mode}: {name} {note}" for mode in MODES for name, note in (reports.get(mode) or {}).get("notes", {}).items()]
    if notes:
        lines += [""] + [f"- note, {note}" for note in notes]
    return lines


def overview(results):
    """One row per benchmark: neuroflow's steady-epoch ratio to each peer, wall / pinned CPU."""
    peers = []
    for reports in results.values():
        peers += [name for name in _contenders(reports) if name != "neuroflow" and name not in peers]
    lines = ["| benchmark | " + " | ".join(f"/ {PEER_NAMES.get(peer, peer)}" for peer in peers) + " |",
             "|---|" + "---|" * len(peers)]
    for benchmark, reports in results.items():
        cells = []
        for peer in peers:
            wall, pinned = _ratio(reports, "wall", peer), _ratio(reports, "pinned", peer)
            cells.append("-" if wall is None and pinned is None else f"{_number(wall)} / {_number(pinned)}")
        lines.append(f"| {benchmark} | " + " | ".join(cells) + " |")
    return lines


def write_markdown(results, path, chart_path=None, note=None):
    any_report = next(iter(next(iter(results.values())).values()))
    versions = {}
    for reports in results.values():
        for report in reports.values():
            for entry in report["contenders"].values():
                for key in ("torch", "numpy"):
                    if key in entry["runs"][0]:
                        versions[key] = entry["runs"][0][key]
    lines = ["# Benchmarks", "",
             "Written by `./run bench` (`benchmarks/report.py` from each benchmark's `--json` files). Every contender "
             "trains the same model on the same data in its own process; the contenders run in lockstep (epoch k of "
             "each right after the others', `benchmarks/_lockstep.py`), so ratios taken in one run compare like with "
             "like even on a noisy machine. Steady epoch: the median epoch after the first (whose one-off costs, such "
             "as Keras-JAX's XLA compile, show in the first-epoch column); whole fit: all epochs' wall time. Wall "
             "figures use all cores, the CPU figures are a one-thread run pinned to core 0 (`--pin`, process CPU "
             "seconds). Peak memory is the process's peak resident memory (VmHWM; the data, the same for all, included), "
             "import time the CPU seconds of a fresh interpreter's import of the library (numpy included; CPU, since "
             "all contenders start at once).", "",
             f"Machine: {any_report['machine']}, Python {any_report['python']}; OpenBLAS tuning variables "
             f"{any_report['openblas_env']}; peers: {', '.join(f'{k} {v}' for k, v in sorted(versions.items()))}, "
             "Keras 3 on JAX as installed by `pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2`."]
    if note:
        lines += ["", note]
    lines += ["", "## neuroflow's steady epoch over each peer's (wall / pinned CPU; below 1 is faster)", ""]
    lines += overview(results)
    if chart_path:
        lines += ["", f"![neuroflow's ratios]({os.path.relpath(chart_path, os.path.dirname(path))})"]
    lines += ["", "## Each benchmark", ""]
    for benchmark, reports in results.items():
        lines += benchmark_section(benchmark, reports) + [""]
    with open(path, "w") as handle:
        handle.write("\n".join(lines))


def write_chart(results, path):
    """Grouped bars of neuroflow's steady-epoch ratio to each peer, one panel per mode."""
    try:
        import matplotlib  # optional (the `plot` extra): the Markdown does not need it
    except ImportError:
        print("matplotlib is not installed: no chart (pip install matplotlib)", file=sys.stderr)
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    benchmarks = list(results)
    peers = []
    for reports in results.values():
        peers += [name for name in _contenders(reports) if name != "neuroflow" and name not in peers]
    figure, axes = pyplot.subplots(1, 2, figsize=(13, 4.5), sharey=True)
    width = 0.8 / max(len(peers), 1)
    for axis, mode, title in zip(axes, MODES, ("wall, all cores", "CPU seconds, 1 thread pinned")):
        for offset, peer in enumerate(peers):
            heights = [_ratio(results[b], mode, peer) or 0.0 for b in benchmarks]
            positions = [i + (offset - (len(peers) - 1) / 2) * width for i in range(len(benchmarks))]
            axis.bar(positions, [min(height, RATIO_AXIS_TOP) for height in heights], width,
                     label=PEER_NAMES.get(peer, peer))
            for position, height in zip(positions, heights):
                if height > RATIO_AXIS_TOP:  # clipped: write the ratio on the bar
                    axis.text(position, RATIO_AXIS_TOP, f"{height:.3g}", rotation=90, ha="center", va="top",
                              fontsize="x-small", color="white")
        axis.axhline(1.0, color="black", linewidth=0.8)
        axis.set_ylim(0, RATIO_AXIS_TOP)
        axis.set_xticks(range(len(benchmarks)), benchmarks, rotation=30, ha="right")
        axis.set_title(f"neuroflow / peer, steady epoch ({title})")
    axes[0].set_ylabel("ratio (below 1: neuroflow faster)")
    axes[1].legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the folder of <benchmark>.wall.json / <benchmark>.pinned.json files")
    parser.add_argument("--markdown", default=os.path.join("docs", "BENCHMARKS.md"))
    parser.add_argument("--chart", default=os.path.join("docs", "plots", "benchmark_ratios.png"))
    parser.add_argument("--note", default=None, help="a paragraph to add under the introduction (e.g. machine load)")
    arguments = parser.parse_args(argv)
    results = load_results(arguments.results)
    if not results:
        raise SystemExit(f"no <benchmark>.wall.json / .pinned.json files in {arguments.results}")
    chart = arguments.chart if arguments.chart and write_chart(results, arguments.chart) else None
    write_markdown(results, arguments.markdown, chart, arguments.note)
    print(f"wrote {arguments.markdown}" + (f" and {chart}" if chart else ""))


if __name__ == "__main__":
    main()
