"""Losses that wrap a function returning per-sample values (every built-in loss class is one)."""
from neuroflow.losses.inputs import squeeze_or_expand_to_same_rank
from neuroflow.losses.loss import Loss


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

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

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
            # The name table (neuroflow.losses.get) is built from the loss modules, which import this one.
            from neuroflow.losses import get

            fn = config.pop("fn")
            return cls(get(fn) if isinstance(fn, str) else fn, **config)
        return cls(**config)


def _wrapper_class(class_name, function, default_name, doc, **defaults):
    """A LossFunctionWrapper subclass whose constructor arguments are Keras' for that loss."""
    parameters = list(defaults)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None, **kwargs):
        if len(args) > len(parameters):
            raise TypeError(f"{class_name} takes at most {len(parameters)} positional arguments")
        options = dict(defaults)
        options.update(zip(parameters, args))
        for key, value in kwargs.items():
            if key not in options:
                raise TypeError(f"{class_name} got an unexpected argument {key!r}; "
                                f"accepted: {', '.join(parameters + ['reduction', 'name', 'dtype'])}")
            options[key] = value
        LossFunctionWrapper.__init__(self, function, reduction=reduction, name=name, dtype=dtype, **options)

    # Named after the public package, where pickle and users find every built-in loss class.
    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                     "__module__": "neuroflow.losses"})
    return cls
