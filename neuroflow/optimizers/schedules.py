"""Learning-rate schedules (`keras.optimizers.schedules`): step number in, learning rate out.

Any optimizer accepts a schedule as its `learning_rate`; it is called with the optimizer's
step count (`optimizer.iterations`, 0 before the first update) and returns a Python float.

    schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
    optimizer = neuroflow.optimizers.SGD(learning_rate=schedule)
"""
import inspect
import math

from neuroflow.utils import registry
from neuroflow.utils.serialization import deserialize_object, serialize_object


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`.

    Example:
        class Halving(LearningRateSchedule):
            def __init__(self, initial_learning_rate):
                self.initial_learning_rate = initial_learning_rate
            def __call__(self, step):
                return self.initial_learning_rate / 2 ** (step // 100)
            def get_config(self):
                return {"initial_learning_rate": self.initial_learning_rate}
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("schedules", cls)

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
                                  "to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _step(step):
    """The step as a Python float (accepts ints, NumPy scalars, 0-d arrays and Tensors)."""
    step = getattr(step, "value", step)
    return float(step)


def _decay_progress(step, decay_steps, staircase):
    """step / decay_steps, floored with `staircase` (the exponent or factor of the step decays)."""
    progress = _step(step) / decay_steps
    return math.floor(progress) if staircase else progress


def _keep_arguments(schedule, arguments):
    """Stores a built-in schedule's constructor arguments (its `locals()`) as attributes of their names."""
    for name, value in arguments.items():
        if name != "self":
            setattr(schedule, name, value)


def _config_from_signature(schedule):
    """The built-in schedules' `get_config`: each keeps its constructor arguments as attributes of the
    same names, so the config is those, in the constructor's order (as Keras writes them)."""
    names = list(inspect.signature(type(schedule).__init__).parameters)[1:]
    return {name: getattr(schedule, name) for name in names}


def _check_positive(name, value, schedule):
    if not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{schedule}: argument `{name}` must be > 0. Received: {name}={value!r}")


class ExponentialDecay(LearningRateSchedule):
    """Exponential decay: `initial_learning_rate * decay_rate ** (step / decay_steps)`.

    With `staircase=True` the exponent is `floor(step / decay_steps)`, so the rate drops in steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive; the number of steps over which the rate is multiplied by `decay_rate`.
        decay_rate: the multiplier per `decay_steps`.
        staircase: use integer division in the exponent.
        name: a name for the schedule.

    Example:
        ExponentialDecay(0.1, 10, 0.5)(20)  # 0.1 * 0.5 ** 2 = 0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        _check_positive("decay_steps", decay_steps, "ExponentialDecay")
        _keep_arguments(self, locals())

    def __call__(self, step):
        progress = _decay_progress(step, self.decay_steps, self.staircase)
        return float(self.initial_learning_rate * self.decay_rate ** progress)

    get_config = _config_from_signature


class InverseTimeDecay(LearningRateSchedule):
    """Inverse time decay: `initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    With `staircase=True`, `step / decay_steps` is floored.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive; how often the decay is applied.
        decay_rate: the decay rate.
        staircase: floor `step / decay_steps`.
        name: a name for the schedule.

    Example:
        InverseTimeDecay(0.1, 1, 0.5)(2)  # 0.1 / (1 + 0.5 * 2) = 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        _check_positive("decay_steps", decay_steps, "InverseTimeDecay")
        _keep_arguments(self, locals())

    def __call__(self, step):
        progress = _decay_progress(step, self.decay_steps, self.staircase)
        return float(self.initial_learning_rate / (1.0 + self.decay_rate * progress))

    get_config = _config_from_signature


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval of steps.

    The rate is `values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` once `step > boundaries[-1]`.

    Args:
        boundaries: strictly increasing step numbers.
        values: one more value than boundaries.
        name: a name for the schedule.

    Raises:
        ValueError: when `len(values) != len(boundaries) + 1` or boundaries do not increase.

    Example:
        PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])(150)  # 0.5
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError("PiecewiseConstantDecay: the length of `boundaries` should be 1 less than the length of "
                             f"`values`. Received: boundaries={boundaries} of length {len(boundaries)}, and "
                             f"values={values} of length {len(values)}.")
        if any(later <= earlier for earlier, later in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: `boundaries` must be strictly increasing. Received: {boundaries}")
        _keep_arguments(self, locals())

    def __call__(self, step):
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    get_config = _config_from_signature


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps`.

        step = min(step, decay_steps)
        rate = (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power
               + end_learning_rate

    With `cycle=True`, `decay_steps` is replaced by its first multiple not below `step`
    (`decay_steps * ceil(step / decay_steps)`, with multiplier 1 at step 0) and `step` is not capped.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive; the length of the decay.
        end_learning_rate: the final rate (default 0.0001).
        power: the power of the polynomial (default 1.0, linear).
        cycle: restart the decay after `decay_steps`.
        name: a name for the schedule.

    Example:
        PolynomialDecay(0.1, 10, end_learning_rate=0.0)(5)  # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        _check_positive("decay_steps", decay_steps, "PolynomialDecay")
        _keep_arguments(self, locals())

    def __call__(self, step):
        step = _step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
            decay_steps *= multiplier
        else:
            step = min(step, decay_steps)
        fraction = step / decay_steps
        return float((self.initial_learning_rate - self.end_learning_rate) * (1.0 - fraction) ** self.power
                     + self.end_learning_rate)

    get_config = _config_from_signature


class CosineDecay(LearningRateSchedule):
    """Cosine decay, optionally after a linear warmup (Loshchilov & Hutter, SGDR).

    Without warmup (`warmup_target=None`):

        step = min(step, decay_steps)
        rate = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)

    With warmup, the rate first rises linearly from `initial_learning_rate` to `warmup_target`
    over `warmup_steps`, then decays as above from `warmup_target` (with `step - warmup_steps`).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive; the length of the cosine decay.
        alpha: the final rate as a fraction of the decay's starting rate.
        name: a name for the schedule.
        warmup_target: the rate reached at the end of warmup, or None for no warmup.
        warmup_steps: the length of the warmup.

    Example:
        CosineDecay(0.1, 100)(50)  # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        _check_positive("decay_steps", decay_steps, "CosineDecay")
        _keep_arguments(self, locals())

    def _decay(self, step, start_rate):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            return float(self._decay(min(step, self.decay_steps), self.initial_learning_rate))
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return float((self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate)
        return float(self._decay(step - self.warmup_steps, self.warmup_target))

    get_config = _config_from_signature


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The multiplier decays from 1 to `alpha` over `first_decay_steps`; then it restarts, each period
    `t_mul` times longer than the last and starting `m_mul` times lower:

        fraction = step / first_decay_steps
        i = floor(fraction)                                       if t_mul == 1
        i = floor(log(1 - fraction * (1 - t_mul)) / log(t_mul))   otherwise
        fraction = fraction - i   or   (fraction - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
        rate = initial_learning_rate * ((1 - alpha) * 0.5 * m_mul**i * (1 + cos(pi * fraction)) + alpha)

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: positive; the length of the first period.
        t_mul: the growth of each period's length.
        m_mul: the factor applied to the starting rate at each restart.
        alpha: the minimum rate as a fraction of `initial_learning_rate`.
        name: a name for the schedule.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        _check_positive("first_decay_steps", first_decay_steps, "CosineDecayRestarts")
        _keep_arguments(self, locals())

    def __call__(self, step):
        fraction = _step(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - self.t_mul)) / math.log(self.t_mul))
            completed = (1.0 - self.t_mul ** restart) / (1.0 - self.t_mul)
            fraction = (fraction - completed) / self.t_mul ** restart
        cosine = 0.5 * self.m_mul ** restart * (1.0 + math.cos(math.pi * fraction))
        return float(self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha))

    get_config = _config_from_signature


# Every schedule class registered itself (LearningRateSchedule.__init_subclass__).
_SCHEDULES = registry.builtins("schedules")


def serialize(learning_rate_schedule):
    """The schedule as `{'module', 'class_name', 'config', 'registered_name'}` (Keras 3's layout)."""
    return serialize_object(learning_rate_schedule, "neuroflow.optimizers.schedules")


def deserialize(config, custom_objects=None):
    """Rebuilds a schedule from the output of `serialize`.

    Raises:
        ValueError: for an unknown `class_name` (with the closest known name).
    """
    return deserialize_object("learning rate schedule", config, _SCHEDULES, custom_objects)
