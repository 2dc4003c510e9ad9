"""`keras.visualization.plot_image_gallery`: a grid of images with matplotlib (the `plot` extra)."""
import math

import numpy

from neuroflow.visualization._images import data_format_of, host_batch, matplotlib_module, rescale, to_channels_last

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None, value_range=(0, 255),
                       scale=2, path=None, show=None, transparent=True, dpi=60, legend_handles=None, data_format=None):
    """Shows or saves a `rows` x `cols` grid of the first images of a batch, titled with their labels.

    Args:
        images: a batch (n, h, w, c) (or (n, c, h, w) channels first).
        y_true, y_pred: optional class ids per image, written as "Label: ..." / "Pred: ..." through
            `label_map` (needed when either is given).
        label_map: dict class id -> name.
        rows, cols: the grid; by default ceil(sqrt(n)) rows and n // rows columns (Keras' choice).
        value_range: the range of the input values, mapped to [0, 255] for display.
        scale: inches per grid cell.
        path: save the figure there (a PNG by its extension) instead of showing it.
        show: show the figure with pyplot; by default when no `path` is given.
        transparent, dpi: passed to `savefig`.
        legend_handles: matplotlib handles for a legend under the grid.
        data_format: "channels_last" or "channels_first"; None reads `image_data_format()`.

    Raises:
        ImportError: matplotlib is missing (install `neuroflow[plot]`).
        ValueError: both `path` and `show` are given, labels come without `label_map`, or `images`
            is not 4D.
    """
    pyplot, _ = matplotlib_module("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_image_gallery() expects either `path` to be set, or `show` to be true, not both. "
                         f"Received: path={path!r}, show={show!r}")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be provided.")
    show = show if show is not None else path is None
    images = to_channels_last(host_batch(images), data_format_of(data_format))
    batch_size = len(images)
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or max(batch_size // rows, 1)
    images = rescale(images[: rows * cols], value_range)
    figure, axes = pyplot.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale), frameon=False,
                                   layout="tight", squeeze=False, sharex="row", sharey="col")
    figure.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    y_true = None if y_true is None else numpy.asarray(y_true).reshape(-1)
    y_pred = None if y_pred is None else numpy.asarray(y_pred).reshape(-1)
    for index, axis in enumerate(axes.reshape(-1)):
        axis.axis("off")
        if index >= len(images):
            continue
        image = numpy.clip(images[index], 0, 255).astype(numpy.uint8)
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray" if image.shape[-1] == 1 else None)
        axis.margins(x=0, y=0)
        title = []
        if y_true is not None and index < len(y_true):
            title.append(f"Label: {label_map.get(y_true[index].item(), 'Unknown')}")
        if y_pred is not None and index < len(y_pred):
            title.append(f"Pred: {label_map.get(y_pred[index].item(), 'Unknown')}")
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        figure.savefig(path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        pyplot.close(figure)
    elif show:
        pyplot.show()
        pyplot.close(figure)
