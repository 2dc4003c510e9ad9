"""keras.ops.image.scale_and_translate against Keras 3.15.1's values (fixtures/scale_and_translate.npz,
made by fixtures/make_scale_and_translate_fixture.py), its gradient, shapes and errors."""
import json
import os

import numpy
import pytest

import neuroflow as nf
from neuroflow import ops
from tests.ops.op_checks import check_grad, uniform

FIXTURE = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "scale_and_translate.npz"))
CASES = json.loads(str(FIXTURE["cases"]))


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_matches_keras(case):
    name, _, output_shape, scale, translation, dims, method, antialias = case
    out = ops.image.scale_and_translate(FIXTURE[f"{name}/images"], output_shape, numpy.array(scale, "float32"),
                                        numpy.array(translation, "float32"), dims, method, antialias)
    assert out.dtype == "float32" and tuple(out.shape) == tuple(output_shape)
    numpy.testing.assert_allclose(numpy.asarray(out), FIXTURE[f"{name}/output"], rtol=1e-5, atol=1e-6)


def test_keras_docstring_example_and_integer_images():
    images = numpy.arange(9, dtype="float32").reshape((3, 3))
    scale = numpy.array([2.0, 2.0], "float32")
    out = ops.image.scale_and_translate(images, (5, 5), scale, -(scale / 2.0 - 0.5), (0, 1), "linear")
    numpy.testing.assert_allclose(numpy.asarray(out)[0], [0.0, 0.5, 1.0, 1.5, 2.0])
    numpy.testing.assert_allclose(numpy.asarray(out)[:, 0], [0.0, 1.5, 3.0, 4.5, 6.0])
    # Integer images come back rounded, clipped to their range and of their dtype, as Keras gives them.
    integers = ops.image.scale_and_translate(FIXTURE["uint8/images"], (8, 4), numpy.array([1.6, 0.7], "float32"),
                                             numpy.array([0.0, 0.0], "float32"), (0, 1), "linear")
    assert integers.dtype == "uint8"
    numpy.testing.assert_array_equal(numpy.asarray(integers), FIXTURE["uint8/output"])


@pytest.mark.parametrize("method, antialias", [("linear", True), ("cubic", False), ("lanczos3", True)])
def test_gradient(method, antialias):
    def resample(images):
        return ops.image.scale_and_translate(images, (1, 3, 5, 2), numpy.array([0.6, 1.3]), numpy.array([0.4, -0.2]),
                                             (1, 2), method, antialias)
    check_grad(resample, uniform(1, 4, 3, 2))


def test_functional_shapes_and_errors():
    inputs = nf.Input((6, 6, 1))
    outputs = ops.image.scale_and_translate(inputs, (None, 7, 5, 1), numpy.array([1.2, 0.9]), numpy.array([0.7, -1.3]),
                                            (1, 2), "cubic")
    assert outputs.shape == (None, 7, 5, 1)
    assert nf.Model(inputs, outputs)(numpy.ones((2, 6, 6, 1), "float32")).shape == (2, 7, 5, 1)
    with pytest.raises(ValueError, match="method"):
        ops.image.scale_and_translate(numpy.ones((3, 3)), (5, 5), numpy.ones(2), numpy.zeros(2), (0, 1), "nearest")
    with pytest.raises(ValueError, match="one value per spatial dim"):
        ops.image.scale_and_translate(numpy.ones((3, 3)), (5, 5), numpy.ones(3), numpy.zeros(2), (0, 1), "linear")
