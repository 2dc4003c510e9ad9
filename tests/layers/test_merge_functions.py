"""Keras' lowercase merge functions: values against Keras (fixtures/layers10_references.npz),
functional-API shapes and errors."""
import os

import numpy
import pytest

from neuroflow import layers, models

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "layers10_references.npz"))
NAMES = ["add", "subtract", "multiply", "average", "maximum", "minimum"]


@pytest.mark.parametrize("name", NAMES + ["concatenate", "dot"])
def test_matches_keras(name):
    case = f"merge_{name}"
    inputs = [REFERENCES[k] for k in sorted(k for k in REFERENCES if k.startswith(f"{case}_x"))]
    kwargs = {"concatenate": {"axis": 0}, "dot": {"axes": 1, "normalize": True}}.get(name, {})
    numpy.testing.assert_allclose(getattr(layers, name)(inputs, **kwargs).numpy(), REFERENCES[f"{case}_y0"],
                                  rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_functional_api(name):
    a, b = layers.Input((4,)), layers.Input((4,))
    output = getattr(layers, name)([a, b], name=f"my_{name}")
    assert output.shape == (None, 4)
    model = models.Model([a, b], output)
    assert model.layers[-1].name == f"my_{name}"
    x = numpy.arange(8, dtype="float32").reshape(2, 4)
    assert model.predict([x, x + 1], verbose=0).shape == (2, 4)


def test_errors():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.subtract([numpy.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.maximum([numpy.ones((2, 3))])
    with pytest.raises(ValueError, match="same shape"):
        layers.multiply([numpy.ones((2, 3)), numpy.ones((2, 4))])
