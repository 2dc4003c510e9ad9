import numpy
import pytest

from neuroflow.visualization import draw_segmentation_masks
from neuroflow.visualization.draw_segmentation_masks import color_palette


def test_blend_pixels_against_keras_rule():
    images = numpy.full((1, 2, 3, 3), 100, dtype="uint8")
    masks = numpy.array([[[0, 1, 2], [-1, 1, 0]]]).reshape(1, 2, 3, 1)
    colors = {0: (0, 0, 0), 1: (255, 0, 0), 2: (0, 0, 255)}
    out = draw_segmentation_masks(images, masks, num_classes=3, color_mapping=colors, alpha=0.5)
    assert out.dtype == numpy.uint8 and out.shape == (1, 2, 3, 3)
    assert out[0, 0, 0].tolist() == [50, 50, 50]        # class 0: 100 * 0.5 + 0 * 0.5
    assert out[0, 0, 1].tolist() == [177, 50, 50]       # class 1: 50 + 127.5, truncated
    assert out[0, 0, 2].tolist() == [50, 50, 177]
    assert out[0, 1, 0].tolist() == [100, 100, 100]     # ignore_index keeps the image


def test_default_classes_palette_and_unblended():
    images = numpy.zeros((1, 1, 3, 3), dtype="float32")
    masks = numpy.array([[[[0], [1], [2]]]], dtype="int64")
    # As in Keras, num_classes=None is the largest id, which then gets no colour.
    out = draw_segmentation_masks(images, masks, blend=False)
    assert out.dtype == numpy.float32
    assert out[0, 0, 1].tolist() == color_palette(2)[1] and out[0, 0, 2].tolist() == [0, 0, 0]
    assert color_palette(3) == [[0, 0, 0], [1, 127, 31], [2, 254, 62]]  # Keras 3.15.1


def test_channels_first_and_bad_masks():
    images = numpy.full((1, 3, 2, 2), 200, dtype="uint8")
    masks = numpy.ones((1, 1, 2, 2), dtype="int32")
    out = draw_segmentation_masks(images, masks, num_classes=2, color_mapping={0: (0, 0, 0), 1: (0, 100, 0)},
                                  alpha=1.0, data_format="channels_first")
    assert out.shape == (1, 2, 2, 3) and out[0, 1, 1].tolist() == [0, 100, 0]
    with pytest.raises(TypeError, match="integer dtype.*float32"):
        draw_segmentation_masks(images, masks.astype("float32"), data_format="channels_first")
    with pytest.raises(ValueError, match="batched 4D"):
        draw_segmentation_masks(images[0], masks)
