"""RMSprop: divide the gradient by a running root-mean-square of its recent magnitudes."""
from neuroflow import backend
from neuroflow.ops import device_kernels, host_kernels
from neuroflow.optimizers.arguments import check_hyperparameters
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as Keras 3 implements it.

    Slots: velocity v (mean square of g), and with `centered` the mean gradient a, with
    `momentum > 0` a momentum buffer m; all start at 0.

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g                      (centered only)
        denominator = v - a**2 + epsilon   if centered   else   v + epsilon
        increment = learning_rate * g / sqrt(denominator)
        m = momentum * m + increment;  w = w - m         (momentum > 0)
        w = w - increment                                (otherwise)

    Note that epsilon sits inside the square root, as in Keras.

    Raises:
        ValueError: for `rho` or `momentum` outside [0, 1], or a non-positive `epsilon`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount factor of the running averages (default 0.9).
        momentum: momentum factor (default 0.0).
        epsilon: numerical fuzz (default 1e-7).
        centered: normalize by the estimated variance instead of the second moment.
        **kwargs: the base optimizer's arguments.

    Example:
        optimizer = RMSprop(learning_rate=0.01, centered=True)
    """

    _additive_update = True  # update_step only adds to variable.value

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name="rmsprop", **kwargs):
        super().__init__(**base_arguments(locals()))
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be in [0, 1]. Received: momentum={momentum}")
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        check_hyperparameters(type(self).__name__, rho=self.rho, epsilon=self.epsilon)
        self.centered = bool(centered)

    keras_slot_groups = [["velocity"], ["momentum"], ["average_gradient"]]

    def _slot_specs(self):
        specs = [("velocity", 0.0)]
        if self.momentum > 0:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def update_step(self, gradient, variable, learning_rate):
        xp = backend.xp
        rho = self.rho
        plain = not self.centered and self.momentum <= 0 and isinstance(learning_rate, (int, float))
        fused = device_kernels.get("rmsprop") if plain else None
        if fused is not None:  # the cupy backend: the lines below as one GPU kernel (ops/device_kernels.py)
            cast = variable.value.dtype.type
            fused(gradient, cast(rho), cast(1 - rho), cast(self.epsilon), cast(learning_rate), variable.value,
                  self._slot(variable, "velocity"))
            return
        velocity = self._slot(variable, "velocity")
        weights = variable.value
        loop = host_kernels.get("rmsprop", (weights, velocity, gradient)) if plain and type(learning_rate) is float else None
        if loop is not None:  # numba installed: the lines below as one pass (ops/host_kernels.py), the same bits
            cast = weights.dtype.type
            loop(host_kernels.flat(gradient), host_kernels.flat(velocity), host_kernels.flat(weights), cast(rho),
                 cast(1 - rho), cast(self.epsilon), cast(learning_rate))
            return
        work = self._scratch(variable)  # every intermediate term goes here: no temporaries
        xp.multiply(gradient, gradient, out=work)
        work *= 1 - rho
        velocity *= rho
        velocity += work                                 # v = rho * v + (1 - rho) * g^2
        if self.centered:
            average = self._slot(variable, "average_gradient")
            average *= rho
            average += (1 - rho) * gradient              # a = rho * a + (1 - rho) * g
            xp.multiply(average, average, out=work)
            xp.subtract(velocity, work, out=work)        # variance estimate v - a^2
            work += self.epsilon
        else:
            xp.add(velocity, self.epsilon, out=work)     # one pass, not a copy and an add
        xp.sqrt(work, out=work)
        xp.divide(gradient, work, out=work)
        work *= learning_rate                            # increment = lr * g / sqrt(denominator)
        if self.momentum > 0:
            buffer = self._slot(variable, "momentum")
            buffer *= self.momentum
            buffer += work
            variable.value -= buffer
        else:
            variable.value -= work

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
