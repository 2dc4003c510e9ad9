import numpy
import pytest

from neuroflow import Tensor
from neuroflow.visualization import draw_bounding_boxes


def _boxes(boxes, labels, **extra):
    return {"boxes": numpy.asarray(boxes, dtype="float32"), "labels": numpy.asarray(labels), **extra}


def test_outline_pixels_and_padding_boxes():
    images = numpy.zeros((2, 12, 16, 3), dtype="uint8")
    boxes = _boxes([[[2, 3, 10, 8], [0, 0, 5, 5]], [[1, 1, 4, 4], [0, 0, 0, 0]]], [[0, -1], [1, -1]])
    out = draw_bounding_boxes(images, boxes, "xyxy", color=(10, 20, 30), line_thickness=1)
    assert out.dtype == numpy.uint8 and out.shape == (2, 12, 16, 3)
    drawn = numpy.zeros((12, 16), bool)
    drawn[3, 2:11] = drawn[8, 2:11] = drawn[3:9, 2] = drawn[3:9, 10] = True
    numpy.testing.assert_array_equal(out[0].any(-1), drawn)
    assert out[0, 3, 5].tolist() == [10, 20, 30] and out[0, 5, 5].tolist() == [0, 0, 0]
    second = numpy.zeros((12, 16), bool)
    second[1, 1:5] = second[4, 1:5] = second[1:5, 1] = second[1:5, 4] = True
    numpy.testing.assert_array_equal(out[1].any(-1), second)
    assert images.max() == 0  # the input is not drawn on


def test_thickness_formats_and_float_scaling():
    images = numpy.full((1, 10, 10, 3), 0.5, dtype="float32")  # floats in [0, 1] scale by 255
    # rel_yxyx of the image is the box (2, 2)-(8, 8) in pixels.
    boxes = _boxes([[[0.2, 0.2, 0.8, 0.8]]], [[3]])
    out = draw_bounding_boxes(images, boxes, "rel_yxyx", color=(255, 0, 0), line_thickness=2)
    assert out[0, 5, 5].tolist() == [127, 127, 127]
    # A 2-pixel line centred on row 2 covers rows 1 and 2.
    assert out[0, 1, 5].tolist() == out[0, 2, 5].tolist() == [255, 0, 0] and out[0, 3, 5].tolist() == [127] * 3
    assert out[0, 5, 1].tolist() == out[0, 5, 8].tolist() == [255, 0, 0]


def test_channels_first_input_and_class_names():
    pytest.importorskip("PIL")
    images = Tensor(numpy.zeros((1, 3, 40, 60), dtype="uint8"))
    boxes = _boxes([[[5, 5, 50, 38]]], [[1]], confidences=numpy.array([[0.75]]))
    plain = draw_bounding_boxes(images, boxes, "xyxy", data_format="channels_first", color=(0, 255, 0))
    named = draw_bounding_boxes(images, boxes, "xyxy", class_mapping={1: "cat"}, data_format="channels_first",
                                color=(0, 255, 0))
    assert plain.shape == named.shape == (1, 40, 60, 3)
    # The name is written in the box colour, outside the outline.
    extra = named.any(-1) & ~plain.any(-1)
    assert extra.sum() > 10 and (named[extra][:, 1] > 0).all() and (named[extra][:, [0, 2]] == 0).all()


def test_bad_arguments():
    images = numpy.zeros((1, 4, 4, 3), dtype="uint8")
    with pytest.raises(ValueError, match=r"`images` must be a batched 4D tensor.*\(4, 4, 3\)"):
        draw_bounding_boxes(images[0], _boxes([[[0, 0, 1, 1]]], [[0]]), "xyxy")
    with pytest.raises(TypeError, match="should be a dict"):
        draw_bounding_boxes(images, [[0, 0, 1, 1]], "xyxy")
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        draw_bounding_boxes(images, {"boxes": numpy.zeros((1, 1, 4))}, "xyxy")
