"""benchmarks/report.py turns the benchmarks' JSON files into docs/BENCHMARKS.md's tables and a ratio chart."""
import json
import pathlib
import sys

import pytest

BENCHMARKS_DIR = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS_DIR))
import _harness  # noqa: E402
import report  # noqa: E402


def _report(benchmark, mode, figures, targets):
    """A benchmark's JSON report as run_benchmark writes it, from {contender: steady seconds}."""
    contenders = {}
    for name, seconds in figures.items():
        run = {"epoch_seconds": [seconds * 3, seconds, seconds], "epoch_cpu_seconds": [seconds * 2, seconds, seconds],
               "peak_mib": 100.0 + seconds, "import_seconds": 0.25, "import_cpu_seconds": 0.2,
               "test_accuracy": None if name == "gemm" else 0.97}
        contenders[name] = {"summary": _harness.summarize([run], mode), "runs": [run]}
    return {"benchmark": benchmark, "title": f"{benchmark} title", "mode": mode, "threads": 2 if mode == "wall" else 1,
            "machine": "x86_64, 2 cores", "python": "3.11", "openblas_env": {}, "config": {"epochs": 3},
            "contenders": contenders, "ratios": _harness.target_ratios(contenders, targets), "notes": {}}


@pytest.fixture
def results_dir(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    for mode, mode_name in (("wall", "wall"), ("pinned", "pinned-cpu")):
        (folder / f"mnist_mlp.{mode}.json").write_text(json.dumps(
            _report("mnist_mlp", mode_name, {"neuroflow": 1.0, "keras_jax": 2.0, "gemm": 0.5}, {"keras_jax": 1.0})))
    (folder / "small_mlp.wall.json").write_text(json.dumps(
        _report("small_mlp", "wall", {"neuroflow": 0.3, "keras_jax": 0.2}, {"keras_jax": 0.5})))
    return folder


def test_markdown_has_each_benchmark_its_figures_and_ratios(results_dir, tmp_path):
    markdown, chart = tmp_path / "BENCHMARKS.md", tmp_path / "ratios.png"
    report.main([str(results_dir), "--markdown", str(markdown), "--chart", str(chart), "--note", "Taken under load."])
    text = markdown.read_text()
    assert text.index("### mnist_mlp") < text.index("### small_mlp")  # the order of ./run bench
    assert "Taken under load." in text and "![neuroflow's ratios](ratios.png)" in text
    # neuroflow's row: steady wall 1, pinned CPU 1, first epoch 3, whole fit 5, peak 101 MiB, import 0.2 CPU s
    assert "| neuroflow | 1 | 1 | 3 | 5 | 101 | 0.2 | 0.97 |" in text
    assert "| GEMM floor | 0.5 | 0.5 | 1.5 | 2.5 | 100.5 | 0.2 | - |" in text
    assert "| Keras 3 / JAX | 0.5 (met) | 0.5 (met) | 0.5 | 0.99 | <= 1.0 |" in text
    # small_mlp ran only in wall mode: its pinned column is empty, its ratio 1.5 misses 0.5
    assert "| Keras 3 / JAX | 1.5 (not met) | - |" in text
    assert "| small_mlp | 1.5 / - |" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(SystemExit, match="no <benchmark>.wall.json"):
        report.main([str(tmp_path)])
