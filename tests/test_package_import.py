"""`import neuroflow` loads what a training script needs; the rest waits for its first use."""
import json
import subprocess
import sys

ON_FIRST_USE = ["neuroflow.datasets", "neuroflow.tuner", "urllib.request", "http.client", "ssl"]


def _modules_after(code):
    script = f"import json, sys\n{code}\nprint(json.dumps({{name: name in sys.modules for name in {ON_FIRST_USE!r}}}))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_neuroflow_leaves_datasets_tuner_and_the_network_stack_for_later():
    loaded = _modules_after("import neuroflow")
    assert not any(loaded.values()), [name for name, present in loaded.items() if present]


def test_datasets_and_tuner_load_on_first_use_under_every_spelling():
    loaded = _modules_after("import neuroflow\nneuroflow.datasets.mnist\nfrom neuroflow import tuner")
    assert loaded["neuroflow.datasets"] and loaded["neuroflow.tuner"]
    import neuroflow
    assert "datasets" in dir(neuroflow) and neuroflow.datasets.mnist.load_data is not None
