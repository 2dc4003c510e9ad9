"""`keras.visualization.plot_bounding_box_gallery`: true and predicted boxes over a gallery of images."""
import numpy

from neuroflow.visualization._images import data_format_of, host_batch, matplotlib_module, to_channels_last
from neuroflow.visualization.draw_bounding_boxes import draw_bounding_boxes
from neuroflow.visualization.plot_image_gallery import plot_image_gallery

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None, y_pred=None, value_range=(0, 255),
                              true_color=(0, 188, 212), pred_color=(255, 235, 59), line_thickness=2, font_scale=1.0,
                              text_thickness=None, class_mapping=None, ground_truth_mapping=None,
                              prediction_mapping=None, legend=False, legend_handles=None, rows=None, cols=None,
                              data_format=None, **kwargs):
    """Draws `y_true` boxes in `true_color` and `y_pred` boxes in `pred_color`, then plots the gallery.

    Args:
        images: a batch (n, h, w, c) (or (n, c, h, w) channels first).
        bounding_box_format: the format of the boxes in `y_true` and `y_pred`.
        y_true, y_pred: dicts of "boxes" and "labels" (as `draw_bounding_boxes` takes), or None.
        value_range: the range of the input values.
        true_color, pred_color: RGB of each set of boxes.
        line_thickness, font_scale, text_thickness: as in `draw_bounding_boxes`.
        class_mapping: class id -> name for both sets; `ground_truth_mapping` and
            `prediction_mapping` override it per set.
        legend: add a "Ground Truth" / "Prediction" legend in the two colours.
        legend_handles: your own legend handles instead.
        rows, cols: the grid.
        data_format: "channels_last" or "channels_first"; None reads `image_data_format()`.
        **kwargs: passed to `plot_image_gallery` (`path`, `show`, `scale`, `dpi` ...).

    Raises:
        ImportError: matplotlib is missing (install `neuroflow[plot]`).
        ValueError: `images` is not 4D, or both `legend` and `legend_handles` are given.
    """
    _, patches = matplotlib_module("plot_bounding_box_gallery")
    prediction_mapping = prediction_mapping or class_mapping
    ground_truth_mapping = ground_truth_mapping or class_mapping
    images = to_channels_last(host_batch(images), data_format_of(data_format))
    options = dict(bounding_box_format=bounding_box_format, line_thickness=line_thickness,
                   text_thickness=text_thickness, font_scale=font_scale, data_format="channels_last")
    if y_true is not None:
        images = draw_bounding_boxes(images, y_true, color=true_color, class_mapping=ground_truth_mapping, **options)
    if y_pred is not None:
        images = draw_bounding_boxes(images, y_pred, color=pred_color, class_mapping=prediction_mapping, **options)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to plot_bounding_box_gallery(), not both.")
        legend_handles = [patches.Patch(color=numpy.array(true_color) / 255.0, label="Ground Truth"),
                          patches.Patch(color=numpy.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(images, value_range=value_range, legend_handles=legend_handles, rows=rows, cols=cols,
                              data_format="channels_last", **kwargs)
