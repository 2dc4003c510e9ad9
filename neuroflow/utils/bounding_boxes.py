"""`keras.utils.bounding_boxes` on NumPy: box formats, clipping, cropping, padding and IoU.

Formats (the last axis of 4 numbers): "xyxy", "yxyx", "xywh" (left, top, width, height),
"center_xywh", "center_yxhw", and the relative ones "rel_xyxy", "rel_yxyx", "rel_xywh",
"rel_center_xywh" (fractions of the image's width and height, which must then be given).
Every conversion goes through "xyxy". Not provided: affine_transform, compute_ciou and the anchor
delta encoders, which belong with detection layers neuroflow does not have.
"""
import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")
EPSILON = 1e-7


def _check_format(name, value):
    if value not in FORMATS:
        raise ValueError(f"Invalid value for argument `{name}`: expected one of {FORMATS}. Received: {name}={value!r}")


def _to_xyxy(boxes, source, height, width):
    a, b, c, d = (boxes[..., i] for i in range(4))
    if source.startswith("rel_"):
        source = source[4:]
        if source in ("xyxy", "xywh", "center_xywh"):
            a, b, c, d = a * width, b * height, c * width, d * height
        else:  # yxyx
            a, b, c, d = a * height, b * width, c * height, d * width
    if source == "xyxy":
        parts = a, b, c, d
    elif source == "yxyx":
        parts = b, a, d, c
    elif source == "xywh":
        parts = a, b, a + c, b + d
    elif source == "center_xywh":
        parts = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    else:  # center_yxhw
        parts = b - d / 2, a - c / 2, b + d / 2, a + c / 2
    return numpy.stack(parts, axis=-1)


def _from_xyxy(boxes, target, height, width):
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    relative = target.startswith("rel_")
    if relative:
        target = target[4:]
        x1, y1, x2, y2 = x1 / width, y1 / height, x2 / width, y2 / height
    if target == "xyxy":
        parts = x1, y1, x2, y2
    elif target == "yxyx":
        parts = y1, x1, y2, x2
    elif target == "xywh":
        parts = x1, y1, x2 - x1, y2 - y1
    elif target == "center_xywh":
        parts = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
    else:  # center_yxhw
        parts = (y1 + y2) / 2, (x1 + x2) / 2, y2 - y1, x2 - x1
    return numpy.stack(parts, axis=-1)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """`boxes` (..., 4) from the `source` format to the `target` one; a dict's 'boxes' entry is converted.

    Raises:
        ValueError: an unknown format, a relative one without height and width, or a last axis other than 4.
    """
    if isinstance(boxes, dict):
        return {**boxes, "boxes": convert_format(boxes["boxes"], source, target, height, width, dtype)}
    _check_format("source", source)
    _check_format("target", target)
    if (source.startswith("rel_") or target.startswith("rel_")) and (height is None or width is None):
        raise ValueError(f"convert_format() needs `height` and `width` to convert from {source!r} to {target!r}. "
                         f"Received: height={height}, width={width}")
    boxes = numpy.asarray(boxes, dtype=dtype)
    if boxes.shape[-1:] != (4,):
        raise ValueError(f"Expected `boxes` to have a last axis of 4 numbers. Received: boxes.shape={boxes.shape}")
    if source == target:
        return boxes
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width).astype(dtype)


def _area_xyxy(boxes):
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """{'boxes', 'labels'} with the boxes clipped to the image; labels of boxes left empty become -1.

    Raises:
        NotImplementedError: a format other than "xyxy" / "rel_xyxy".
        ValueError: "xyxy" without height and width.
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size supports 'xyxy' and 'rel_xyxy'. Received: "
                                  f"bounding_box_format={bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = numpy.asarray(bounding_boxes["boxes"])
    upper = (1.0, 1.0) if bounding_box_format == "rel_xyxy" else (width, height)
    limits = numpy.asarray([upper[0], upper[1], upper[0], upper[1]], dtype=boxes.dtype)
    clipped = numpy.clip(boxes, 0, limits)
    result = dict(bounding_boxes)
    result["boxes"] = clipped
    if bounding_boxes.get("labels") is not None:
        result["labels"] = numpy.where(_area_xyxy(clipped) > 0, bounding_boxes["labels"], -1)
    return result


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes in the frame of the crop `height` x `width` at (`top`, `left`), clipped to it."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"crop supports 'xyxy'. Received: bounding_box_format={bounding_box_format!r}")
    boxes = numpy.asarray(boxes)
    shifted = boxes - numpy.asarray([left, top, left, top], dtype=boxes.dtype)
    return numpy.clip(shifted, 0, numpy.asarray([width, height, width, height], dtype=boxes.dtype))


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes moved by the padding added above (`top`) and left of (`left`) the image."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"pad supports 'xyxy'. Received: bounding_box_format={bounding_box_format!r}")
    boxes = numpy.asarray(boxes)
    return boxes + numpy.asarray([left, top, left, top], dtype=boxes.dtype)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """Pairwise intersection over union: (N, M) for boxes (N, 4) and (M, 4), (B, N, M) for batches.

    With `use_masking`, pairs where either box has only negative coordinates (padding) get `mask_val`.

    Raises:
        ValueError: boxes of rank other than 2 or 3, or a relative format without `image_shape`.
    """
    boxes1, boxes2 = numpy.asarray(boxes1, "float32"), numpy.asarray(boxes2, "float32")
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if boxes.ndim not in (2, 3):
            raise ValueError(f"compute_iou() expects {name} to be batched, or to be unbatched. Received "
                             f"len({name}.shape)={boxes.ndim}; expected 2 or 3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must "
                         f"be provided. Received `image_shape`: {image_shape}")
    height, width = (None, None) if image_shape is None else image_shape[:2]
    a = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    a_exp = a[..., :, None, :]
    b_exp = b[..., None, :, :] if b.ndim == 3 else b[None, :, :]
    inter_w = numpy.maximum(numpy.minimum(a_exp[..., 2], b_exp[..., 2]) - numpy.maximum(a_exp[..., 0], b_exp[..., 0]),
                            0)
    inter_h = numpy.maximum(numpy.minimum(a_exp[..., 3], b_exp[..., 3]) - numpy.maximum(a_exp[..., 1], b_exp[..., 1]),
                            0)
    intersection = inter_w * inter_h
    union = _area_xyxy(a)[..., :, None] + (_area_xyxy(b)[..., None, :] if b.ndim == 3 else _area_xyxy(b)[None, :])
    iou = intersection / (union - intersection + EPSILON)
    if not use_masking:
        return iou
    masked_a = (a.max(axis=-1) < 0)[..., :, None]
    masked_b = (b.max(axis=-1) < 0)[..., None, :] if b.ndim == 3 else (b.max(axis=-1) < 0)[None, :]
    return numpy.where(masked_a | masked_b, numpy.float32(mask_val), iou)
