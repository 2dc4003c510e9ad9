"""Lion: the sign of an interpolated momentum, with a second decay for the momentum itself."""
from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Lion(Optimizer):
    """Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"), as Keras 3 implements it.

    Slot: momentum m, starting at 0. Each step:

        w = w - learning_rate * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Every coordinate moves by exactly learning_rate (or 0), so Lion wants a learning rate 3-10x
    smaller than Adam's.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: the interpolation of the update direction, in (0, 1] (default 0.9).
        beta_2: the decay of the momentum (default 0.99).
        **kwargs: the base optimizer's arguments.
    """

    _additive_update = True  # update_step only adds to variable.value

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="lion", **kwargs):
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the (0, 1] range; at 0 Lion degenerates to SignSGD. "
                             f"Received: beta_1={beta_1}")
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)

    keras_slot_groups = [["momentum"]]

    def _slot_specs(self):
        return [("momentum", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        m = self._slot(variable, "momentum")
        direction = m * self.beta_1
        direction += gradient * (1 - self.beta_1)                    # beta_1 m + (1 - beta_1) g
        variable.value -= learning_rate * xp.sign(direction)
        m *= self.beta_2
        m += gradient * (1 - self.beta_2)                            # m = beta_2 m + (1 - beta_2) g

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
