"""benchmarks/gpu_kernel_parity.py (the GPU check's kernel phase) runs end to end on the stand-in device."""
import json
import pathlib
import sys

BENCHMARKS_DIR = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS_DIR))
import gpu_kernel_parity  # noqa: E402

from neuroflow import backend  # noqa: E402


def test_the_kernel_parity_script_compares_every_fast_path_on_the_standin(tmp_path, capsys):
    previous = backend.backend()
    cases = ["conv1d causal", "max_pool 3x3 s2 same", "average_pool channels_first", "lstm masked backwards", "gru",
             "gru masked"]
    try:
        status = gpu_kernel_parity.main(["--standin", "--repeats", "1", "--only", ",".join(cases),
                                         "--json", str(tmp_path / "kernels.json")])
    finally:
        backend.set_backend(previous)
    rows = json.loads((tmp_path / "kernels.json").read_text())
    assert status == 0
    assert [row["case"] for row in rows] == cases
    assert all(row["status"] == "ok" for row in rows), rows
    # The stand-in's kernels run the NumPy formulas, so the fused steps agree bit for bit; its cuDNN emulation
    # accumulates in float64, so the windows agree to rounding.
    assert all(row["max_scaled_difference"] == 0 for row in rows if row["fast_path"] != "cudnn")
    assert all(row["max_scaled_difference"] < 1e-6 for row in rows)
    assert "cuDNN bindings: found" in capsys.readouterr().out
