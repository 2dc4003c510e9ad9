"""neuroflow.ops against Keras 3's recorded outputs (values and dtypes) for the reduction, statistics,
product, sorting, splitting, reordering and scatter ops.

The fixture is made by tests/ops/fixtures/make_numpy_reduction_shape_references.py with real Keras; each case
is an expression over `ops` that this test evaluates with `ops` = neuroflow.ops on the same inputs.
"""
import json
import pathlib

import numpy
import pytest

from neuroflow import ops

FIXTURE = numpy.load(pathlib.Path(__file__).parent / "fixtures" / "numpy_reduction_shape_references.npz")
CASES = json.loads(str(FIXTURE["cases"]))
INPUTS = {key.split(":", 1)[1]: FIXTURE[key] for key in FIXTURE.files if key.startswith("input:")}

# Keras' torch backend returns nonzero's coordinates stacked into one (ndim, count) array, NumPy's a tuple.
STACKED = {"ops.nonzero(xi)"}


def _outputs(expression):
    result = eval(expression, {"ops": ops, **INPUTS})  # noqa: S307 - the recorded expressions
    if expression in STACKED:
        return [numpy.stack([numpy.asarray(r) for r in result])]
    if isinstance(result, (list, tuple)):
        return [numpy.asarray(r) for r in result]
    return [numpy.asarray(result)]


@pytest.mark.parametrize("expression", sorted(CASES))
def test_matches_keras(expression):
    expected_dtypes = CASES[expression]["dtypes"]
    outputs = _outputs(expression)
    assert len(outputs) == len(expected_dtypes), f"{len(outputs)} outputs, Keras gives {len(expected_dtypes)}"
    for index, (output, dtype) in enumerate(zip(outputs, expected_dtypes)):
        expected = FIXTURE[f"{expression}#{index}"]
        assert str(output.dtype) == dtype, f"output {index}: dtype {output.dtype}, Keras gives {dtype}"
        assert output.shape == expected.shape, f"output {index}: shape {output.shape}, Keras gives {expected.shape}"
        numpy.testing.assert_allclose(output.astype("float64"), expected.astype("float64"), rtol=2e-5, atol=2e-5)
