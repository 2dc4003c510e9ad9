"""Lamb: Adam's step rescaled per variable by the trust ratio ||w|| / ||step||."""
from neuroflow import backend
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Lamb(Optimizer):
    """Lamb (You et al., 2019, "Large Batch Optimization for Deep Learning"), as Keras 3 implements it.

    Slots: first moment m and second moment v, starting at 0. At step t = iterations + 1:

        m = m + (g - m) * (1 - beta_1)
        v = v + (g^2 - v) * (1 - beta_2)
        r = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)
        ratio = ||w|| / ||r||   (1 where either norm is 0; norms over the whole variable)
        w = w - learning_rate * ratio * r

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: numerical fuzz (default 1e-7).
        **kwargs: the base optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="lamb", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

    keras_slot_groups = [["momentum", "velocity"]]

    def _slot_specs(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        step = self.iterations + 1
        m = self._slot(variable, "momentum")
        v = self._slot(variable, "velocity")
        m += (gradient - m) * (1 - self.beta_1)
        v += (gradient * gradient - v) * (1 - self.beta_2)
        update = m / (1 - self.beta_1 ** step)
        update /= xp.sqrt(v / (1 - self.beta_2 ** step)) + self.epsilon
        weight_norm = xp.sqrt((variable.value * variable.value).sum())
        update_norm = xp.sqrt((update * update).sum())
        if not backend.on_device():
            weight_norm, update_norm = float(weight_norm), float(update_norm)
            ratio = weight_norm / update_norm if weight_norm > 0 and update_norm > 0 else 1.0   # the trust ratio
            variable.value -= (ratio * learning_rate) * update
            return
        # On a device the same ratio in float64, without waiting to read the norms back.
        weight_norm, update_norm = weight_norm.astype("float64"), update_norm.astype("float64")
        usable = (weight_norm > 0) & (update_norm > 0)
        ratio = xp.where(usable, weight_norm / xp.where(usable, update_norm, 1.0), 1.0)
        variable.value -= (ratio * learning_rate).astype(update.dtype) * update

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
