"""Nadam: Adam with Nesterov momentum."""
from neuroflow import backend
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


def _in_dtype(factor, dtype):
    """A Python float as it is (NumPy casts it to the array's dtype); a 0-d device array cast to `dtype` likewise."""
    return factor if isinstance(factor, float) else factor.astype(dtype)


class Nadam(Optimizer):
    """Nadam (Dozat, 2015), as Keras 3 implements it, with the momentum schedule
    `mu_t = beta_1 * (1 - 0.5 * 0.96**t)`.

    Slots: first moment m and second moment v, starting at 0; one shared scalar, the product
    of the momentum schedule so far (starting at 1). At step t = iterations + 1:

        mu_t = beta_1 * (1 - 0.5 * 0.96**t);  mu_next = beta_1 * (1 - 0.5 * 0.96**(t + 1))
        product = product * mu_t                                     # once per step
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
        v_hat = v / (1 - beta_2**t)
        w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

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
                 name="nadam", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        self._u_product = None

    def _slot_specs(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def _momentum_schedule(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** step)

    def _update_step_all(self, grads, trainable_variables, learning_rate):
        if self._u_product is None:
            # One scalar shared by all variables: the product of the momentum schedule so far.
            dtype = self._trainable_variables[0].dtype
            self._u_product = self.add_variable((), initializer=1.0, dtype=dtype, name="u_product")
        self._u_product.value *= self._momentum_schedule(self.iterations + 1)
        super()._update_step_all(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        step = self.iterations + 1
        u_t = self._momentum_schedule(step)              # mu_t
        u_t_1 = self._momentum_schedule(step + 1)        # mu_{t+1}
        # prod_{i<=t} mu_i: a Python float on the host; on a device a 0-d float64 array, so that the
        # step does not wait to read it back (the factors below then round as Python's floats do).
        u_product_t = float(self._u_product.value) if not backend.on_device() else self._u_product.value.astype("float64")
        u_product_t_1 = u_product_t * u_t_1              # prod_{i<=t+1} mu_i
        beta_2_power = self.beta_2 ** step
        m = self._slot(variable, "momentum")
        v = self._slot(variable, "velocity")
        m += (gradient - m) * (1 - self.beta_1)
        v += (xp.square(gradient) - v) * (1 - self.beta_2)
        # Nesterov look-ahead: the next step's momentum on m plus the current gradient's share.
        m_hat = m * _in_dtype(u_t_1 / (1 - u_product_t_1), m.dtype)
        m_hat += gradient * _in_dtype((1 - u_t) / (1 - u_product_t), m.dtype)
        denominator = xp.sqrt(v / (1 - beta_2_power))   # sqrt(v_hat)
        denominator += self.epsilon
        m_hat *= learning_rate
        m_hat /= denominator
        variable.value -= m_hat

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
