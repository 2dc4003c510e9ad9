"""`keras.visualization.draw_bounding_boxes` in NumPy: box outlines (and labels, with Pillow) on images."""
import warnings

import numpy

from neuroflow.utils.bounding_boxes import convert_format
from neuroflow.visualization._images import data_format_of, host_batch, to_channels_last

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def _to_uint8(images):
    """Keras' rule: floats in [0, 1] are scaled by 255, larger floats clipped to [0, 255]."""
    if images.dtype.kind == "f" and images.size > 0:
        images = numpy.clip(images, 0, 1) * 255 if images.max() <= 1.0 else numpy.clip(images, 0, 255)
    return images.astype(numpy.uint8)


def _band(center, thickness, size):
    """The pixel rows (or columns) of a line `thickness` wide centred on `center`, inside [0, size)."""
    low = center - thickness // 2
    return slice(max(low, 0), max(min(low + thickness, size), 0))


def _rectangle(image, x1, y1, x2, y2, color, thickness):
    """Draws the outline of the box with corners (x1, y1), (x2, y2) into the (h, w, c) `image`."""
    height, width = image.shape[:2]
    left, right = sorted((x1, x2))
    top, bottom = sorted((y1, y2))
    color = numpy.asarray(color, dtype=image.dtype)[: image.shape[-1]]
    columns = slice(max(left - thickness // 2, 0), max(min(right - thickness // 2 + thickness, width), 0))
    rows = slice(max(top - thickness // 2, 0), max(min(bottom - thickness // 2 + thickness, height), 0))
    for y in (top, bottom):
        image[_band(y, thickness, height), columns] = color
    for x in (left, right):
        image[rows, _band(x, thickness, width)] = color


def _text_location(x, y, font_scale, thickness):
    # As Keras places it: above the box when there is room, else just inside its top-left corner.
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8 - font_height
    return x + 3, y + font_height + thickness + 3


def _draw_labels(image, texts, color, font_scale):
    """Writes each (x, y, text) into `image` with Pillow's default font; returns the new image."""
    # Pillow is an optional extra (`neuroflow[image]`), needed only to write class names.
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image)
    pen = ImageDraw.Draw(picture)
    try:
        font = ImageFont.load_default(size=max(int(12 * font_scale), 6))
    except TypeError:  # Pillow < 10.1 has one default size.
        font = ImageFont.load_default()
    fill = tuple(int(c) for c in color)[: image.shape[-1]]
    for x, y, text in texts:
        pen.text((x, y), text, fill=fill[0] if len(fill) == 1 else fill, font=font)
    return numpy.asarray(picture).reshape(image.shape)


def _pillow_available():
    try:
        import PIL  # noqa: F401  (optional: only tells whether labels can be written)
    except ImportError:
        return False
    return True


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format, class_mapping=None, color=(128, 128, 128),
                        line_thickness=2, text_thickness=1, font_scale=1.0, data_format=None):
    """Draws each image's boxes as outlines, and their class names from `class_mapping`.

    Args:
        images: a batch (n, h, w, c) (or (n, c, h, w) channels first) of images; floats in [0, 1]
            are scaled to [0, 255], other floats clipped to it.
        bounding_boxes: a dict with "boxes" (n, boxes, 4), "labels" (n, boxes) and optionally
            "confidences" (n, boxes); boxes labelled -1 are padding and not drawn.
        bounding_box_format: the format of the boxes ("xyxy", "rel_yxyx", "center_xywh" ...).
        class_mapping: dict class id -> name written above the box (needs Pillow; without it the
            names are left out with a warning).
        color: RGB of the outlines and names.
        line_thickness: outline width in pixels.
        text_thickness: kept for Keras' signature (Pillow's font has one stroke width).
        font_scale: text size relative to a 12-pixel font.
        data_format: "channels_last" or "channels_first"; None reads `image_data_format()`.

    Returns:
        uint8 NumPy array (n, h, w, c): the drawn images, channels last.

    Raises:
        ValueError: `images` is not 4D, or `bounding_boxes` lacks "boxes" or "labels".
        TypeError: `bounding_boxes` is not a dict.
    """
    class_mapping = class_mapping or {}
    data_format = data_format_of(data_format)
    images = to_channels_last(host_batch(images), data_format)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict. Received: bounding_boxes={bounding_boxes} of type "
                        f"{type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. "
                         f"Received: bounding_boxes with keys {sorted(bounding_boxes)}")
    height, width = images.shape[1:3]
    boxes = convert_format(numpy.asarray(bounding_boxes["boxes"]), bounding_box_format, "xyxy", height, width)
    labels = numpy.asarray(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else numpy.asarray(confidences)
    images = numpy.array(_to_uint8(images), copy=True)
    can_write = _pillow_available()
    if class_mapping and not can_write:
        warnings.warn("draw_bounding_boxes writes class names with Pillow, which is not installed; "
                      'drawing the boxes without names. Install it with: pip install "neuroflow[image]"', stacklevel=2)
    result = []
    for i, image in enumerate(images):
        texts = []
        for j, box in enumerate(boxes[i]):
            label = int(labels[i][j])
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box.astype(numpy.int32))
            _rectangle(image, x1, y1, x2, y2, color, line_thickness)
            if label in class_mapping and can_write:
                text = str(class_mapping[label])
                if confidences is not None:
                    text = f"{text} | {float(confidences[i][j]):.2f}"
                texts.append((*_text_location(x1, y1, font_scale, text_thickness or line_thickness), text))
        result.append(_draw_labels(image, texts, color, font_scale) if texts else image)
    return numpy.stack(result, axis=0)
