"""The metric base class and the streaming reductions every other metric builds on.

A metric keeps non-trainable Variables (its state), adds each batch with `update_state`, reports
with `result()` (a scalar Tensor; `float(metric.result())` gives the number) and starts over with
`reset_state()`. Metrics compute on the backend arrays of their inputs, never on the tape: a metric
updated inside a GradientTape records nothing and costs no gradient bookkeeping.
"""
import functools

from neuroflow import backend
from neuroflow.engine import trace
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.utils import registry
from neuroflow.utils.errors import shape_text, unknown_name_error
from neuroflow.utils.naming import to_snake_case
from neuroflow.utils.options import bind_options


def to_array(x, dtype=None):
    """The backend array behind `x` (a Tensor, array, list or number), detached from any tape."""
    value = backend.xp.asarray(x.value if isinstance(x, Tensor) else x)
    if dtype is not None and value.dtype != dtype:
        value = value.astype(dtype)
    return value


def reads_arrays(function):
    """Marks a metric function that computes on its inputs' arrays only (no ops, no remembered logits).

    MeanMetricWrapper then hands it the arrays themselves instead of fresh detached Tensors: the
    accuracies run every training step, and two Tensors per call are a third of their cost.
    """
    function.reads_arrays = True
    return function


def counts_matches(matches):
    """Marks an accuracy function with its `matches(y_true, y_pred, **kwargs)`: the same comparison on
    arrays, as booleans instead of 1.0 / 0.0.

    MeanMetricWrapper then counts the matches of an unweighted batch (an integer, exact) instead of
    summing their float copies: the same total, since a sum of ones is exact below 2**24 in
    float32 and float64, at two thirds of the cost of an accuracy update every training step.
    """
    def mark(function):
        function.matches = matches
        return reads_arrays(function)
    return mark


def detached(x):
    """A fresh Tensor with `x`'s value, unknown to every tape; a remembered softmax/sigmoid input
    (activations' logits shortcut) is carried over, detached too."""
    tensor = Tensor(to_array(x))
    remembered = getattr(x, "_softmax_logits", None)
    if remembered is not None and isinstance(remembered[1], Tensor):
        tensor._softmax_logits = (remembered[0], Tensor(remembered[1].value))
    return tensor


def squeeze_or_expand(x1, x2):
    """Arrays version of losses.squeeze_or_expand_to_same_rank (trailing size-1 axis reconciled)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Per-sample values (and weights) for streaming reductions, as Keras computes them.

    Values are reduced with `reduce_fn` over the axes the weights lack, then weighted; values with
    more than one axis left are reduced to one value per sample.

    Returns:
        (values, sample_weight): arrays; sample_weight is None when none was given.
    """
    xp = backend.xp
    values = to_array(values, dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        try:
            sample_weight = xp.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(f"sample_weight of shape {shape_text(sample_weight.shape)} does not fit values of "
                             f"shape {shape_text(values.shape)}; pass one weight per sample") from None
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def snake_case(name):
    """A metric's default name: 'TopKCategoricalAccuracy' -> 'top_k_categorical_accuracy', 'AUC' -> 'auc'.

    The one rule of utils/naming.py, with the option metrics have always named themselves by
    (a capital after a digit starts a word).
    """
    return to_snake_case(name, capital_after_digit_starts_word=True)


# The metric functions by name ('binary_accuracy', 'mean_squared_error', ...), for configs that name
# their function. metrics/__init__.py fills it once every family module is imported; those modules
# import this one, so this one cannot import them.
FUNCTIONS = {}


def get_function(name):
    """The metric function for a name ('binary_accuracy', 'mean_squared_error', ...)."""
    if name not in FUNCTIONS:
        raise unknown_name_error("metric function", name, FUNCTIONS)
    return FUNCTIONS[name]


def _reported_to_tracer(update_state):
    """Wraps a metric's update_state so that a traced training step sees it.

    Metric state is written in place, outside any op; a metric updated inside the forward pass
    (a custom `compute_loss` that feeds a tracker, say) would be updated only while tracing, not
    on replays. The step therefore stays eager (engine/trace.py) whenever that happens.
    """
    @functools.wraps(update_state)
    def reported(self, *args, **kwargs):
        if trace.active is not None:
            trace.active.refuse(f"metric '{self.name}' is updated during the forward pass")
        return update_state(self, *args, **kwargs)

    return reported


class Metric:
    """Base class of metrics: state Variables, `update_state`, `result`, `reset_state`.

    Subclass and implement `update_state(...)` and `result()`, creating state in `__init__` with
    `add_variable`:

        class Count(neuroflow.metrics.Metric):
            def __init__(self, name="count", dtype=None):
                super().__init__(name=name, dtype=dtype)
                self.count = self.add_variable(shape=(), name="count")
            def update_state(self, y_true, y_pred, sample_weight=None):
                self.count.assign_add(len(y_true))
            def result(self):
                return self.count

    Args:
        name: the metric's name (its key in History); defaults to the snake_case class name.
        dtype: the dtype of the state (default: backend.floatx()).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("metrics", cls)
        if "update_state" in cls.__dict__:
            cls.update_state = _reported_to_tracer(cls.__dict__["update_state"])

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self._dtype = dtype
        self._variables = []

    @property
    def dtype(self):
        return str(self._dtype or backend.floatx())

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A non-trainable state Variable, tracked in `variables` and zeroed by `reset_state`."""
        shape = tuple(shape)
        dtype = dtype or self.dtype
        if initializer not in ("zeros", None):
            raise ValueError(f"Metric '{self.name}': add_variable supports initializer='zeros' only, "
                             f"got {initializer!r}")
        variable = Variable(backend.xp.zeros(shape, dtype=dtype), dtype=dtype, trainable=False,
                            name=f"{self.name}/{name}" if name else None)
        self._variables.append(variable)
        return variable

    add_weight = add_variable

    @property
    def variables(self):
        """The state Variables (non-trainable)."""
        return list(self._variables)

    non_trainable_variables = variables

    @property
    def trainable_variables(self):
        return []

    def reset_state(self):
        """Sets every state Variable back to zero."""
        for variable in self._variables:
            variable.value[...] = 0

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class Sum(Metric):
    """The running (weighted) sum of the given values.

    Example: Sum() updated with [1, 3, 5, 7] gives 16.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, backend.xp.sum, self.dtype)
        self.total.value[...] += values.sum()

    def result(self):
        return Tensor(self.total.value.copy())


def _add_to_state(state, amount):
    """state += amount for a 0-d state array. On the host through its scalar: NumPy promotes and
    rounds the scalar sum as it does the in-place ufunc (the same bits, under NumPy 1 and 2 alike),
    at a sixth of the cost (0.2 us against 1.2 us here); the loss and the accuracy each add to two
    states every step. On a device, in place (a scalar read would wait for the GPU)."""
    if backend.on_device():
        backend.xp.add(state, amount, out=state)
    else:
        state[()] = state[()] + amount


class Mean(Metric):
    """The running weighted mean: sum(w * v) / sum(w) over everything seen since the last reset.

    Values with several axes count as one per-sample mean each; sample weights default to 1.

    Example: Mean() updated with [1, 3, 5, 7] and weights [1, 1, 0, 0] gives 2.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values, sample_weight=None):
        if isinstance(sample_weight, (int, float)) and getattr(values, "ndim", None) == 0:
            # One scalar with a scalar weight (the loss tracker, every step): no array reductions,
            # and on a device no float() either (it would wait for the GPU); both round the same.
            _add_to_state(self.total.value, values * sample_weight if backend.on_device() else float(values) * sample_weight)
            _add_to_state(self.count.value, sample_weight)
            return
        xp = backend.xp
        if sample_weight is None:
            values = to_array(values, self.dtype)
            if values.ndim == 1:
                # One value per sample, unweighted (an accuracy, every step): two in-place adds, nothing else.
                _add_to_state(self.total.value, xp.add.reduce(values, axis=0))
                _add_to_state(self.count.value, values.shape[0])
                return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, xp.mean, self.dtype)
        self.total.value[...] += values.sum()
        if sample_weight is not None:
            self.count.value[...] += sample_weight.sum()
        else:
            self.count.value[...] += values.shape[0] if values.ndim >= 1 else 1

    def result(self):
        count = self.count.value
        # divide_no_nan: an empty metric reports 0, as Keras does (on a device without testing count on the host).
        if backend.on_device():
            mean = backend.xp.where(count != 0, self.total.value / backend.xp.where(count != 0, count, 1), 0)
        else:
            mean = self.total.value / count if count else self.total.value * 0
        return Tensor(backend.xp.asarray(mean, dtype=self.dtype))


# States in which a batch's count of matches adds exactly as the sum of its 1.0 / 0.0 values would.
_EXACT_COUNT_DTYPES = ("float32", "float64")


class MeanMetricWrapper(Mean):
    """The weighted mean of a function's per-sample values fn(y_true, y_pred, **kwargs).

    Any plain function used as a metric is wrapped this way; its name becomes the metric's name.

    Args:
        fn: function of (y_true, y_pred) returning per-sample values.
        name: defaults to fn's name.
        dtype: state dtype.
        **kwargs: passed to fn on every update.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        matches = getattr(self._fn, "matches", None)
        if matches is not None and sample_weight is None and self.dtype in _EXACT_COUNT_DTYPES:
            hits = matches(to_array(y_true), to_array(y_pred), **self._fn_kwargs)
            # One match per sample (a (batch, 1) one too: the mean over that axis is the match itself).
            if hits.ndim and hits.size == hits.shape[0] < 1 << 24 and not backend.on_device():
                _add_to_state(self.total.value, int(backend.xp.count_nonzero(hits)))
                _add_to_state(self.count.value, hits.shape[0])
                return
            return super().update_state(hits.astype(backend.floatx()))  # what the function itself returns
        if getattr(self._fn, "reads_arrays", False):  # no tape to keep out: hand it the arrays (see reads_arrays)
            values = self._fn(to_array(y_true), to_array(y_pred), **self._fn_kwargs)
        else:
            values = self._fn(detached(y_true), detached(y_pred), **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"name": self.name, "dtype": self._dtype}
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:
            fn = config.pop("fn")
            if isinstance(fn, str):
                fn = get_function(fn)
            return cls(fn, **config)
        return cls(**config)


def wrapper_class(class_name, function, default_name, doc, module, **defaults):
    """A MeanMetricWrapper subclass whose constructor takes Keras' arguments for that metric."""
    parameters = list(defaults)

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        if len(args) > len(parameters):
            raise TypeError(f"{class_name} takes at most {len(parameters)} positional arguments "
                            f"({', '.join(parameters) or 'none'}) besides name and dtype")
        options = bind_options(class_name, defaults, args, kwargs, parameters + ["name", "dtype"])
        MeanMetricWrapper.__init__(self, function, name=name, dtype=dtype, **options)

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc, "__module__": module})
