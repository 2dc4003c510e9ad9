"""Schedule-free AdamW: Adam steps on a base sequence z, the weights an interpolation of z and its average."""
from neuroflow import backend
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024, "The Road Less Scheduled"), as Keras 3 implements it.

    Slots: z (named 'momentum', starting at the weights) and the second moment v (starting at 0).
    The weights y hold beta_1-interpolations of z and the running average x. At step t = iterations + 1,
    with lr scaled by min(t / warmup_steps, 1) when warmup_steps > 0:

        v = v + (g^2 - v) * (1 - beta_2)
        z_new = z - lr * g / (sqrt(v / (1 - beta_2^t)) + epsilon)
        x = (y - (1 - beta_1) z) / beta_1                       (x recovered from y and the old z)
        x = (1 - 1/t) x + (1/t) z_new
        y = (1 - beta_1) z_new + beta_1 x

    No learning-rate schedule is needed: the average x plays its part. Weight decay, when set, is
    the base optimizer's decoupled decay.

    Args:
        learning_rate: float, schedule or callable (default 0.0025).
        beta_1: the interpolation between z and x (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: numerical fuzz (default 1e-8).
        warmup_steps: steps of linear learning-rate warm-up (default 0).
        **kwargs: the base optimizer's arguments.
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="schedule_free_adam_w", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        self.warmup_steps = int(warmup_steps)

    keras_slot_groups = [["momentum", "velocity"]]

    def _slot_specs(self):
        # None: the slot starts as a copy of the weights (z_0 = y_0).
        return [("momentum", None), ("velocity", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        step = self.iterations + 1
        if self.warmup_steps > 0:
            learning_rate = learning_rate * min(step / self.warmup_steps, 1.0)
        z = self._slot(variable, "momentum")
        v = self._slot(variable, "velocity")
        z_old = z.copy()
        v += (gradient * gradient - v) * (1 - self.beta_2)
        z -= learning_rate * gradient / (xp.sqrt(v / (1 - self.beta_2 ** step)) + self.epsilon)
        weight = 1.0 / step
        average = (variable.value - (1 - self.beta_1) * z_old) / self.beta_1      # x before this step
        average = (1 - weight) * average + weight * z
        variable.value[...] = (1 - self.beta_1) * z + self.beta_1 * average

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
