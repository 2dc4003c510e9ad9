"""Augmentation layers that mix pairs of images of a batch (keras.layers' names): MixUp and CutMix.

Each image is mixed with another of the batch, taken in a random order (a fresh permutation per
call); labels, when given as {"images": ..., "labels": ...}, are mixed with the same weights. Only in
training; otherwise (and for a single image, rank 3, which has no partner) the input passes unchanged.
The draws happen inside ops (ops/augmentation_draws.py) so a traced training step replays them.
"""
from neuroflow import ops
from neuroflow.layers.image_augmentation import _bounded_pair, _ImageLayer
from neuroflow.ops import augmentation_draws


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
        rows = ops.cast(ops.arange(height), boxes.dtype)
        columns = ops.cast(ops.arange(width), boxes.dtype)
        x0, x1, y0, y1 = (ops.reshape(boxes[:, i], (-1, 1, 1)) for i in range(4))
        inside = ops.logical_and(
            ops.logical_and(ops.greater_equal(columns[None, None, :], x0), ops.less(columns[None, None, :], x1)),
            ops.logical_and(ops.greater_equal(rows[None, :, None], y0), ops.less(rows[None, :, None], y1)))
        inside = ops.expand_dims(inside, 1 if channels_first else -1)
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
