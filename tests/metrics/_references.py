"""Keras 3.15's recorded values for the metrics10 names (fixtures/make_metrics10_references.py wrote them)."""
import json
import os

import numpy

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
ARRAYS = numpy.load(os.path.join(HERE, "metrics10_references.npz"))
with open(os.path.join(HERE, "metrics10_references.json")) as _handle:
    FACTS = json.load(_handle)


def base_name(name):
    """Keras numbers repeated metric names ('io_u_1'); neuroflow does not: compare the stem."""
    stem, _, suffix = name.rpartition("_")
    return stem if suffix.isdigit() and stem else name
