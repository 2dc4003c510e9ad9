"""neuroflow.utils.bounding_boxes against keras.utils.bounding_boxes (recorded by
fixtures/make_bounding_boxes_fixtures.py)."""
import os

import numpy
import pytest

from neuroflow.utils import bounding_boxes as bb

FORMATS = bb.FORMATS


@pytest.fixture(scope="module")
def keras_record():
    with numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "keras_bounding_boxes.npz")) as data:
        return dict(data)


@pytest.mark.parametrize("target", FORMATS)
def test_convert_format_matches_keras_and_round_trips(keras_record, target):
    boxes = keras_record["boxes"]
    converted = bb.convert_format(boxes, "xyxy", target, height=200, width=300)
    numpy.testing.assert_allclose(converted, keras_record[f"to_{target}"], rtol=1e-6, atol=1e-5)
    back = bb.convert_format(converted, target, "xyxy", height=200, width=300)
    numpy.testing.assert_allclose(back, boxes, rtol=1e-5, atol=1e-4)


def test_clip_crop_pad_match_keras(keras_record):
    boxes = keras_record["boxes"]
    clipped = bb.clip_to_image_size({"boxes": boxes, "labels": numpy.array([0, 1, 2])}, height=100, width=120)
    numpy.testing.assert_allclose(clipped["boxes"], keras_record["clip_boxes"])
    numpy.testing.assert_array_equal(clipped["labels"], keras_record["clip_labels"])
    numpy.testing.assert_allclose(bb.crop(boxes, top=10, left=20, height=40, width=30), keras_record["crop"])
    numpy.testing.assert_allclose(bb.pad(boxes, top=5, left=7), keras_record["pad"])


def test_compute_iou_matches_keras(keras_record):
    boxes, others = keras_record["boxes"], keras_record["others"]
    numpy.testing.assert_allclose(bb.compute_iou(boxes, others, "xyxy"), keras_record["iou"], rtol=1e-5, atol=1e-6)
    masked = numpy.concatenate([boxes, -numpy.ones((1, 4), "float32")])
    numpy.testing.assert_allclose(bb.compute_iou(masked, others, "xyxy", use_masking=True), keras_record["iou_masked"],
                                  rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(bb.compute_iou(boxes[None], others[None], "xyxy"), keras_record["iou_batched"],
                                  rtol=1e-5, atol=1e-6)
    same = bb.compute_iou(others, others, "xywh")
    numpy.testing.assert_allclose(numpy.diag(same), [1, 1], rtol=1e-5)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="source"):
        bb.convert_format(numpy.zeros((1, 4)), "xy", "xyxy")
    with pytest.raises(ValueError, match="height"):
        bb.convert_format(numpy.zeros((1, 4)), "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="last axis"):
        bb.convert_format(numpy.zeros((1, 3)), "xyxy", "yxyx")
    with pytest.raises(ValueError, match="height"):
        bb.clip_to_image_size({"boxes": numpy.zeros((1, 4))})
    with pytest.raises(NotImplementedError, match="bounding_box_format"):
        bb.crop(numpy.zeros((1, 4)), 0, 0, 1, 1, bounding_box_format="yxyx")
    with pytest.raises(ValueError, match="boxes1"):
        bb.compute_iou(numpy.zeros(4), numpy.zeros((1, 4)), "xyxy")
    with pytest.raises(ValueError, match="image_shape"):
        bb.compute_iou(numpy.zeros((1, 4)), numpy.zeros((1, 4)), "rel_xyxy")
    converted = bb.convert_format({"boxes": numpy.ones((1, 4)), "labels": [3]}, "xyxy", "yxyx")
    assert converted["labels"] == [3]
