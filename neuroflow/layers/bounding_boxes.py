"""MaxNumBoundingBoxes (keras.layers' name): pads or cuts the bounding boxes of each image to a fixed count.

Inputs are as Keras 3's image preprocessing layers take them: a dict {"images": ..., "bounding_boxes":
{"boxes": (batch, n, 4), "labels": (batch, n)}, ...}; the images and every other entry pass unchanged,
and so does an input that is not a dict. Acts in training and inference alike.
"""
from neuroflow import ops
from neuroflow.layers.layer import Layer


class MaxNumBoundingBoxes(Layer):
    """Keeps the first `max_number` boxes and labels of each image, padding with `fill_value` up to it.

    Args:
        max_number: the box count of the output, a positive integer.
        fill_value: the value of padded boxes and labels (default -1).
    """

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(max_number, bool) or not isinstance(max_number, (int, float)) or int(max_number) < 1:
            raise ValueError(f"MaxNumBoundingBoxes '{self.name}': `max_number` must be a positive integer, "
                             f"got {max_number!r}")
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.built = True  # no weights; and Layer's shape-based build does not read nested dicts

    def _fix(self, values, trailing):
        count = values.shape[1]
        values = values[:, :self.max_number]
        if count < self.max_number:
            widths = ((0, 0), (0, self.max_number - count)) + ((0, 0),) * trailing
            values = ops.pad(values, widths, constant_values=self.fill_value)
        return values

    def call(self, inputs):
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        boxes = dict(inputs["bounding_boxes"])
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"MaxNumBoundingBoxes '{self.name}': unsupported keys in `bounding_boxes`: "
                           f"{sorted(extra)}; only 'boxes' and 'labels' are")
        boxes["boxes"] = self._fix(ops.convert_to_tensor(boxes["boxes"]), 1)
        if "labels" in boxes:
            boxes["labels"] = self._fix(ops.convert_to_tensor(boxes["labels"]), 0)
        outputs = dict(inputs)
        outputs["bounding_boxes"] = boxes
        return outputs

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, dict) or "bounding_boxes" not in input_shape:
            return input_shape
        shapes = dict(input_shape)
        boxes = {key: (shape[0], self.max_number) + tuple(shape[2:]) for key, shape in input_shape["bounding_boxes"].items()}
        shapes["bounding_boxes"] = boxes
        return shapes

    def get_config(self):
        config = super().get_config()
        config.update({"max_number": self.max_number, "fill_value": self.fill_value})
        return config
