"""The base class of losses: `call` gives per-sample values, `__call__` weights and reduces them."""
from neuroflow import backend
from neuroflow.losses.inputs import _to_tensor
from neuroflow.losses.reduction import _standardize_reduction, reduce_weighted_values


class Loss:
    """Base class of losses: `call` gives per-sample values, `__call__` weights and reduces them.

    Subclass and implement `call(y_true, y_pred)`:

        class MyLoss(neuroflow.losses.Loss):
            def call(self, y_true, y_pred):
                return ops.mean(ops.square(y_pred - y_true), axis=-1)

    Args:
        name: the loss' name (defaults to the snake_case class name).
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight',
            'none' or None.
        dtype: the dtype the inputs are cast to (default: backend.floatx()).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = _standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self):
        return self._dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss (a scalar Tensor unless reduction is 'none')."""
        y_pred = _to_tensor(y_pred, self.dtype)
        y_true = _to_tensor(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        values = _to_tensor(values, self.dtype)
        return reduce_weighted_values(values, sample_weight, mask=self._mask(y_true, values),
                                      reduction=self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _mask(self, y_true, values):
        """A boolean array of valid loss entries, or None (see SparseCategoricalCrossentropy)."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def _snake_case(name):
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper() or
                                         (index + 1 < len(name) and name[index + 1].islower())):
            out.append("_")
        out.append(char.lower())
    return "".join(out)
