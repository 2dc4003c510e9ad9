"""The galleries save real figures (matplotlib, the `plot` extra) and say so when it is missing."""
import sys

import numpy
import pytest

from neuroflow.visualization import plot_bounding_box_gallery, plot_image_gallery, plot_segmentation_mask_gallery

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib import image as mpimg  # noqa: E402


def _images(count=4, size=16):
    ramp = numpy.linspace(0, 1, size, dtype="float32")
    base = numpy.stack([ramp[None, :].repeat(size, 0), ramp[:, None].repeat(size, 1), 1 - ramp[None, :].repeat(size, 0)],
                       axis=-1)
    return numpy.stack([base * (i + 1) / count for i in range(count)])


def _saved(path):
    picture = mpimg.imread(path)
    assert picture.ndim == 3 and picture.shape[0] > 20 and picture.shape[1] > 20
    return picture


def test_image_gallery_png(tmp_path):
    path = tmp_path / "gallery.png"
    result = plot_image_gallery(_images(), y_true=numpy.array([0, 1, 1, 0]), label_map={0: "dark", 1: "light"},
                                value_range=(0, 1), path=str(path), dpi=40)
    assert result is None
    picture = _saved(path)
    assert picture[..., :3].std() > 0.05  # images, not a blank canvas


def test_bounding_box_gallery_png(tmp_path):
    images = (_images(2, 32) * 255).astype("uint8")
    boxes = {"boxes": numpy.array([[[4, 4, 20, 20]], [[8, 8, 28, 28]]], dtype="float32"), "labels": numpy.array([[0], [0]])}
    path = tmp_path / "boxes.png"
    plot_bounding_box_gallery(images, "xyxy", y_true=boxes, y_pred=boxes, legend=True, path=str(path), rows=1, cols=2)
    _saved(path)
    with pytest.raises(ValueError, match="`legend` OR `legend_handles`"):
        plot_bounding_box_gallery(images, "xyxy", legend=True, legend_handles=["x"], path=str(path))


def test_segmentation_mask_gallery_png(tmp_path):
    images = (_images(2) * 255).astype("uint8")
    masks = numpy.zeros((2, 16, 16, 1), dtype="int32")
    masks[:, 4:12, 4:12] = 1
    path = tmp_path / "masks.png"
    plot_segmentation_mask_gallery(images, num_classes=2, y_true=masks, y_pred=1 - masks, path=str(path))
    picture = _saved(path)
    assert picture[..., :3].std() > 0.05  # images and masks drawn, not a blank canvas


def test_gallery_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="either `path`.*or `show`"):
        plot_image_gallery(_images(), path=str(tmp_path / "a.png"), show=True)
    with pytest.raises(ValueError, match="label_map"):
        plot_image_gallery(_images(), y_true=[0, 1, 0, 1], path=str(tmp_path / "a.png"))
    with pytest.raises(ValueError, match="batched 4D"):
        plot_image_gallery(_images()[0], path=str(tmp_path / "a.png"))


def test_missing_matplotlib_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"plot_image_gallery needs matplotlib.*neuroflow\[plot\]"):
        plot_image_gallery(_images(), path="unused.png")
    with pytest.raises(ImportError, match="plot_bounding_box_gallery needs matplotlib"):
        plot_bounding_box_gallery(_images(), "xyxy", path="unused.png")
