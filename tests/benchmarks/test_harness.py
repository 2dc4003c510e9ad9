"""The benchmark harness end to end: children in lockstep, the figures, the ratios, skips, the peers' interpreter.

A tiny benchmark script made here runs through `_harness.run_benchmark` in real subprocesses; its
contenders do a little NumPy work per "epoch", so the whole run takes a few seconds.
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import textwrap

import pytest

BENCHMARKS_DIR = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS_DIR))
import _harness  # noqa: E402

SCRIPT = textwrap.dedent('''
    """A toy benchmark for the harness's tests."""
    import os
    import sys

    sys.path.insert(0, {benchmarks!r})
    import _harness

    CONFIG = {{"epochs": 3, "size": 200, "seed": 0}}


    def prepare(config):
        import numpy
        return {{"x": numpy.arange(config["size"] ** 2, dtype=numpy.float32).reshape(config["size"], -1)}}


    def _work(config, repeats):
        numpy = _harness.timed_import("numpy")
        x = _harness.load_data(config)["x"]
        clock = _harness.EpochClock()
        for _ in range(config["epochs"]):
            clock.start()
            for _ in range(repeats):
                x @ x
            clock.stop()
        return clock.result(test_accuracy=float(x[0, 1] / x[0, 1]), python=sys.executable)


    def run_neuroflow(config):
        return _work(config, 2)


    def run_torch(config):  # a "peer": runs in the --peer-python interpreter
        return _work(config, 4)


    def run_keras_jax(config):
        raise _harness.Skip("not installed in this test")


    CONTENDERS = {{"neuroflow": run_neuroflow, "torch": run_torch, "keras_jax": run_keras_jax}}

    if __name__ == "__main__":
        _harness.run_benchmark(__doc__, CONTENDERS, CONFIG, prepare, __file__, {{"torch": 1.0}}, {{"torch": 0.1}})
''')


@pytest.fixture(scope="module")
def toy_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy_benchmark")
    script = folder / "toy.py"
    script.write_text(SCRIPT.format(benchmarks=str(BENCHMARKS_DIR)))
    output = folder / "toy.wall.json"
    completed = subprocess.run([sys.executable, str(script), "--json", str(output), "--peer-python", sys.executable],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(output.read_text()), completed.stdout


def test_every_contender_reports_its_figures(toy_report):
    report, _ = toy_report
    assert report["benchmark"] == "toy" and report["mode"] == "wall"
    assert set(report["contenders"]) == {"neuroflow", "torch"}
    for entry in report["contenders"].values():
        summary, run = entry["summary"], entry["runs"][0]
        assert len(run["epoch_seconds"]) == 3 and len(run["epoch_cpu_seconds"]) == 3
        assert summary["steady_wall_s"] == statistics.median(run["epoch_seconds"][1:])
        assert summary["steady_cpu_s"] == statistics.median(run["epoch_cpu_seconds"][1:])
        assert summary["first_epoch_s"] == run["epoch_seconds"][0]
        assert summary["fit_s"] == pytest.approx(sum(run["epoch_seconds"]))
        assert summary["peak_mib"] > 1 and summary["import_s"] > 0 and summary["import_cpu_s"] > 0
        assert summary["test_accuracy"] == 1.0
        assert run["python"] == sys.executable  # the peer ran in --peer-python's interpreter
    assert "data_file" not in report["config"]


def test_skipped_contender_is_a_note_and_ratios_carry_targets(toy_report):
    report, stdout = toy_report
    assert report["notes"]["keras_jax"] == "skipped: not installed in this test"
    ratio = report["ratios"]["neuroflow/torch"]
    ours, theirs = report["contenders"]["neuroflow"]["summary"], report["contenders"]["torch"]["summary"]
    assert ratio["steady"] == pytest.approx(ours["steady_s"] / theirs["steady_s"])
    assert ratio["fit"] == pytest.approx(ours["fit_s"] / theirs["fit_s"])
    assert ratio["target"] == 1.0 and ratio["met"] == (ratio["steady"] <= 1.0)
    assert ratio["fit_target"] == 0.1 and ratio["fit_met"] == (ratio["fit"] <= 0.1)
    assert "neuroflow/torch" in stdout and "note: keras_jax skipped" in stdout


def test_summarize_leaves_the_first_epoch_out_of_the_steady_figure():
    run = {"epoch_seconds": [9.0, 1.0, 3.0, 2.0], "epoch_cpu_seconds": [8.0, 0.5, 0.7, 0.6], "peak_mib": 10.0,
           "import_seconds": 0.2, "test_accuracy": 0.5}
    wall = _harness.summarize([run], "wall")
    pinned = _harness.summarize([run], "pinned-cpu")
    assert wall["steady_s"] == 2.0 and wall["first_epoch_s"] == 9.0 and wall["fit_s"] == 15.0
    assert pinned["steady_s"] == 0.6 and pinned["steady_wall_s"] == 2.0


def test_child_environment_points_keras_at_jax_and_one_xla_thread():
    environment = _harness._child_environment("keras_jax", 1, unset_openblas=False)
    assert environment["KERAS_BACKEND"] == "jax" and environment["OMP_NUM_THREADS"] == "1"
    assert "intra_op_parallelism_threads=1" in environment["XLA_FLAGS"]
    ours = _harness._child_environment("neuroflow", 2, unset_openblas=False)
    assert ours["OMP_NUM_THREADS"] == "2" and ours.get("XLA_FLAGS") == os.environ.get("XLA_FLAGS")


def test_benchmarks_carry_no_machine_paths():
    for path in BENCHMARKS_DIR.glob("*.py"):
        assert "/work/" not in path.read_text(), path.name
