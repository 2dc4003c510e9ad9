"""keras.ops.nn / linalg / image functions against Keras 3's outputs (values and dtypes).

The references come from tests/ops/fixtures/make_nn_linalg_image_references.py (its docstring
says how to run it); each case is replayed on the neuroflow function of the same namespace and
name. Cases marked "abs" are defined up to sign (eigenvectors, singular vectors); for sobel_edges
only the interior is compared (Keras' NumPy backend repeats the edge, its torch backend pads zeros;
neuroflow follows NumPy's).
"""
import json
import pathlib

import numpy
import pytest

from neuroflow import ops

FIXTURE = numpy.load(pathlib.Path(__file__).parent / "fixtures" / "nn_linalg_image_references.npz")
CASES = json.loads(str(FIXTURE["cases"]))


def from_json(value):
    if isinstance(value, dict) and "array" in value:
        return numpy.asarray(value["array"], dtype=value["dtype"])
    if isinstance(value, dict) and "tuple" in value:
        return tuple(from_json(v) for v in value["tuple"])
    if isinstance(value, dict) and "float" in value:
        return float(value["float"])
    if isinstance(value, list):
        return tuple(value)
    return value


# Where neuroflow's output dtype differs from Keras-on-torch by design.
DTYPE_EXCEPTIONS = {
    # torch's matrix_rank gives int64 too; NumPy's is the platform int: compare the value only.
    "matrix_rank": None,
}


@pytest.mark.parametrize("case", CASES, ids=[case["key"] for case in CASES])
def test_matches_keras(case):
    key = case["key"]
    inputs = [FIXTURE[f"{key}|in{i}"] for i in range(case["inputs"])]
    kwargs = {name: from_json(value) for name, value in case["kwargs"].items()}
    function = getattr(getattr(ops, case["namespace"]), case["name"])
    outputs = function(*inputs, **kwargs)
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    assert len(outputs) == case["outputs"]
    for j, out in enumerate(outputs):
        expected = FIXTURE[f"{key}|out{j}"]
        got = numpy.asarray(out.numpy())
        assert got.shape == expected.shape, f"{key} output {j}: shape {got.shape}, Keras {expected.shape}"
        if case["name"] not in DTYPE_EXCEPTIONS:
            assert got.dtype == expected.dtype, f"{key} output {j}: dtype {got.dtype}, Keras {expected.dtype}"
        if case["compare"] == "abs":
            got, expected = numpy.abs(got), numpy.abs(expected)
        elif case["compare"] == "interior":  # (N, H, W, C, 2): Keras' backends disagree on the border
            got, expected = got[:, 1:-1, 1:-1], expected[:, 1:-1, 1:-1]
        elif case["compare"] == "interior_first":  # (N, C, H, W, 2)
            got, expected = got[:, :, 1:-1, 1:-1], expected[:, :, 1:-1, 1:-1]
        tolerance = 1e-4 if expected.dtype in (numpy.float32, numpy.complex64) else 1e-9
        numpy.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance, err_msg=f"{key} output {j}")
