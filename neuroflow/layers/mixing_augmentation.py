"""Augmentation layers that mix pairs of images of a batch or overwrite a box of each (keras.layers'
names): MixUp, CutMix and RandomErasing.

Each image is mixed with another of the batch, taken in a random order (a fresh permutation per
call); labels, when given as {"images": ..., "labels": ...}, are mixed with the same weights. Only in
training; otherwise (and for a single image, rank 3, which has no partner) the input passes unchanged.
The draws happen inside ops (ops/augmentation_draws.py) so a traced training step replays them.
"""
from neuroflow import ops
from neuroflow.layers.image_augmentation import _bounded_pair, _ImageLayer
from neuroflow.layers.image_preprocessing import _value_range
from neuroflow.ops import augmentation_draws
from neuroflow.ops import image as image_ops


def _split(inputs, where):
    """(images, labels or None, was a dict)."""
    if isinstance(inputs, dict):
        if "images" not in inputs:
            raise ValueError(f"{where}: a dict input needs the key 'images', got keys {sorted(inputs)}")
        return inputs["images"], inputs.get("labels"), True
    return inputs, None, False


def _mix_labels(labels, weights, order):
    """weights * labels + (1 - weights) * labels[order], weights one per row (batch,)."""
    labels = ops.cast(labels, weights.dtype)
    weights = ops.reshape(weights, (-1,) + (1,) * (labels.ndim - 1))
    return ops.add(ops.multiply(weights, labels), ops.multiply(ops.subtract(1.0, weights), ops.take(labels, order, axis=0)))


def _join(inputs, images, labels, was_dict):
    if not was_dict:
        return images
    out = dict(inputs)
    out["images"] = images
    if labels is not None:
        out["labels"] = labels
    return out


def _box_mask(boxes, height, width):
    """(batch, height, width, 1) booleans: the pixels whose column is in [x0, x1) and row in [y0, y1)."""
    rows = ops.cast(ops.arange(height), boxes.dtype)
    columns = ops.cast(ops.arange(width), boxes.dtype)
    x0, x1, y0, y1 = (ops.reshape(boxes[:, i], (-1, 1, 1)) for i in range(4))
    inside = ops.logical_and(
        ops.logical_and(ops.greater_equal(columns[None, None, :], x0), ops.less(columns[None, None, :], x1)),
        ops.logical_and(ops.greater_equal(rows[None, :, None], y0), ops.less(rows[None, :, None], y1)))
    return ops.expand_dims(inside, -1)


class MixUp(_ImageLayer):
    """In training, out = w x + (1 - w) x[order] per image, w ~ Beta(alpha, alpha), `order` a random
    permutation of the batch; labels (dict input) mixed alike.

    Args:
        alpha: the Beta distribution's concentration, a positive number (default 0.2).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: makes the draws reproducible.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
            raise ValueError(f"MixUp '{self.name}': `alpha` must be a positive number, got {alpha!r}")
        self.alpha = alpha
        self.input_spec = None

    def call(self, inputs, training=None):
        images, labels, was_dict = _split(inputs, f"MixUp '{self.name}'")
        if not training or images.ndim != 4:
            return inputs
        rng = self.seed_generator.rng
        order = augmentation_draws.batch_permutation(images, generator=rng)
        weights = augmentation_draws.per_image_beta(images, alpha=float(self.alpha), generator=rng)
        if not str(images.dtype).startswith("float"):
            images = ops.cast(images, weights.dtype)
        mixed = ops.add(ops.multiply(weights, images),
                        ops.multiply(ops.subtract(1.0, weights), ops.take(images, order, axis=0)))
        if labels is not None:
            labels = _mix_labels(labels, ops.reshape(weights, (-1,)), order)
        return _join(inputs, mixed, labels, was_dict)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "data_format": self.data_format, "seed": self.seed})
        return config


class CutMix(_ImageLayer):
    """In training, pastes into each image a box of another (a random permutation of the batch): with
    alpha ~ U(factor) for the batch and w ~ Beta(alpha, alpha) per image, the box has sides
    sqrt(1 - w) times the image's at a uniform offset; the pixels whose row and column indices fall in
    [start, end) come from the partner. Labels (dict input) are mixed with 1 - (box area / image area).

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair within [0, 1]; default 1.
        seed: makes the draws reproducible.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _bounded_pair(factor, (0, 1), f"CutMix '{self.name}'")
        self.input_spec = None

    def call(self, inputs, training=None):
        images, labels, was_dict = _split(inputs, f"CutMix '{self.name}'")
        if not training or images.ndim != 4:
            return inputs
        channels_first = self.data_format == "channels_first"
        height, width = images.shape[2:4] if channels_first else images.shape[1:3]
        rng = self.seed_generator.rng
        # The box draws only read the batch, height and width of the reference.
        reference = ops.transpose(images, (0, 2, 3, 1)) if channels_first else images
        boxes = augmentation_draws.cutmix_boxes(reference, factor=self.factor, generator=rng)
        order = augmentation_draws.batch_permutation(images, generator=rng)
        inside = _box_mask(boxes, height, width)
        if channels_first:
            inside = ops.transpose(inside, (0, 3, 1, 2))
        if not str(images.dtype).startswith("float"):
            images = ops.cast(images, boxes.dtype)
        mixed = ops.where(inside, ops.take(images, order, axis=0), images)
        if labels is not None:
            area = ops.multiply(ops.subtract(boxes[:, 1], boxes[:, 0]), ops.subtract(boxes[:, 3], boxes[:, 2]))
            labels = _mix_labels(labels, ops.subtract(1.0, ops.divide(area, float(height * width))), order)
        return _join(inputs, mixed, labels, was_dict)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "seed": self.seed, "data_format": self.data_format})
        return config


def _fill_value(value, where):
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 3 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return tuple(value)
    raise ValueError(f"{where}: `fill_value` must be None, a number or a list of three numbers, got {value!r}")


class RandomErasing(_ImageLayer):
    """In training, overwrites one box of each image with probability p ~ U(factor) (drawn per image):
    the box's sides are sqrt(s) times the image's width and height, s ~ U(scale) for each, at a uniform
    offset; the fill is `fill_value` (a number or one per channel), or by default N(0, 1) noise times
    value_range[1], clipped to value_range.

    Args:
        factor: the erasing probability range, a number f in [0, 1] (the range (0, f)) or a pair; default 1.
        scale: the range of the box's area fraction per side, a pair within [0, 1], default (0.02, 0.33).
        fill_value: None (noise), a number, or a list of three numbers.
        value_range: (low, high) of the input's values, default (0, 255).
        seed, data_format: as the other Random* layers.
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        where = f"RandomErasing '{self.name}'"
        self.factor = _bounded_pair(factor, (0, 1), where)
        try:
            self.scale = _bounded_pair(scale, (0, 1), where)
        except ValueError:
            raise ValueError(f"{where}: `scale` must be a number in [0, 1] or a pair of them, got {scale!r}") from None
        self.fill_value = _fill_value(fill_value, where)
        self.value_range = _value_range(value_range, where)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return image_ops.on_image_batch(inputs, self.data_format, self._erase, what="RandomErasing")

    def _erase(self, images):
        rng = self.seed_generator.rng
        if not str(images.dtype).startswith("float"):
            images = ops.cast(images, "float32")
        boxes = augmentation_draws.erasing_boxes(images, scale=self.scale, generator=rng)
        inside = _box_mask(boxes, images.shape[1], images.shape[2])
        probability = self._per_image(images, *self.factor)
        apply = ops.less(self._per_image(images, 0.0, 1.0), probability)
        if self.fill_value is None:
            fill = ops.multiply(augmentation_draws.standard_normal_like(images, generator=rng),
                                float(self.value_range[1]))
        else:
            fill = ops.cast(ops.convert_to_tensor(self.fill_value), images.dtype)
        fill = ops.clip(fill, float(self.value_range[0]), float(self.value_range[1]))
        return ops.where(ops.logical_and(apply, inside), fill, images)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                       "value_range": self.value_range, "seed": self.seed, "data_format": self.data_format})
        return config
