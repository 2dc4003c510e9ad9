"""Generalized cross-entropy (Zhang and Sabuncu, 2018): (1 - p^q) / q for the true class' probability p.

Between cross-entropy (q -> 0) and mean absolute error (q = 1), robust to noisy labels.
"""
from neuroflow import backend, ops
from neuroflow.losses.loss import LossFunctionWrapper, _to_tensor


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Per-sample (1 - p^q) / q, with p = y_pred[i, y_true[i]].

    Args:
        y_true: integer class indices, shape (batch,) or (batch, 1).
        y_pred: class probabilities, shape (batch, classes).
        q: in (0, 1).

    Example: y_true [1], y_pred [[0.2, 0.8]], q=0.5 -> (1 - sqrt(0.8)) / 0.5 = 0.2111.
    """
    y_pred = _to_tensor(y_pred)
    if y_pred.value.dtype.kind != "f":
        y_pred = ops.cast(y_pred, backend.floatx())
    labels = backend.xp.asarray(y_true.value if hasattr(y_true, "value") else y_true).astype("int64")
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    one_hot = ops.cast(ops.one_hot(labels, y_pred.shape[-1]), y_pred.dtype)
    probability = ops.sum(ops.multiply(y_pred, one_hot), axis=-1)
    q = float(q)
    return ops.divide(ops.subtract(1.0, ops.power(probability, q)), q)


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy over integer labels, (1 - p^q) / q per sample.

    Args:
        q: the noise parameter in (0, 1) (default 0.5): near 0 like cross-entropy, near 1 like MAE.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy expects q in the open interval (0, 1), got q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype, q=q)
        self.q = q

    def call(self, y_true, y_pred):
        # Integer labels against (batch, classes): no rank reconciliation with y_pred.
        return self.fn(y_true, y_pred, **self._fn_kwargs)
