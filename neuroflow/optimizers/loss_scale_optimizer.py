"""LossScaleOptimizer: dynamic loss scaling around an inner optimizer, for float16 training loops."""
from neuroflow import backend, ops
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.optimizers.optimizer import Optimizer
from neuroflow.utils import registry
from neuroflow.utils.serialization import deserialize_object, serialize_object

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                  "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Multiplies the loss by a dynamic scale and skips the steps whose gradients overflow.

    `scale_loss(loss)` multiplies by the current scale; `apply` divides the gradients by it again
    and hands them to the inner optimizer when all are finite. After `dynamic_growth_steps`
    finite steps in a row the scale doubles; a step with an inf or NaN gradient is skipped and
    halves the scale. As in Keras, `apply` always unscales: `fit`'s train step scales the loss
    before taking its gradients, and a custom loop must call `scale_loss` itself.

    `dynamic_scale` is a non-trainable scalar Variable (float32, as Keras makes it), so that a
    traced train step (training/traced_step.py) reads its current value at every replay.

    Args:
        inner_optimizer: the optimizer that updates the variables.
        initial_scale: the starting scale (default 2 ** 15).
        dynamic_growth_steps: finite steps before the scale doubles (default 2000).
        name: the optimizer's name.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{argument}`. Instead, set `{argument}` on "
                                 "the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"inner_optimizer must be a neuroflow Optimizer, got {inner_optimizer!r}")
        self.inner_optimizer = inner_optimizer
        super().__init__(learning_rate=0.0, name=name)
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = 0
        # Made here, not in build as Keras does: fit's first step scales the loss before the
        # optimizer is built, and the traced step must see the same Variable from the first step.
        self.dynamic_scale = Variable(self.initial_scale, dtype="float32", trainable=False, name="dynamic_scale")

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if "inner_optimizer" in self.__dict__:   # not the base constructor's placeholder rate
            self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value):
        self.inner_optimizer.iterations = value

    @property
    def variables(self):
        return list(self._variables) + self.inner_optimizer.variables

    def build(self, variables):
        self.inner_optimizer.build(variables)
        self.built = True

    def scale_loss(self, loss):
        """loss * the current scale (take the gradients of this, then call `apply`)."""
        return ops.multiply(loss, self.dynamic_scale)

    def apply(self, grads, trainable_variables=None):
        """Unscales, checks that every gradient is finite, then steps the inner optimizer (or skips)."""
        xp = backend.xp
        grads = list(grads)
        arrays = [None if g is None else (g.value if isinstance(g, Tensor) else xp.asarray(g)) for g in grads]
        if backend.on_device():  # one flag for all of them: one read back to the host, not one per gradient
            present = [a for a in arrays if a is not None]
            finite = bool(xp.stack([xp.isfinite(a).all() for a in present]).all()) if present else True
        else:
            finite = all(bool(xp.isfinite(a).all()) for a in arrays if a is not None)
        scale = self.dynamic_scale.value
        if not finite:
            self.step_counter = 0
            self.dynamic_scale.assign(scale * 0.5)
            return
        arrays = [None if a is None else a / scale.astype(a.dtype) for a in arrays]
        self.inner_optimizer.apply(arrays, trainable_variables)
        if self.step_counter == self.dynamic_growth_steps - 1:
            self.step_counter = 0
            self.dynamic_scale.assign(scale * 2.0)
        else:
            self.step_counter += 1

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def save_own_variables(self, store):
        """The scale and its counter, then the inner optimizer's store under 'inner/<key>'."""
        store["0"] = backend.to_numpy(backend.xp.asarray(self.step_counter, dtype="int64"))
        store["1"] = backend.to_numpy(self.dynamic_scale.value).copy()
        inner = {}
        self.inner_optimizer.save_own_variables(inner)
        store.update({f"inner/{key}": value for key, value in inner.items()})

    def load_own_variables(self, store):
        self.step_counter = int(store["0"])
        self.dynamic_scale.assign(store["1"])
        self.inner_optimizer.load_own_variables({key[6:]: value for key, value in store.items()
                                                 if key.startswith("inner/")})

    def get_config(self):
        return {"name": self.name, "inner_optimizer": serialize_object(self.inner_optimizer, "neuroflow.optimizers"),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["inner_optimizer"] = deserialize_object(
            "optimizer", config["inner_optimizer"], registry.builtins("optimizers"), custom_objects,
            build=lambda target, inner: target.from_config(inner, custom_objects=custom_objects))
        return cls(**config)
