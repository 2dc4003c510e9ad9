"""Accuracy metrics: exact match, thresholded binary, arg-max categorical, top-k.

Each function returns per-sample matches (1.0 or 0.0) as a Tensor; each class is the weighted
streaming mean of its function.
"""
from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.metrics.metric import counts_matches, reads_arrays, squeeze_or_expand, to_array, wrapper_class
from neuroflow.utils.errors import shape_text


def _float(matches):
    return Tensor(matches.astype(backend.floatx()))


def _arrays(y_true, y_pred):
    y_pred = to_array(y_pred)
    y_true = to_array(y_true)
    return squeeze_or_expand(y_true, y_pred)


def _exact_matches(y_true, y_pred):
    y_true, y_pred = _arrays(y_true, y_pred)
    return y_true == y_pred


@counts_matches(_exact_matches)
def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly, else 0.0."""
    return _float(_exact_matches(y_true, y_pred))


def _binary_matches(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _arrays(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"binary_accuracy expects y_true and y_pred of the same shape, got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}")
    return y_true == (y_pred > threshold).astype(y_true.dtype)


@counts_matches(_binary_matches)
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals the 0/1 label y_true, per element."""
    return _float(_binary_matches(y_true, y_pred, threshold))


def _categorical_matches(y_true, y_pred):
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"categorical_accuracy expects one-hot y_true of the same shape as y_pred, got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}; for integer labels "
                         "use sparse_categorical_accuracy")
    xp = backend.xp
    return xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1)


@counts_matches(_categorical_matches)
def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) over the last axis (one-hot labels)."""
    return _float(_categorical_matches(y_true, y_pred))


def _sparse_labels(name, y_true, y_pred):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        hint = "; y_true looks one-hot: use the categorical metric" if y_true.shape == y_pred.shape else ""
        raise ValueError(f"{name} expects integer labels of shape {shape_text(y_pred.shape[:-1])} for y_pred "
                         f"{shape_text(y_pred.shape)}, got y_true {shape_text(y_true.shape)}{hint}")
    return y_true


def _sparse_categorical_matches(y_true, y_pred):
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    y_true = _sparse_labels("sparse_categorical_accuracy", y_true, y_pred)
    # The array methods: NumPy's module-level argmax wraps them in Python; no copy when the dtypes agree.
    return y_true == y_pred.argmax(axis=-1).astype(y_true.dtype, copy=False)


@counts_matches(_sparse_categorical_matches)
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label y_true."""
    return _float(_sparse_categorical_matches(y_true, y_pred))


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is at least the k-th largest score (ties count as in)."""
    xp = backend.xp
    num_classes = y_pred.shape[-1]
    if k >= num_classes:
        return xp.ones(labels.shape, dtype=bool)
    kth_largest = xp.partition(y_pred, num_classes - k, axis=-1)[..., num_classes - k]
    target = xp.take_along_axis(y_pred, labels.astype(xp.int64)[..., None], axis=-1)[..., 0]
    return target >= kth_largest


@reads_arrays
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the k highest scores of y_pred."""
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"top_k_categorical_accuracy expects one-hot y_true of the same shape as y_pred, got "
                         f"y_true {shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}; for integer "
                         "labels use sparse_top_k_categorical_accuracy")
    return _float(_in_top_k(backend.xp.argmax(y_true, axis=-1), y_pred, int(k)))


@reads_arrays
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k highest scores of y_pred.

    With `from_sorted_ids`, y_pred holds class ids sorted by score instead of scores.
    """
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    if from_sorted_ids:
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        return _float((y_pred[..., :int(k)] == y_true[..., None]).any(axis=-1))
    y_true = _sparse_labels("sparse_top_k_categorical_accuracy", y_true, y_pred)
    return _float(_in_top_k(y_true, y_pred, int(k)))


_MODULE = __name__

Accuracy = wrapper_class("Accuracy", accuracy, "accuracy",
                         "How often predictions equal labels exactly (weighted streaming mean).", _MODULE)
BinaryAccuracy = wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                               "How often y_pred > threshold (default 0.5) matches the 0/1 label.",
                               _MODULE, threshold=0.5)
CategoricalAccuracy = wrapper_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
                                    "How often argmax(y_pred) matches argmax of the one-hot label.", _MODULE)
SparseCategoricalAccuracy = wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "How often argmax(y_pred) matches the integer label.", _MODULE)
TopKCategoricalAccuracy = wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "How often the one-hot label is among the top k (default 5) predictions.", _MODULE, k=5)
SparseTopKCategoricalAccuracy = wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy, "sparse_top_k_categorical_accuracy",
    "How often the integer label is among the top k (default 5) predictions.", _MODULE,
    k=5, from_sorted_ids=False)
