"""FTRL-Proximal: "Follow The Regularized Leader", for wide sparse linear models."""
from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), as Keras 3 implements it.

    Slots: accumulator n (starting at `initial_accumulator_value`) and linear z (starting at 0).
    With p = -learning_rate_power, l1 = l1_regularization_strength,
    l2 = l2_regularization_strength + beta / (2 * learning_rate),
    s = l2_shrinkage_regularization_strength:

        g_shrunk = g + 2 * s * w
        n_new = n + g**2                                       # the shrinkage never enters n
        z = z + g_shrunk - (n_new**p - n**p) / learning_rate * w
        quadratic = n_new**p / learning_rate + 2 * l2
        w = (clip(z, -l1, l1) - z) / quadratic                 # 0 where |z| <= l1
        n = n_new

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        learning_rate_power: <= 0; how the rate falls with n (default -0.5; 0 for a fixed rate).
        initial_accumulator_value: >= 0 (default 0.1).
        l1_regularization_strength: >= 0 (default 0.0).
        l2_regularization_strength: >= 0 (default 0.0), the stabilizing L2 of the paper.
        l2_shrinkage_regularization_strength: >= 0 (default 0.0), an L2 penalty on the magnitude.
        beta: the paper's beta (default 0.0).
        **kwargs: the base optimizer's arguments.

    Raises:
        ValueError: for a positive `learning_rate_power` or a negative strength or accumulator.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="ftrl", **kwargs):
        super().__init__(**base_arguments(locals()))
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. "
                             f"Received: learning_rate_power={learning_rate_power}.")
        for key, value in (("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{key}` needs to be positive or zero. Received: {key}={value}.")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    keras_slot_groups = [["accumulator", "linear"]]

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value), ("linear", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        weights = variable.value
        accumulator = self._slot(variable, "accumulator")
        linear = self._slot(variable, "linear")
        shrunk_gradient = gradient + (2 * self.l2_shrinkage_regularization_strength) * weights
        new_accumulator = accumulator + xp.square(gradient)       # n + g^2
        new_power = xp.power(new_accumulator, power)               # n_new^p
        sigma = (new_power - xp.power(accumulator, power)) / learning_rate
        linear += shrunk_gradient - sigma * weights               # z
        quadratic = new_power / learning_rate + 2 * l2
        weights[...] = (xp.clip(linear, -l1, l1) - linear) / quadratic
        accumulator[...] = new_accumulator

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config
