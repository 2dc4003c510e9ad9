import numpy
import pytest

from neuroflow import layers
from neuroflow.engine.gradcheck import check_gradients


@pytest.mark.parametrize("layer_class, reference", [
    (layers.Add, lambda a, b: a + b), (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b), (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, numpy.maximum), (layers.Minimum, numpy.minimum),
])
def test_merge_values_and_gradients(float64, rng, layer_class, reference):
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numpy.testing.assert_allclose(layer_class()([a, b]).numpy(), reference(a, b))
    check_gradients(lambda x, y: layer_class()([x, y]), a, b)


def test_concatenate_values_and_gradients(float64, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    numpy.testing.assert_allclose(layers.Concatenate()([a, b]).numpy(), numpy.concatenate([a, b], axis=-1))
    check_gradients(lambda x, y: layers.Concatenate(axis=1)([x, y]), a, b)


def test_merge_shape_errors_name_the_layer(rng):
    with pytest.raises(ValueError, match="Add.*same shape"):
        layers.Add(name="adder")([rng.normal(size=(2, 3)), rng.normal(size=(2, 4))])
    with pytest.raises(ValueError, match="Concatenate"):
        layers.Concatenate(axis=-1)([rng.normal(size=(2, 3)), rng.normal(size=(3, 3))])
    with pytest.raises(ValueError, match="at least 2"):
        layers.Add()([rng.normal(size=(2, 3))])
