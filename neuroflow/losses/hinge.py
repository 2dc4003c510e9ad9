"""Hinge losses: margins of classifiers with labels in {-1, 1} (0/1 labels are converted)."""
from neuroflow import backend, ops
from neuroflow.losses.loss import _pair, _same_shape, _wrapper_class


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}, as Keras does; other labels are kept."""
    values = y_true.value
    xp = backend.xp
    if bool(xp.all((values == 0) | (values == 1))):
        return ops.subtract(ops.multiply(2.0, y_true), 1.0)
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1); y_true in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _same_shape("hinge", *_pair(y_true, y_pred))
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.maximum(margin, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1); y_true in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _same_shape("squared_hinge", *_pair(y_true, y_pred))
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.square(ops.maximum(margin, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - t) p) - sum(t p) + 1, 0) over the last axis, with one-hot t."""
    y_true, y_pred = _same_shape("categorical_hinge", *_pair(y_true, y_pred))
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(negative, positive), 1.0), 0.0)


Hinge = _wrapper_class("Hinge", hinge, "hinge", "mean(max(1 - y_true * y_pred, 0)).")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge",
                              "mean(max(1 - y_true * y_pred, 0)^2).")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "max(max((1 - t) p) - sum(t p) + 1, 0).")
