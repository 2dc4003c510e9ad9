"""Keras 3 programs of the keras.io guides train on neuroflow as they do on Keras.

Each program of tests/training/keras_programs runs here on neuroflow at eight seeds; Keras ran it at
sixteen (tools/make_keras_program_fixtures.py, Keras 3.15.1 on torch, recorded in
keras_programs/keras_results.json). Initial weights and shuffling come from different random
streams in the two libraries, so the figures cannot match one by one; what must match is where
they fall. For every figure (final loss, accuracy, metric, evaluation):

- the mean of neuroflow's eight values lies within Keras' range [min, max] over its sixteen seeds;
- each of neuroflow's values lies within that range widened by its width on either side: sixteen
  seeds' range holds only about 88% of the runs it samples (a new run falls outside it with
  probability 2/17), so eight runs times some twenty figures would step outside the bare range by
  chance alone; a broken step (a loss scaled twice, a metric fed the wrong weights, a gradient
  missing a term) moves the figures by far more.

With the same initial weights and no shuffling the programs give the same figures to four digits
in both libraries (checked by hand); this test is the one that holds without sharing weights.
"""
import importlib
import json
import os

import numpy
import pytest

import neuroflow
from tests.training.keras_programs import PROGRAMS

SEEDS = list(range(8))
MARGIN = 1.0   # of Keras' range, on either side, for a single seed's value

with open(os.path.join(os.path.dirname(__file__), "keras_programs", "keras_results.json")) as _file:
    KERAS = json.load(_file)


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_trains_within_keras_spread(name):
    program = importlib.import_module(f"tests.training.keras_programs.{name}")
    runs = [program.run(neuroflow, neuroflow.GradientTape, seed) for seed in SEEDS]
    recorded = KERAS["programs"][name]
    assert sorted(runs[0]) == sorted(recorded), "the program reports other figures than were recorded"
    outside = []
    for figure, keras_values in recorded.items():
        low, high = min(keras_values), max(keras_values)
        ours = numpy.array([run[figure] for run in runs])
        slack = MARGIN * (high - low)
        if not (low <= ours.mean() <= high and (ours >= low - slack).all() and (ours <= high + slack).all()):
            outside.append(f"{figure}: neuroflow {numpy.round(ours, 4).tolist()} (mean {ours.mean():.4f}), "
                           f"Keras [{low:.4f}, {high:.4f}] over {len(keras_values)} seeds")
    assert not outside, f"{name} trains outside Keras' spread:\n" + "\n".join(outside)
