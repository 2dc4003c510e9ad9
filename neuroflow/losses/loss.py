"""The Loss base class and what every loss shares: its inputs, its reduction, the function wrapper.

`Loss.__call__` brings y_true / y_pred to Tensors of one shape (y_pred keeps its identity for the
tape, y_true takes its dtype, and ranks that differ by a trailing axis of size 1 are reconciled as
Keras' `squeeze_or_expand_to_same_rank` does), has `call` give per-sample values, then weights and
reduces them as Keras' `reduce_weighted_values` does. Every built-in loss class is a
`LossFunctionWrapper` around the loss function of the same name.
"""
from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor
from neuroflow.utils import registry
from neuroflow.utils.errors import shape_text, unknown_name_error
from neuroflow.utils.naming import to_snake_case
from neuroflow.utils.options import bind_options

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---- inputs ----------------------------------------------------------------------------------

def _to_tensor(x, dtype=None):
    """A Tensor for `x`, keeping the same object when it already is one of the dtype (tape identity)."""
    if isinstance(x, Tensor):
        if dtype is None or x.dtype == dtype:
            return x
        return _carry_logits(x, ops.cast(x, dtype), lambda t: ops.cast(t, dtype))
    value = backend.xp.asarray(x)
    if dtype is None and value.dtype.kind != "f":
        dtype = backend.floatx()
    if dtype is not None and value.dtype != dtype:
        # An op, not astype: a traced training step then converts every batch's labels.
        return ops.cast(value, dtype)
    return Tensor(value)


def _class_labels(y_true, dtype=None):
    """A Tensor for integer class labels: integers stay integers, anything else is cast to `dtype`.

    Keras casts every y_true to the loss' float dtype, and the sparse kernels cast it back to
    integers; keeping integer labels as they are gives the same labels (exactly so below 2**24,
    where float32 stops holding every integer) without two array passes and an op per step.
    """
    value = y_true.value if isinstance(y_true, Tensor) else backend.xp.asarray(y_true)
    if value.dtype.kind in "iu":
        return y_true if isinstance(y_true, Tensor) else Tensor(value)
    return _to_tensor(y_true, dtype)


def _pair(y_true, y_pred):
    """Tensors for a loss function's inputs: y_pred as given (float), y_true cast to its dtype."""
    y_pred = _to_tensor(y_pred)
    if y_pred.value.dtype.kind != "f":
        y_pred = ops.cast(y_pred, backend.floatx())
    return _to_tensor(y_true, y_pred.dtype), y_pred


def _carry_logits(original, new, transform):
    """Keeps a softmax/sigmoid output's remembered logits through a reshape of that output."""
    remembered = getattr(original, "_softmax_logits", None)
    if remembered is not None and new is not original:
        new._softmax_logits = (remembered[0], transform(remembered[1]))
    return new


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Reconciles ranks that differ by one trailing axis of size 1, as Keras does.

    When one tensor has one more axis than the other and that last axis has size 1, it is squeezed;
    except that a rank-1 partner is expanded instead (with `expand_rank_1`), so labels (32,) meet
    predictions (32, 1) as (32, 1). Anything else is returned unchanged.

    Returns:
        (x1, x2), possibly reshaped.
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = _carry_logits(x2, ops.expand_dims(x2, -1), lambda t: ops.expand_dims(t, -1))
        else:
            x1 = _carry_logits(x1, ops.squeeze(x1, -1), lambda t: ops.squeeze(t, -1))
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = _carry_logits(x1, ops.expand_dims(x1, -1), lambda t: ops.expand_dims(t, -1))
        else:
            x2 = _carry_logits(x2, ops.squeeze(x2, -1), lambda t: ops.squeeze(t, -1))
    return x1, x2


def _same_shape(name, y_true, y_pred, hint=""):
    """Reconciles trailing size-1 axes, then refuses any remaining shape difference."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name} expects y_true and y_pred of the same shape, but got y_true "
                         f"{shape_text(y_true.shape)} and y_pred {shape_text(y_pred.shape)}; they would "
                         f"broadcast to a wrong loss.{hint}")
    return y_true, y_pred


def _last_axis(axis, ndim):
    return axis == -1 or axis == ndim - 1


# ---- reduction -------------------------------------------------------------------------------

def _standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid reduction {reduction!r}: expected one of "
                         f"{', '.join(repr(r) for r in REDUCTIONS)}")
    return reduction


def _weights_like(values, sample_weight):
    """Brings `sample_weight` to a shape that multiplies `values` element by element (or fails)."""
    values_shape, weight_shape = tuple(values.shape), tuple(sample_weight.shape)
    if weight_shape == values_shape or weight_shape == ():
        return values, sample_weight
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    weight_shape, values_shape = tuple(sample_weight.shape), tuple(values.shape)
    # Per-sample weights for a loss that keeps more axes (a sequence loss, say) apply to all of them.
    while len(weight_shape) < len(values_shape):
        sample_weight = ops.expand_dims(sample_weight, -1)
        weight_shape = weight_shape + (1,)
    if len(weight_shape) != len(values_shape) or any(w not in (1, v) for w, v in zip(weight_shape, values_shape)):
        raise ValueError(f"sample_weight of shape {shape_text(sample_weight.shape)} does not fit the "
                         f"per-sample losses of shape {shape_text(values.shape)}; pass one weight per "
                         "sample (shape (batch,)) or one per loss element.")
    return values, sample_weight


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Applies sample weights (and a mask) to per-sample losses, then reduces them as Keras does.

    'sum' sums; 'sum_over_batch_size' and 'mean' divide the weighted sum by the number of loss
    elements; 'mean_with_sample_weight' divides by the sum of the weights; 'none' / None keep the
    weighted values. A mask (ignored labels) counts only its valid entries in the divisor.
    """
    reduction = _standardize_reduction(reduction)
    dtype = values.dtype
    if mask is not None:
        mask = Tensor(mask.astype(dtype))
        if reduction in ("sum_over_batch_size", "mean"):
            # valid entries weigh total / valid, so the mean over all entries is the mean over valid ones
            total = mask.value.size
            valid = float(mask.value.sum())
            mask = Tensor(mask.value * (total / (valid + backend.epsilon())))
        if sample_weight is None:
            sample_weight = mask
        else:
            sample_weight = _to_tensor(sample_weight, dtype)
            mask, sample_weight = _weights_like(mask, sample_weight)
            sample_weight = ops.multiply(sample_weight, mask)
    if sample_weight is not None:
        sample_weight = _to_tensor(sample_weight, dtype)
        values, sample_weight = _weights_like(values, sample_weight)
        values = ops.multiply(values, sample_weight)
    if reduction in ("none", None) or values.ndim == 0:
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        weight_total = float(backend.xp.broadcast_to(sample_weight.value, values.shape).sum())
        return ops.divide(ops.sum(values), weight_total) if weight_total else ops.multiply(ops.sum(values), 0.0)
    if values.size == 0:
        return ops.sum(values)
    return ops.mean(values)


# ---- the base class and the function wrapper --------------------------------------------------

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

    # Whether y_true holds integer class labels, kept as integers (_class_labels): a loss function
    # taking them says so with a `class_labels = True` attribute (sparse_categorical_crossentropy).
    class_labels = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("losses", cls)

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or to_snake_case(type(self).__name__, capital_after_digit_starts_word=True)
        self.reduction = _standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self):
        return self._dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss (a scalar Tensor unless reduction is 'none')."""
        y_pred = _to_tensor(y_pred, self.dtype)
        y_true = _class_labels(y_true, self.dtype) if self.class_labels else _to_tensor(y_true, self.dtype)
        if sample_weight is None and self.reduction in ("sum_over_batch_size", "mean"):
            mean = self._batch_mean(y_true, y_pred)
            if mean is not None:
                return mean
        values = self.call(y_true, y_pred)
        values = _to_tensor(values, self.dtype)
        return reduce_weighted_values(values, sample_weight, mask=self._mask(y_true, values),
                                      reduction=self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _batch_mean(self, y_true, y_pred):
        """The unweighted mean of `call`'s values computed as one op, or None to compute it as
        `call` then the mean. A loss whose kernel can fold the mean in (sparse categorical
        cross-entropy) saves the mean op's forward and backward on every training step."""
        return None

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


class LossFunctionWrapper(Loss):
    """A `Loss` around a function fn(y_true, y_pred, **kwargs) that returns per-sample values.

    Args:
        fn: the loss function.
        reduction, name, dtype: as for `Loss` (name defaults to fn's name).
        **kwargs: passed to fn on every call.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self.class_labels = getattr(fn, "class_labels", False)  # set on the sparse functions

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _batch_mean(self, y_true, y_pred):
        batch_mean = getattr(self.fn, "batch_mean", None)  # set on functions with a fused mean
        if batch_mean is None or type(self).call is not LossFunctionWrapper.call:
            return None  # a subclass' own call decides the per-sample losses
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return batch_mean(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = {"name": self.name, "reduction": self.reduction, "dtype": self._dtype}
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper:
            fn = config.pop("fn")
            return cls(_loss_function(fn) if isinstance(fn, str) else fn, **config)
        return cls(**config)


def _loss_function(name):
    """The loss a saved wrapper's `fn` names, from the losses' table in the registry (as losses.get reads it)."""
    known = registry.builtins("losses")
    if name not in known:
        raise unknown_name_error("loss identifier", name, known)
    found = known[name]
    return found() if isinstance(found, type) else found


def _wrapper_class(class_name, function, default_name, doc, **defaults):
    """A LossFunctionWrapper subclass whose constructor arguments are Keras' for that loss."""
    parameters = list(defaults)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None, **kwargs):
        if len(args) > len(parameters):
            raise TypeError(f"{class_name} takes at most {len(parameters)} positional arguments")
        options = bind_options(class_name, defaults, args, kwargs, parameters + ["reduction", "name", "dtype"])
        LossFunctionWrapper.__init__(self, function, reduction=reduction, name=name, dtype=dtype, **options)

    # Named after the public package, where pickle and users find every built-in loss class.
    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                     "__module__": "neuroflow.losses"})
    return cls
