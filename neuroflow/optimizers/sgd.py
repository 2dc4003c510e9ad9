"""Stochastic gradient descent, with optional (Nesterov) momentum."""
import numbers

from neuroflow.ops import host_kernels
from neuroflow.optimizers.optimizer import Optimizer, base_arguments


class SGD(Optimizer):
    """Gradient descent with momentum (Keras 3's `keras.optimizers.SGD`).

    Without momentum:

        w = w - learning_rate * g

    With momentum (a velocity slot v, starting at 0):

        v = momentum * v - learning_rate * g
        w = w + v

    With `nesterov=True` the step looks ahead along the new velocity:

        v = momentum * v - learning_rate * g
        w = w + momentum * v - learning_rate * g

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float in [0, 1] (default 0.0: plain gradient descent).
        nesterov: use Nesterov momentum.
        **kwargs: the base optimizer's arguments (weight_decay, clipnorm, clipvalue,
            global_clipnorm, use_ema, ..., name).

    Raises:
        ValueError: when `momentum` is not a float in [0, 1].

    Example:
        optimizer = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    _additive_update = True  # update_step only adds to variable.value

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="SGD", **kwargs):
        super().__init__(**base_arguments(locals()))
        if not isinstance(momentum, numbers.Real) or isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    keras_slot_groups = [["momentum"]]

    def _slot_specs(self):
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        weights = variable.value
        velocity = self._slot(variable, "momentum") if self.momentum != 0 else None
        if type(learning_rate) is float:
            arrays = (weights, gradient) if velocity is None else (weights, velocity, gradient)
            loop = host_kernels.get("sgd" if velocity is None else "sgd_momentum", arrays)
            if loop is not None:  # numba installed: the lines below as one pass (ops/host_kernels.py), the same bits
                cast, flat = weights.dtype.type, host_kernels.flat
                if velocity is None:
                    loop(flat(gradient), flat(weights), cast(learning_rate))
                else:
                    loop(flat(gradient), flat(velocity), flat(weights), cast(self.momentum), cast(learning_rate),
                         bool(self.nesterov))
                return
        if self.momentum == 0:
            weights -= learning_rate * gradient
            return
        step = learning_rate * gradient          # learning_rate * g
        velocity *= self.momentum                # momentum * v ...
        velocity -= step                         # ... - learning_rate * g
        if self.nesterov:
            weights += self.momentum * velocity  # look ahead along the new velocity
            weights -= step
        else:
            weights += velocity

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
