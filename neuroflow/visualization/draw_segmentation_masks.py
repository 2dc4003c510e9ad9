"""`keras.visualization.draw_segmentation_masks` in NumPy: class colours blended over images."""
import numpy

from neuroflow.visualization._images import data_format_of, host_batch, to_channels_last

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def color_palette(num_classes):
    """Keras' default colours: class i gets (i * (2**25 - 1, 2**15 - 1, 2**21 - 1)) mod 255."""
    palette = numpy.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((i * palette) % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None, alpha=0.8, blend=True,
                            ignore_index=-1, data_format=None):
    """Paints each pixel of class k (0 <= k < num_classes) in the colour of k, blended over the image.

    Args:
        images: a batch (n, h, w, c) (or (n, c, h, w) channels first).
        segmentation_masks: integer class ids (n, h, w, 1) (or (n, 1, h, w)).
        num_classes: how many classes get a colour; None takes the largest id in the masks (as
            Keras does, so that id itself is left unpainted).
        color_mapping: dict class id -> RGB; None uses Keras' default palette.
        alpha: weight of the colour in the blend.
        blend: blend the colours over the image (uint8 result); False returns the painted images
            as float32 without blending.
        ignore_index: mask value whose pixels keep the image unchanged in a blend.
        data_format: "channels_last" or "channels_first"; None reads `image_data_format()`.

    Returns:
        NumPy array (n, h, w, c), channels last: uint8 when blending, else float32.

    Raises:
        ValueError: `images` is not 4D.
        TypeError: `segmentation_masks` is not of an integer dtype.
    """
    data_format = data_format_of(data_format)
    images = to_channels_last(host_batch(images), data_format).astype(numpy.float32)
    masks = to_channels_last(host_batch(segmentation_masks, "segmentation_masks"), data_format)
    if masks.dtype.kind not in "iu":
        raise TypeError(f"`segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype={masks.dtype}")
    masks = masks[..., 0]
    if num_classes is None:
        num_classes = int(masks.max())
    colors = color_palette(num_classes) if color_mapping is None else [color_mapping[i] for i in range(num_classes)]
    painted = images.copy()
    for class_id, color in enumerate(colors):
        painted[masks == class_id] = numpy.asarray(color, dtype=numpy.float32)
    if not blend:
        return painted
    blended = images * (1 - alpha) + painted * alpha
    blended = numpy.where((masks != ignore_index)[..., None], blended, images)
    return blended.astype(numpy.uint8)
