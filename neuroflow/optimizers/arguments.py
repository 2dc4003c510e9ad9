"""Checks of the arguments every optimizer takes (the base class' signature), where they enter.

Each check names the argument, what was expected and what was given, as Keras 3's messages do.
"""
import math
import numbers
import warnings

from neuroflow.engine.tensor import Tensor
from neuroflow.optimizers.schedules import LearningRateSchedule


def _is_number(value):
    """True for Python and NumPy real scalars (not bools)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_learning_rate(learning_rate):
    """`learning_rate` as the optimizer keeps it: a float, a schedule or a callable.

    Raises:
        ValueError: for a negative or non-finite number, or anything else.
    """
    if isinstance(learning_rate, LearningRateSchedule) or (callable(learning_rate) and not _is_number(learning_rate)):
        return learning_rate
    if isinstance(learning_rate, Tensor):
        learning_rate = learning_rate.value
    if _is_number(learning_rate) or (hasattr(learning_rate, "dtype") and getattr(learning_rate, "ndim", 1) == 0):
        value = float(learning_rate)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"Argument `learning_rate` must be a finite non-negative float. "
                             f"Received: learning_rate={learning_rate!r}")
        return value
    raise ValueError("Argument `learning_rate` should be a float, an instance of LearningRateSchedule, or a "
                     "callable (that takes no arguments and returns the learning rate). "
                     f"Received instead: learning_rate={learning_rate!r}")


def check_base_arguments(owner, learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, kwargs):
    """Checks the base optimizer's arguments and takes the legacy ones out of `kwargs`.

    Args:
        owner: the optimizer's class name, for the messages.
        kwargs: the constructor's remaining keyword arguments; Keras 2's `lr` and `decay` (with a
            deprecation warning) and tf.keras' `jit_compile` / `is_legacy_optimizer` are popped.

    Returns:
        (learning_rate, decay): `lr` when it was given instead; `decay` or None.

    Raises:
        ValueError: for unknown keyword arguments, more than one clipping argument, or a value
            out of its range.
    """
    if "lr" in kwargs:
        warnings.warn("The `lr` argument is deprecated; use `learning_rate` instead.", DeprecationWarning,
                      stacklevel=4)
        learning_rate = kwargs.pop("lr")
    decay = kwargs.pop("decay", None)
    if decay is not None:
        warnings.warn("The `decay` argument is deprecated (Keras 2): it applies lr / (1 + decay * iterations). "
                      "Use a learning rate schedule such as "
                      "neuroflow.optimizers.schedules.InverseTimeDecay instead.", DeprecationWarning, stacklevel=4)
        if not _is_number(decay) or decay < 0:
            raise ValueError(f"Argument `decay` must be a non-negative float. Received: decay={decay!r}")
    # Keys that tf.keras 2.11+ wrote into optimizer configs; they mean nothing here.
    kwargs.pop("jit_compile", None)
    kwargs.pop("is_legacy_optimizer", None)
    if kwargs:
        raise ValueError(f"{owner}: argument(s) not recognized: {sorted(kwargs)}. "
                         "Check the spelling against the optimizer's signature.")
    clip_arguments = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
    if sum(value is not None for value in clip_arguments.values()) > 1:
        raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                         + ", ".join(f"{key}={value}" for key, value in clip_arguments.items()))
    for key, value in clip_arguments.items():
        if value is not None and (not _is_number(value) or value <= 0):
            raise ValueError(f"Argument `{key}` must be a positive float. Received: {key}={value!r}")
    if weight_decay is not None and (not _is_number(weight_decay) or weight_decay < 0):
        raise ValueError(f"Argument `weight_decay` must be a non-negative float or None. "
                         f"Received: weight_decay={weight_decay!r}")
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        if ema_overwrite_frequency is not None and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                             f"Received: ema_overwrite_frequency={ema_overwrite_frequency!r}")
    if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2):
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                         f"Received: gradient_accumulation_steps={gradient_accumulation_steps!r}")
    if loss_scale_factor is not None and (not _is_number(loss_scale_factor) or loss_scale_factor <= 0):
        raise ValueError(f"Argument `loss_scale_factor` must be a positive float. "
                         f"Received: loss_scale_factor={loss_scale_factor!r}")
    return learning_rate, decay


# The ranges where each algorithm's hyperparameters mean what their docstrings say: a decay rate of
# 1 freezes a moving average at its start (Adam's bias correction then divides by zero), and
# epsilon <= 0 lets a denominator reach 0.
_DECAY_RATES = ("beta_1", "beta_2", "rho")


def check_hyperparameters(owner, **values):
    """Refuses decay rates (beta_1, beta_2, rho) outside [0, 1) and an epsilon that is not > 0.

    Raises:
        ValueError: naming the optimizer, the argument, the range and the value given.
    """
    for name, value in values.items():
        if not _is_number(value) or not math.isfinite(value):
            raise ValueError(f"{owner}: argument `{name}` must be a finite float. Received: {name}={value!r}")
        if name in _DECAY_RATES and not 0 <= value < 1:
            raise ValueError(f"{owner}: argument `{name}` must be in [0, 1); {name}={value!r} would freeze or "
                             f"invert its moving average. Received: {name}={value!r}")
        if name == "epsilon" and value <= 0:
            raise ValueError(f"{owner}: argument `epsilon` must be positive (it keeps a denominator away from 0). "
                             f"Received: epsilon={value!r}")
