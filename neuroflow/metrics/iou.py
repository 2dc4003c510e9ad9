"""Intersection-over-union metrics: IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU.

Each keeps one (num_classes, num_classes) confusion matrix (rows: true class, columns: predicted
class), adds every batch's weighted counts to it, and reports, over the target classes whose
union is not empty, the mean of TP / (TP + FP + FN). As in Keras the matrix is an integer
Variable unless `dtype` says otherwise, so fractional sample weights need a float `dtype`.
Labels or predictions outside [0, num_classes), and the `ignore_class`, are not counted.
"""
import warnings

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import Metric, to_array


class _IoUBase(Metric):
    """The accumulated confusion matrix that every IoU metric reads."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"{type(self).__name__} expects num_classes to be a positive integer, got {num_classes!r}")
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def _class_ids(self, y_true, y_pred):
        xp = backend.xp
        y_true, y_pred = to_array(y_true), to_array(y_pred)
        if not self.sparse_y_true:
            y_true = xp.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = xp.argmax(y_pred, axis=self.axis)
        return y_true, y_pred

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self._class_ids(y_true, y_pred)
        self._add(y_true, y_pred, sample_weight)

    def _add(self, y_true, y_pred, sample_weight):
        xp = backend.xp
        dtype = self.total_cm.value.dtype
        # Cast as Keras does: to the state dtype first (int truncates a float label or weight).
        y_true = y_true.astype(dtype).reshape(-1)
        y_pred = y_pred.astype(dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__} expects as many labels as predictions, got {y_true.size} labels "
                             f"and {y_pred.size} predictions")
        if sample_weight is None:
            weights = xp.ones(y_true.shape, dtype=dtype)
        else:
            raw = to_array(sample_weight)
            if raw.dtype.kind == "f" and dtype.kind in "iu":
                warnings.warn(f"{type(self).__name__}: float sample_weight with an integer state dtype ({dtype}) is "
                              "truncated; pass integer weights or dtype='float32'", stacklevel=3)
            weights = xp.broadcast_to(raw.astype(dtype).reshape(-1) if raw.ndim > 1 else raw.astype(dtype),
                                      y_true.shape)
        valid = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            valid &= y_true != self.ignore_class
        cells = y_true[valid].astype("int64") * self.num_classes + y_pred[valid].astype("int64")
        counts = xp.bincount(cells, weights=weights[valid].astype("float64"), minlength=self.num_classes ** 2)
        self.total_cm.value[...] += counts.reshape(self.num_classes, self.num_classes).astype(dtype)

    def _iou(self, target_class_ids):
        xp = backend.xp
        matrix = self.total_cm.value.astype("float64")
        true_positives = xp.diagonal(matrix)
        union = matrix.sum(axis=0) + matrix.sum(axis=1) - true_positives
        ids = xp.asarray(target_class_ids, dtype="int64")
        true_positives, union = true_positives[ids], union[ids]
        valid = union > 1e-9
        iou = xp.where(valid, true_positives / (union + backend.epsilon()), 0.0)
        result = iou.sum() / (valid.sum() + backend.epsilon())
        return Tensor(xp.asarray(result, dtype="float32"))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


def _target_ids(target_class_ids, num_classes):
    ids = [int(i) for i in target_class_ids]
    if not ids:
        raise ValueError("target_class_ids must hold at least one class id, got an empty list")
    if max(ids) >= num_classes:
        raise ValueError(f"Target class id {max(ids)} is out of range, which is [0, {num_classes}); "
                         "raise num_classes or drop that id")
    return ids


class IoU(_IoUBase):
    """The mean intersection-over-union of the classes in `target_class_ids`.

    Example: IoU(num_classes=2, target_class_ids=[0]) with y_true [0, 0, 1, 1] and y_pred
    [0, 1, 0, 1]: class 0 has TP 1, FP 1, FN 1, so IoU = 1/3.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes averaged over.
        name, dtype: the metric's name and the confusion matrix' dtype (default an integer dtype).
        ignore_class: a label left out of the counts (a "void" class), or None.
        sparse_y_true, sparse_y_pred: False when that input is one-hot / scores (argmax over `axis`).
        axis: the class axis of dense inputs (default -1).
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        self.target_class_ids = _target_ids(target_class_ids, num_classes)

    def result(self):
        return self._iou(self.target_class_ids)

    def get_config(self):
        config = super().get_config()
        config["target_class_ids"] = list(self.target_class_ids)
        return config


class BinaryIoU(IoU):
    """IoU of a binary task, predictions thresholded: class 1 where y_pred >= `threshold`.

    Args:
        target_class_ids: [0], [1] or [0, 1] (the default: the mean of both).
        threshold: the decision threshold (default 0.5).
        name, dtype: as for IoU.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_array(y_pred, "float32") >= self.threshold
        self._add(to_array(y_true), y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": list(self.target_class_ids), "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean intersection-over-union over all `num_classes` classes (those present).

    Example: MeanIoU(num_classes=2) with y_true [0, 0, 1, 1] and y_pred [0, 1, 0, 1] gives 1/3.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU of the `target_class_ids` for one-hot labels (and, by default, score predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels (and, by default, score predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
