"""MaxNumBoundingBoxes: boxes and labels cut or padded to max_number (Keras 3's rule), the rest unchanged."""
import numpy
import pytest

from neuroflow import layers
from tests.layers.helpers import config_round_trip


def _data(count):
    boxes = numpy.arange(2 * count * 4, dtype="float32").reshape(2, count, 4)
    labels = numpy.arange(2 * count, dtype="int32").reshape(2, count)
    images = numpy.ones((2, 4, 4, 3), "float32")
    return {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}


def test_pads_with_the_fill_value():
    data = _data(3)
    out = layers.MaxNumBoundingBoxes(5, fill_value=-2)(data)
    boxes, labels = out["bounding_boxes"]["boxes"].numpy(), out["bounding_boxes"]["labels"].numpy()
    assert boxes.shape == (2, 5, 4) and labels.shape == (2, 5)
    numpy.testing.assert_array_equal(boxes[:, :3], data["bounding_boxes"]["boxes"])
    assert numpy.all(boxes[:, 3:] == -2) and numpy.all(labels[:, 3:] == -2)
    numpy.testing.assert_array_equal(numpy.asarray(out["images"]), data["images"])


def test_cuts_to_max_number_and_passes_other_inputs():
    data = _data(6)
    out = layers.MaxNumBoundingBoxes(2)(data)
    numpy.testing.assert_array_equal(out["bounding_boxes"]["boxes"].numpy(), data["bounding_boxes"]["boxes"][:, :2])
    numpy.testing.assert_array_equal(out["bounding_boxes"]["labels"].numpy(), data["bounding_boxes"]["labels"][:, :2])
    images = numpy.zeros((1, 3, 3, 1), "float32")
    numpy.testing.assert_array_equal(numpy.asarray(layers.MaxNumBoundingBoxes(2)(images)), images)
    shapes = layers.MaxNumBoundingBoxes(7).compute_output_shape(
        {"images": (None, 4, 4, 3), "bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3)}})
    assert shapes["bounding_boxes"] == {"boxes": (None, 7, 4), "labels": (None, 7)}


def test_config_and_errors():
    assert config_round_trip(layers.MaxNumBoundingBoxes(4, fill_value=0)).max_number == 4
    with pytest.raises(ValueError, match="max_number"):
        layers.MaxNumBoundingBoxes(0)
    with pytest.raises(KeyError, match="scores"):
        layers.MaxNumBoundingBoxes(2)({"images": numpy.zeros((1, 2, 2, 1)),
                                       "bounding_boxes": {"boxes": numpy.zeros((1, 1, 4)), "scores": numpy.zeros((1, 1))}})
