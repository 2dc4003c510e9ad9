"""Adagrad: per-parameter rates that shrink with the sum of that parameter's squared gradients."""
from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as Keras 3 implements it.

    Slot: accumulator s, starting at `initial_accumulator_value`.

        s = s + g**2
        w = w - learning_rate * g / sqrt(s + epsilon)

    Args:
        learning_rate: float, schedule or callable (default 0.001; the paper's form uses 1.0).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1).
        epsilon: numerical fuzz, inside the square root (default 1e-7).
        **kwargs: the base optimizer's arguments.

    Raises:
        ValueError: for a negative `initial_accumulator_value`.
    """

    _additive_update = True  # update_step only adds to variable.value

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="adagrad", **kwargs):
        super().__init__(**base_arguments(locals()))
        if initial_accumulator_value < 0:
            raise ValueError("`initial_accumulator_value` must be non-negative. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}")
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    keras_slot_groups = [["accumulator"]]

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        accumulator = self._slot(variable, "accumulator")
        accumulator += xp.square(gradient)                   # s = s + g^2
        denominator = accumulator + self.epsilon
        step = learning_rate * gradient
        step /= xp.sqrt(denominator, out=denominator)        # lr * g / sqrt(s + eps)
        variable.value -= step

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
        return config
