"""Circle loss (Sun et al., 2020) over integer labels and L2-normalized embeddings.

For each query embedding, pairs with the same label (positives) and other labels (negatives) are
weighted by how far each similarity is from its optimum, then combined as
softplus(logsumexp(positive terms) + logsumexp(negative terms)).
"""
from neuroflow import backend, ops
from neuroflow.losses.loss import LossFunctionWrapper, _to_tensor


def _labels(labels):
    labels = backend.xp.asarray(labels.value if hasattr(labels, "value") else labels).astype("int64")
    return labels.reshape(-1, 1) if labels.ndim == 1 else labels


def _masked_logsumexp(values, mask):
    # logsumexp over the entries of each row where `mask` holds; an empty row gives a large negative
    # number (not -inf), so softplus of the sum is 0 and its gradient is 0, not NaN.
    lowest = -1e30 if values.dtype == "float64" else -1e15
    shift = backend.xp.where(mask, values.value, lowest).max(axis=1, keepdims=True)
    shift = backend.xp.where(mask.any(axis=1, keepdims=True), shift, 0.0)
    exponentials = ops.multiply(ops.exp(ops.subtract(values, shift)), mask.astype(values.dtype))
    total = ops.sum(exponentials, axis=1)
    empty = total.value == 0
    safe = ops.add(total, empty.astype(values.dtype))
    return ops.add(ops.log(safe), ops.add(shift[:, 0], empty.astype(values.dtype) * lowest))


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """Per-query circle loss.

    With d = max(1 - y_pred @ ref_embeddings^T, 0) the cosine distances, positive weights
    max(margin + d, 0) on pairs of one label and negative weights max(1 + margin - d, 0) on the others:
    loss = softplus(logsumexp_pos(-gamma w (margin - d)) + logsumexp_neg(gamma w (1 - margin - d))).

    Args:
        y_true: integer labels, shape (batch,) or (batch, 1).
        y_pred: L2-normalized embeddings, shape (batch, dim).
        ref_labels, ref_embeddings: the reference set (default: the batch itself).
        remove_diagonal: leave out each query's pair with itself from the positives.
        gamma: the scale (default 80). margin: the relaxation (default 0.4).
    """
    y_pred = _to_tensor(y_pred)
    if y_pred.value.dtype.kind != "f":
        y_pred = ops.cast(y_pred, backend.floatx())
    labels = _labels(y_true)
    references = y_pred if ref_embeddings is None else _to_tensor(ref_embeddings, y_pred.dtype)
    reference_labels = labels if ref_labels is None else _labels(ref_labels)
    positive = labels == reference_labels.T
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~backend.xp.eye(labels.size, reference_labels.size, dtype=bool)
    distances = ops.maximum(ops.subtract(1.0, ops.matmul(y_pred, ops.transpose(references))), 0.0)
    dtype = y_pred.dtype
    margin, gamma = float(margin), float(gamma)
    positive_weights = ops.maximum(ops.multiply(ops.add(margin, distances), positive.astype(dtype)), 0.0)
    negative_weights = ops.maximum(ops.multiply(ops.subtract(1.0 + margin, distances), negative.astype(dtype)), 0.0)
    positive_terms = ops.multiply(-gamma, ops.multiply(positive_weights, ops.subtract(margin, distances)))
    negative_terms = ops.multiply(gamma, ops.multiply(negative_weights, ops.subtract(1.0 - margin, distances)))
    return ops.softplus(ops.add(_masked_logsumexp(positive_terms, positive), _masked_logsumexp(negative_terms, negative)))


class Circle(LossFunctionWrapper):
    """Circle loss between integer labels and L2-normalized embeddings (metric learning).

    Args:
        gamma: the scale (default 80.0).
        margin: the relaxation (default 0.4).
        remove_diagonal: leave each sample's pair with itself out of the positives (default True).
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle",
                 dtype=None):
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _mask(self, y_true, values):
        # As Keras: only queries with a positive loss count in the mean.
        return values.value > 0
