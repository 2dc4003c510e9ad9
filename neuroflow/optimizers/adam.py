"""Adam: momentum on the gradient and on its square, with bias correction."""
import math

from neuroflow import backend
from neuroflow.ops import device_kernels, host_kernels
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), as Keras 3 implements it.

    Slots: first moment m and second moment v (and v_hat with `amsgrad`), starting at 0.
    At step t = iterations + 1:

        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)   # bias-corrected rate
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v);  v = v_hat                              (amsgrad only)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Epsilon is added outside the square root, to the uncorrected sqrt(v) ("epsilon hat" in the
    paper), which is why Keras' 1e-7 behaves like a larger epsilon in other libraries.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: numerical fuzz (default 1e-7).
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        **kwargs: the base optimizer's arguments.
    """

    _additive_update = True  # update_step only adds to variable.value

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        self.amsgrad = bool(amsgrad)

    keras_slot_groups = [["momentum", "velocity"], ["velocity_hat"]]

    def _slot_specs(self):
        specs = [("momentum", 0.0), ("velocity", 0.0)]
        if self.amsgrad:
            specs.append(("velocity_hat", 0.0))
        return specs

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        step = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - self.beta_2 ** step) / (1 - self.beta_1 ** step)
        m = self._slot(variable, "momentum")
        v = self._slot(variable, "velocity")
        fused = device_kernels.get("adam") if not self.amsgrad and isinstance(alpha, (int, float)) else None
        if fused is not None:  # the cupy backend: the lines below as one GPU kernel (ops/device_kernels.py)
            cast = variable.value.dtype.type
            fused(gradient, cast(1 - self.beta_1), cast(1 - self.beta_2), cast(self.epsilon), cast(alpha),
                  variable.value, m, v)
            return
        weights = variable.value
        loop = host_kernels.get("adam", (weights, m, v, gradient)) if not self.amsgrad and type(alpha) is float else None
        if loop is not None:  # numba installed: the lines below as one pass (ops/host_kernels.py), the same bits
            cast = weights.dtype.type
            loop(host_kernels.flat(gradient), host_kernels.flat(m), host_kernels.flat(v), host_kernels.flat(weights),
                 cast(1 - self.beta_1), cast(1 - self.beta_2), cast(self.epsilon), cast(alpha))
            return
        work = self._scratch(variable)  # every intermediate term goes here: no temporaries
        one_minus_beta_1, one_minus_beta_2, epsilon = self._constants(weights.dtype, 1 - self.beta_1, 1 - self.beta_2,
                                                                      self.epsilon)
        xp.subtract(gradient, m, out=work)
        work *= one_minus_beta_1
        m += work                                            # m -> beta_1 m + (1 - beta_1) g
        xp.multiply(gradient, gradient, out=work)
        work -= v
        work *= one_minus_beta_2
        v += work                                            # v -> beta_2 v + (1 - beta_2) g^2
        if self.amsgrad:
            v_hat = self._slot(variable, "velocity_hat")
            xp.maximum(v_hat, v, out=v_hat)                  # the running maximum of v
            v = v_hat
        xp.sqrt(v, out=work)
        work += epsilon                                      # sqrt(v) + epsilon
        xp.divide(m, work, out=work)
        work *= alpha                                        # alpha * m / (sqrt(v) + epsilon)
        variable.value -= work

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
