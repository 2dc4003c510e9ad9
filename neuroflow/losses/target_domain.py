"""What each loss accepts as a target, checked on the host before training sees a batch.

A cross-entropy fed targets outside its domain still returns a number: binary cross-entropy with a
target of 2 is minimized by a prediction pushed past 1, sparse labels 0.5 are truncated to class 0,
and integer class ids given to a one-hot loss read as (unnormalized) probabilities. None of these
trains the model the user meant, so `check_targets` refuses them, naming the loss, the rule and the
first offending value. Losses not listed here accept any real target.
"""
import warnings

import numpy

from neuroflow.losses.probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "validates targets' values (errors name the bad entry); runs where the loss checks its input"

_PROBABILITY_TARGETS = {binary_crossentropy: "binary", binary_focal_crossentropy: "binary",
                        categorical_crossentropy: "one-hot", categorical_focal_crossentropy: "one-hot"}
_INTEGER_TARGETS = {sparse_categorical_crossentropy}


def _first(array, bad):
    position = tuple(int(i) for i in numpy.argwhere(bad)[0])
    return array[position], position


def check_targets(loss, y_true, where="y"):
    """Raises a ValueError when `y_true` lies outside the domain of `loss` (a Loss or a function).

    Binary and categorical cross-entropies need targets in [0, 1]; sparse categorical cross-entropy
    needs whole-number class ids (its ignore_class aside). Only NumPy arrays are checked.
    """
    function = getattr(loss, "fn", loss)
    if not isinstance(y_true, numpy.ndarray) or y_true.size == 0 or y_true.dtype.kind not in "biuf":
        return
    name = getattr(loss, "name", None) or getattr(function, "__name__", "the loss")
    kind = _PROBABILITY_TARGETS.get(function)
    if kind is not None:
        bad = (y_true < 0) | (y_true > 1)
        if bad.any():
            value, position = _first(y_true, bad)
            hint = ("targets must be 0 or 1 (or probabilities between)" if kind == "binary" else
                    "targets must be one-hot rows (or probabilities); for integer class ids use "
                    "sparse_categorical_crossentropy, or one-hot encode them with neuroflow.utils.to_categorical")
            raise ValueError(f"{name} expects targets in [0, 1], but {where} holds {value} at index {position}: {hint}")
    elif function in _INTEGER_TARGETS and y_true.dtype.kind == "f":
        bad = y_true != numpy.round(y_true)
        if bad.any():
            value, position = _first(y_true, bad)
            raise ValueError(f"{name} expects integer class ids, but {where} holds {value} at index {position}, which "
                             "would be truncated to a class; for probabilities over classes use "
                             "categorical_crossentropy")


def check_weighted_classes(loss, y_true, sample_weight, where="sample_weight"):
    """Warns when `sample_weight` gives every sample of a class (or every sample) a weight of 0.

    The loss then never sees that class; that may be meant (the warning says which class and how many
    samples), but a weight vector misaligned with the targets looks the same.
    """
    if not isinstance(y_true, numpy.ndarray) or not isinstance(sample_weight, numpy.ndarray) or y_true.size == 0:
        return
    weights = sample_weight.reshape(len(sample_weight), -1).sum(axis=1) if sample_weight.ndim > 1 else sample_weight
    if len(weights) != len(y_true):
        return
    if not weights.any():
        warnings.warn(f"{where} is 0 for all {len(weights)} samples: the loss is 0 and nothing will be learned",
                      stacklevel=5)
        return
    function = getattr(loss, "fn", loss)
    if function not in _PROBABILITY_TARGETS and function not in _INTEGER_TARGETS:
        return
    one_hot = y_true.ndim >= 2 and y_true.shape[-1] > 1 and function is not sparse_categorical_crossentropy
    if y_true.ndim > (2 if one_hot else 1) and not (y_true.ndim == 2 and y_true.shape[-1] == 1):
        return  # per-timestep targets: classes are not per sample
    classes = y_true.argmax(axis=-1) if one_hot else numpy.round(y_true.reshape(len(y_true), -1)[:, 0])
    unweighted = [int(c) for c in numpy.unique(classes) if not weights[classes == c].any()]
    if unweighted:
        counts = {c: int((classes == c).sum()) for c in unweighted}
        warnings.warn(f"{where} is 0 for every sample of class(es) {unweighted} (samples per class: {counts}): "
                      f"{getattr(loss, 'name', 'the loss')} will not learn them", stacklevel=5)
