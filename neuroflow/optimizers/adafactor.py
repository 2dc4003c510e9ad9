"""Adafactor: Adam-like steps from a factored (row and column) second moment, relative to the weights' scale."""
from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


def _rms(x):
    """sqrt(mean(x^2)): a Python float on the host; on a device a 0-d float64 array (no wait to read it)."""
    rms = backend.xp.sqrt((x * x).mean())
    return rms.astype("float64") if backend.on_device() else float(rms)


def _at_least(floor, value):
    """max(floor, value) as Python's max gives it (NaN yields the floor), for a float or a 0-d device array."""
    return max(floor, value) if isinstance(value, float) else backend.xp.fmax(value, floor)


def _in_dtype(factor, dtype):
    """A Python float as it is (NumPy casts it to the array's dtype); a 0-d device array cast to `dtype` likewise."""
    return factor if isinstance(factor, float) else factor.astype(dtype)


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), as Keras 3 implements it.

    A variable with two or more axes keeps a row moment r (its shape without the last axis) and a
    column moment c (without the second to last), not a full second moment; a vector keeps a full
    moment v. At step t = iterations + 1, with G = g^2 + epsilon_1:

        rho = min(learning_rate, 1 / sqrt(t))
        alpha = max(epsilon_2, rms(w)) * rho
        beta = 1 - t ** beta_2_decay
        matrices: r = beta r + (1 - beta) mean(G, axis=-1);  c = beta c + (1 - beta) mean(G, axis=-2)
                  v = (r / mean(r, axis=-1)) [..., None] * c[..., None, :]
        vectors:  v = beta v + (1 - beta) G
        u = g / sqrt(v);  u = u / max(1, rms(u) / clip_threshold)
        w = w - alpha * u

    Args:
        learning_rate: float, schedule or callable (default 0.001); capped at 1 / sqrt(t).
        beta_2_decay: the exponent of the moments' decay schedule (default -0.8).
        epsilon_1: added to g^2 (default 1e-30).
        epsilon_2: the floor of the weights' rms in the step size (default 1e-3).
        clip_threshold: the update's rms is clipped to this (default 1.0).
        relative_step: kept for Keras' signature; the step is relative in either case, as in Keras 3.
        **kwargs: the base optimizer's arguments.
    """

    _variable_keyed_state = ("_factored",)  # id(variable) -> state: re-keyed when unpickled

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=0.001, clip_threshold=1.0,
                 relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adafactor", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_2_decay = float(beta_2_decay)
        self.epsilon_1 = float(epsilon_1)
        self.epsilon_2 = float(epsilon_2)
        self.clip_threshold = float(clip_threshold)
        self.relative_step = bool(relative_step)
        self._factored = {}

    def build(self, variables):
        """The base slots, then r and c (matrices) and v for each variable, in Keras' order."""
        variables = [v for v in variables if id(v) not in self._trainable_variables_indices]
        super().build(variables)
        for variable in variables:
            moments = {}
            if len(variable.shape) >= 2:
                shape = tuple(variable.shape)
                moments["r"] = self.add_variable(shape[:-1], dtype=variable.dtype, name=f"{variable.name}_r")
                moments["c"] = self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype, name=f"{variable.name}_c")
            moments["v"] = self.add_variable_from_reference(variable, "velocity")
            self._factored[id(variable)] = moments

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        step = self.iterations + 1
        moments = self._factored[id(variable)]
        rho = min(float(learning_rate), 1.0 / step ** 0.5)
        alpha = _at_least(self.epsilon_2, _rms(variable.value)) * rho
        regulated = gradient * gradient + self.epsilon_1
        beta = 1.0 - step ** self.beta_2_decay
        v = moments["v"].value
        if "r" in moments:
            r, c = moments["r"].value, moments["c"].value
            r[...] = beta * r + (1 - beta) * regulated.mean(axis=-1)
            c[...] = beta * c + (1 - beta) * regulated.mean(axis=-2)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v[...] = beta * v + (1 - beta) * regulated
        update = gradient / xp.sqrt(v)
        update /= _in_dtype(_at_least(1.0, _rms(update) / self.clip_threshold), update.dtype)
        variable.value -= _in_dtype(alpha, update.dtype) * update

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                       "clip_threshold": self.clip_threshold, "relative_step": self.relative_step})
        return config
