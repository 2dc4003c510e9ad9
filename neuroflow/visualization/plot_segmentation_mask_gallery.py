"""`keras.visualization.plot_segmentation_mask_gallery`: each image beside its drawn true / predicted masks."""
import numpy

from neuroflow.visualization._images import data_format_of, host_batch, to_channels_last
from neuroflow.visualization.draw_segmentation_masks import draw_segmentation_masks
from neuroflow.visualization.plot_image_gallery import plot_image_gallery

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None, y_pred=None,
                                   color_mapping=None, blend=True, alpha=0.8, ignore_index=-1, data_format=None,
                                   **kwargs):
    """One row per image: the image, then `y_true` and `y_pred` drawn over it when given.

    Args:
        images: a batch (n, h, w, c) (or (n, c, h, w) channels first).
        num_classes: classes painted (as in `draw_segmentation_masks`).
        value_range: the range of the input values.
        y_true, y_pred: class-id masks (n, h, w, 1) (or channels first), or None.
        color_mapping, blend, alpha, ignore_index: as in `draw_segmentation_masks`.
        data_format: "channels_last" or "channels_first"; None reads `image_data_format()`.
        **kwargs: passed to `plot_image_gallery` (`path`, `show`, `scale`, `dpi` ...).

    Raises:
        ImportError: matplotlib is missing (install `neuroflow[plot]`).
        ValueError: `images` is not 4D.
    """
    data_format = data_format_of(data_format)
    images = to_channels_last(host_batch(images), data_format)
    options = dict(num_classes=num_classes, color_mapping=color_mapping, alpha=alpha, ignore_index=ignore_index,
                   blend=blend, data_format="channels_last")
    drawn = []
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = to_channels_last(host_batch(masks, "segmentation_masks"), data_format).astype(numpy.int32)
            drawn.append(draw_segmentation_masks(images, masks, **options))
    gallery = [picture for i in range(len(images)) for picture in [images[i]] + [d[i] for d in drawn]]
    return plot_image_gallery(numpy.stack(gallery, axis=0), value_range=value_range, rows=len(images),
                              cols=1 + len(drawn), data_format="channels_last", **kwargs)
