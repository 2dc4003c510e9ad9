"""Runs the Keras 3 programs of tests/training/keras_programs on real Keras over several seeds and
records their final training figures, for tests/training/test_keras_programs.py.

Needs an interpreter with Keras and torch (the test suite never imports either). From the
repository root:

    KERAS_BACKEND=torch PYTHONPATH=. path/to/kerasvenv/bin/python tools/make_keras_program_fixtures.py

It writes tests/training/keras_programs/keras_results.json: per program, per figure, the value
at each seed. The programs' custom train steps are written against TensorFlow's GradientTape, as
the keras.io guides' TensorFlow versions are; `TorchGradientTape` gives Keras' torch backend the
same two calls through torch.autograd.
"""
import argparse
import importlib
import json
import os
import platform

import keras
import torch

from tests.training.keras_programs import PROGRAMS

SEEDS = list(range(16))
OUTPUT = os.path.join("tests", "training", "keras_programs", "keras_results.json")


class TorchGradientTape:
    """`with TorchGradientTape() as tape: ...; tape.gradient(target, variables)` on Keras' torch backend."""

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        return False

    def gradient(self, target, sources):
        sources = list(sources)
        return list(torch.autograd.grad(target, [source.value for source in sources], allow_unused=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", nargs="*", default=PROGRAMS)
    arguments = parser.parse_args()
    if keras.backend.backend() != "torch":
        raise SystemExit("run with KERAS_BACKEND=torch (the programs' tape stand-in is torch's)")
    results = {}
    if os.path.exists(OUTPUT):
        with open(OUTPUT) as file:
            results = json.load(file)["programs"]
    for name in arguments.programs:
        program = importlib.import_module(f"tests.training.keras_programs.{name}")
        per_seed = [program.run(keras, TorchGradientTape, seed) for seed in SEEDS]
        results[name] = {figure: [float(figures[figure]) for figures in per_seed] for figure in per_seed[0]}
        print(name, {figure: (round(min(values), 4), round(max(values), 4)) for figure, values in results[name].items()})
    recorded = {"keras": keras.__version__, "backend": keras.backend.backend(), "torch": torch.__version__,
                "python": platform.python_version(), "seeds": SEEDS, "programs": results}
    with open(OUTPUT, "w") as file:
        json.dump(recorded, file, indent=1, sort_keys=True)
        file.write("\n")


if __name__ == "__main__":
    main()
