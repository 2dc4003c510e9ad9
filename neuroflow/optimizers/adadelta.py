"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from neuroflow import backend
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as Keras 3 implements it.

    Slots: accumulated squared gradient E[g^2] and accumulated squared update E[dx^2], both 0
    at the start. With rms(x) = sqrt(x + epsilon):

        E[g^2] = rho * E[g^2] + (1 - rho) * g**2
        dx = -rms(E[dx^2]) * g / rms(E[g^2])
        E[dx^2] = rho * E[dx^2] + (1 - rho) * dx**2
        w = w + learning_rate * dx

    Args:
        learning_rate: float, schedule or callable (default 0.001; the paper's form uses 1.0).
        rho: decay rate of the running averages (default 0.95).
        epsilon: numerical fuzz (default 1e-7).
        **kwargs: the base optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adadelta", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.rho = float(rho)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, rho=self.rho, epsilon=self.epsilon)

    keras_slot_groups = [["accumulated_grad", "accumulated_delta_var"]]

    def _slot_specs(self):
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        rho = self.rho
        accumulated_grad = self._slot(variable, "accumulated_grad")
        accumulated_delta = self._slot(variable, "accumulated_delta_var")
        accumulated_grad *= rho
        accumulated_grad += (1 - rho) * xp.square(gradient)         # E[g^2]
        delta = xp.sqrt(accumulated_delta + self.epsilon)          # rms(E[dx^2]) (previous step's)
        delta *= gradient
        delta /= xp.sqrt(accumulated_grad + self.epsilon)          # / rms(E[g^2])
        xp.negative(delta, out=delta)                              # dx
        accumulated_delta *= rho
        accumulated_delta += (1 - rho) * xp.square(delta)          # E[dx^2]
        delta *= learning_rate
        variable.value += delta

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
