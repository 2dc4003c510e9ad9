"""Overlap losses for segmentation: Dice and Tversky, one minus a soft overlap ratio.

Both sum over `axis` (every axis when None, so the whole batch gives one value) and add
backend.epsilon() to the denominator, so all-zero targets and predictions give a finite loss.
"""
from neuroflow import backend, ops
from neuroflow.losses.loss import LossFunctionWrapper, _pair


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    """Dice loss: 1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon), summed over `axis`.

    Example: y_true [[1, 1], [0, 0]], y_pred [[0, 1], [0, 1]] with axis=None -> 1 - 2/(2 + 2) = 0.5.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    axis = _axis(axis)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    denominator = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), backend.epsilon())
    return ops.subtract(1.0, ops.divide(ops.multiply(2.0, intersection), denominator))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss: 1 - TP / (TP + alpha FP + beta FN + epsilon), soft counts summed over `axis`.

    TP = sum(y_true * y_pred), FP = sum(y_true * (1 - y_pred)), FN = sum(y_pred * (1 - y_true)), as
    Keras 3 counts them; alpha = beta = 0.5 is the Dice loss.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    axis = _axis(axis)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    false_positives = ops.sum(ops.multiply(ops.subtract(1.0, y_pred), y_true), axis=axis)
    false_negatives = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denominator = ops.add(ops.add(ops.add(intersection, ops.multiply(float(alpha), false_positives)),
                                  ops.multiply(float(beta), false_negatives)), backend.epsilon())
    return ops.subtract(1.0, ops.divide(intersection, denominator))


class Dice(LossFunctionWrapper):
    """Dice loss, 1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred)), summed over `axis`.

    Args:
        reduction, name, dtype: as for `Loss`.
        axis: the axes summed over (None: all of them, one value for the batch).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """Tversky loss, 1 - TP / (TP + alpha FP + beta FN), soft counts summed over `axis`.

    Args:
        alpha: the weight of false positives (default 0.5).
        beta: the weight of false negatives (default 0.5).
        reduction, name, dtype: as for `Loss`.
        axis: the axes summed over (None: all of them).
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis
