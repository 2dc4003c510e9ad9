"""Muon: momentum orthogonalized by a Newton-Schulz iteration for matrices, AdamW for everything else."""
import re

from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


def _swap_last_axes(x):
    return backend.xp.swapaxes(x, -1, -2)


class Muon(Optimizer):
    """Muon (Jordan et al., 2024, "Muon: an optimizer for hidden layers"), as Keras 3 implements it.

    Variables of rank 2 (not embeddings with `exclude_embeddings`, not matched by `exclude_layers`)
    take the Muon step; every other variable takes an AdamW step at learning_rate * adam_lr_ratio.

    Muon, slot m:

        m = momentum * m + g
        G = g + momentum * m   (nesterov)   or   G = m
        X = G / (||G||_F + 1e-7), transposed so that rows <= columns; then ns_steps times:
            A = X X^T;  X = a X + (b A + c A A) X            (a, b, c = muon_a, muon_b, muon_c)
        w = w - learning_rate * X * sqrt(max(rows, cols)) * rms_rate     (no scaling when rms_rate is None)

    AdamW, slots m and v, at step t:

        m = m + (g - m) (1 - adam_beta_1);  v = v + (g^2 - v) (1 - adam_beta_2)
        w = w - lr sqrt(1 - adam_beta_2^t) / (1 - adam_beta_1^t) * m / (sqrt(v) + epsilon)

    Weight decay before the step: w = w - w * decay * learning_rate, with `weight_decay` for the
    Muon variables and `adam_weight_decay` for the others.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        adam_beta_1, adam_beta_2, epsilon, adam_weight_decay, adam_lr_ratio: the AdamW part.
        weight_decay: the decay of the Muon variables (default 0.004).
        exclude_layers: regular expressions; variables whose path matches one use AdamW.
        exclude_embeddings: variables with 'embedding' in their path use AdamW (default True).
        muon_a, muon_b, muon_c: the Newton-Schulz coefficients. ns_steps: its iterations (default 5).
        momentum: the Muon momentum (default 0.95). nesterov: Nesterov's variant (default True).
        rms_rate: the update scale (default 0.2).
        **kwargs: the base optimizer's arguments.
    """

    _variable_keyed_state = ("_moments",)  # id(variable) -> state: re-keyed when unpickled

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004, epsilon=1e-7,
                 weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="muon", exclude_layers=None, exclude_embeddings=True, muon_a=3.4445, muon_b=-4.775, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(**base_arguments(locals()))
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate
        self._moments = {}

    def _should_use_adamw(self, variable):
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", None) or variable.name)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables):
        """The base slots, then each variable's momentum (and velocity for the AdamW ones), in Keras' order."""
        variables = [v for v in variables if id(v) not in self._trainable_variables_indices]
        super().build(variables)
        for variable in variables:
            moments = {"m": self.add_variable_from_reference(variable, "momentum")}
            if self._should_use_adamw(variable):
                moments["v"] = self.add_variable_from_reference(variable, "velocity")
            self._moments[id(variable)] = moments

    def _apply_weight_decay(self, variables, learning_rate):
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            decay = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if decay is not None:
                variable.value -= variable.value * (decay * learning_rate)

    def _orthogonalized(self, x):
        xp = backend.xp
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last_axes(x)
        x = x / (xp.sqrt((x * x).sum(axis=(-2, -1), keepdims=True)) + 1e-7)
        for _ in range(self.ns_steps):
            gram = x @ _swap_last_axes(x)
            x = self.muon_a * x + (self.muon_b * gram + self.muon_c * gram @ gram) @ x
        return _swap_last_axes(x) if tall else x

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        moments = self._moments[id(variable)]
        m = moments["m"].value
        if "v" in moments:
            v = moments["v"].value
            step = self.iterations + 1
            rate = learning_rate * self.adam_lr_ratio
            alpha = rate * (1 - self.adam_beta_2 ** step) ** 0.5 / (1 - self.adam_beta_1 ** step)
            m += (gradient - m) * (1 - self.adam_beta_1)
            v += (gradient * gradient - v) * (1 - self.adam_beta_2)
            variable.value -= m * alpha / (xp.sqrt(v) + self.epsilon)
            return
        m += gradient + m * (self.momentum - 1)                       # m = momentum * m + g
        direction = gradient + self.momentum * m if self.nesterov else m
        update = learning_rate * self._orthogonalized(direction)
        if self.rms_rate is not None:
            update = update * (max(update.shape[0], update.shape[1]) ** 0.5 * self.rms_rate)
        variable.value -= update.astype(variable.value.dtype, copy=False)

    def get_config(self):
        config = super().get_config()
        config.update({"adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                       "exclude_layers": self.exclude_layers, "muon_a": self.muon_a, "muon_b": self.muon_b,
                       "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                       "ns_steps": self.ns_steps, "nesterov": self.nesterov, "exclude_embeddings": self.exclude_embeddings,
                       "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate})
        return config
