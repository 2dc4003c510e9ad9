"""ContrastLimitedAdaptiveHistogramEqualization against Keras 3.15.1's values (fixtures/clahe.npz, made
by fixtures/make_clahe_fixture.py on Keras' NumPy backend), its config and its errors."""
import json
import os

import numpy
import pytest

import neuroflow as nf
from neuroflow.layers import ContrastLimitedAdaptiveHistogramEqualization as CLAHE

FIXTURE = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "clahe.npz"))
CASES = json.loads(str(FIXTURE["cases"]))


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_matches_keras(case):
    name, _, arguments = case
    images = FIXTURE[f"{name}/images"]
    out = CLAHE(**arguments)(images)
    assert out.dtype == "float32" and tuple(out.shape) == images.shape
    numpy.testing.assert_allclose(numpy.asarray(out), FIXTURE[f"{name}/output"], rtol=1e-6, atol=1e-4)


def test_equalizes_a_low_contrast_image_and_keeps_integer_dtypes():
    rng = numpy.random.default_rng(1)
    dull = (100 + rng.integers(0, 20, size=(1, 16, 16, 1))).astype("uint8")
    out = numpy.asarray(CLAHE(tile_grid_size=(2, 2), clip_limit=0.0)(dull))
    assert out.dtype == numpy.uint8
    assert out.max() - out.min() > 3 * (int(dull.max()) - int(dull.min()))   # the contrast is stretched


def test_functional_config_and_errors():
    inputs = nf.Input((8, 8, 3))
    assert nf.Model(inputs, CLAHE()(inputs)).output_shape == (None, 8, 8, 3)
    layer = CLAHE(value_range=(0.0, 1.0), clip_limit=2.0, tile_grid_size=(2, 4), name="clahe")
    again = CLAHE.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="tile_grid_size"):
        CLAHE(tile_grid_size=(0, 2))
    with pytest.raises(ValueError, match="clip_limit"):
        CLAHE(clip_limit=-1.0)
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        CLAHE()(numpy.zeros((4, 4), "float32"))
