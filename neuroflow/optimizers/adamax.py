"""Adamax: Adam with the infinity norm in place of the second moment."""
from neuroflow import backend
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7.1), as Keras 3 implements it.

    Slots: first moment m and exponentially weighted infinity norm u, starting at 0.
    At step t = iterations + 1:

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - learning_rate * m / ((1 - beta_1**t) * (u + epsilon))

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the infinity norm (default 0.999).
        epsilon: numerical fuzz (default 1e-7).
        **kwargs: the base optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="adamax", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

    keras_slot_groups = [["momentum", "norm"]]

    def _slot_specs(self):
        return [("momentum", 0.0), ("norm", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        bias_correction = 1 - self.beta_1 ** (self.iterations + 1)   # 1 - beta_1^t
        m = self._slot(variable, "momentum")
        u = self._slot(variable, "norm")
        m += (gradient - m) * (1 - self.beta_1)                      # first moment
        u *= self.beta_2
        xp.maximum(u, xp.abs(gradient), out=u)                       # u = max(beta_2 u, |g|)
        denominator = u + self.epsilon
        denominator *= bias_correction
        update = learning_rate * m
        update /= denominator
        variable.value -= update

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
