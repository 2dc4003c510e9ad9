"""The optimizer base class: everything an algorithm shares, so each algorithm is one short update.

The base owns the step count (`iterations`), the per-variable state ("slots": momentum, velocity
...), gradient clipping, decoupled weight decay, loss-scale unscaling, gradient accumulation, the
exponential moving average of the weights (EMA), the learning rate (a float, a schedule or a
callable) and each variable's constraint. An algorithm declares its slots and writes
`update_step(gradient, variable, learning_rate)`, which changes `variable.value` in place.

One call to `apply_gradients([(grad, var), ...])` does, in Keras 3's order:

    1. drop pairs whose gradient is None (with a warning)
    2. grad = grad / loss_scale_factor                          (if set)
    3. accumulate; only every `gradient_accumulation_steps`-th call goes on, with the mean grad
    4. clip: clipnorm (per variable), else global_clipnorm, else clipvalue
    5. var = var - var * weight_decay * lr                      (if weight_decay is set)
    6. update_step(grad, var, lr) for each pair                 (the algorithm)
    7. update the EMA of the weights                            (if use_ema)
    8. iterations += 1
    9. var = constraint(var)                                    (for variables with a constraint)
"""
import warnings

from neuroflow import backend
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.optimizers import schedules
from neuroflow.optimizers.arguments import _is_number, check_base_arguments, check_learning_rate
from neuroflow.optimizers.clipping import clip_gradients
from neuroflow.optimizers.moving_average import MovingAverages
from neuroflow.optimizers.packed import packed_variables
from neuroflow.optimizers.schedules import LearningRateSchedule
from neuroflow.optimizers.variable_like import _LearningRateValue, _StepCount
from neuroflow.utils import registry
from neuroflow.utils.naming import to_snake_case
from neuroflow.utils.options import forwarded_arguments, parameter_names


class Optimizer(MovingAverages):
    """Base class of all optimizers (Keras 3's `keras.optimizers.Optimizer`).

    Args:
        learning_rate: a float, a `LearningRateSchedule` (called with `iterations`), or a callable
            taking no arguments that returns the rate.
        weight_decay: if set, decoupled weight decay: `var -= var * weight_decay * lr` before each
            update (see `exclude_from_weight_decay`).
        clipnorm: if set, each gradient is rescaled so its L2 norm is at most this.
        clipvalue: if set, each gradient element is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: if set, all gradients are rescaled together so their joint L2 norm is at
            most this. Only one of the three clipping arguments may be set.
        use_ema: keep an exponential moving average of the weights:
            `average = ema_momentum * average + (1 - ema_momentum) * var` (the first step copies).
        ema_momentum: the EMA momentum, in [0, 1].
        ema_overwrite_frequency: with `use_ema`, copy the averages into the weights every this
            many steps; if None, only `finalize_variable_values` does (fit calls it at the end).
        loss_scale_factor: if set, gradients are divided by it (the loss was multiplied by it in
            `scale_loss`), for mixed precision.
        gradient_accumulation_steps: if set (>= 2), variables are updated only every this many
            calls, with the mean of the accumulated gradients; `iterations` counts updates.
        name: the optimizer's name.
        lr: deprecated spelling of `learning_rate` (Keras 2).
        decay: deprecated (Keras 2): time decay of the rate, `lr_t = lr / (1 + decay * iterations)`.

    Raises:
        ValueError: for unknown keyword arguments, more than one clipping argument, or a learning
            rate that is not a number, schedule or callable.

    Example:
        optimizer = neuroflow.optimizers.SGD(learning_rate=0.1)
        with neuroflow.GradientTape() as tape:
            loss = ops.sum(ops.square(w))
        optimizer.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("optimizers", cls)

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        learning_rate, decay = check_base_arguments(type(self).__name__, learning_rate, weight_decay, clipnorm,
                                                    clipvalue, global_clipnorm, use_ema, ema_momentum,
                                                    ema_overwrite_frequency, loss_scale_factor,
                                                    gradient_accumulation_steps, kwargs)
        self.name = name if name is not None else to_snake_case(type(self).__name__, capital_after_digit_starts_word=True)
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self.clipnorm = None if clipnorm is None else float(clipnorm)
        self.clipvalue = None if clipvalue is None else float(clipvalue)
        self.global_clipnorm = None if global_clipnorm is None else float(global_clipnorm)
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = None if decay is None else float(decay)
        self._learning_rate = check_learning_rate(learning_rate)

        self.built = False
        self._iterations = 0
        self._variables = []                  # every optimizer variable, in creation order
        self._trainable_variables = []        # the model variables this optimizer updates
        self._trainable_variables_indices = {}  # id(variable) -> index in the list above
        self._slots = {}                      # id(variable) -> {slot name: Variable}
        self._scratch_buffers = {}            # (shape, dtype) -> work array of the update steps
        self._exclude_from_weight_decay_ids = set()
        self._exclude_from_weight_decay_names = ()

    # Tables keyed by id(variable) that a subclass adds to the base class's (Adafactor's factored moments ...).
    _variable_keyed_state = ()

    def __getstate__(self):
        # id()s do not survive pickling: the tables keyed by id(variable) travel keyed by the variable's
        # position in _trainable_variables, and are keyed by the new ids in __setstate__. The packed
        # update (optimizers/packed.py) is a cache of views, rebuilt from the slots at the next step.
        state = dict(self.__dict__)
        state.pop("_packed_cache", None)
        state.pop("_constant_cache", None)
        position = {id(v): index for index, v in enumerate(self._trainable_variables)}
        for name in ("_slots", "_trainable_variables_indices") + tuple(self._variable_keyed_state):
            state[name] = {position[key]: value for key, value in state[name].items() if key in position}
        state["_exclude_from_weight_decay_ids"] = {position[key] for key in self._exclude_from_weight_decay_ids
                                                   if key in position}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        ids = [id(v) for v in self._trainable_variables]
        for name in ("_slots", "_trainable_variables_indices") + tuple(self._variable_keyed_state):
            setattr(self, name, {ids[index]: value for index, value in state[name].items()})
        self._exclude_from_weight_decay_ids = {ids[index] for index in state["_exclude_from_weight_decay_ids"]}

    # ---- learning rate ---------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The current learning rate as a float (a schedule's value at the current step).

        Setting it (a float, schedule or callable) takes effect at the next update; callbacks
        such as ReduceLROnPlateau use this. The deprecated `decay` is applied on top at update time.
        """
        return _LearningRateValue(self._scheduled_learning_rate(), self)

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(self._learning_rate, LearningRateSchedule) and not (
                isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate)):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                            "constructor argument, hence its learning rate is not settable. If you need the learning "
                            "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                            "argument.")
        self._learning_rate = check_learning_rate(learning_rate)

    @property
    def lr(self):
        """Deprecated alias of `learning_rate` (Keras 2)."""
        warnings.warn("`optimizer.lr` is deprecated; use `optimizer.learning_rate`.", DeprecationWarning, stacklevel=2)
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        warnings.warn("`optimizer.lr` is deprecated; use `optimizer.learning_rate`.", DeprecationWarning, stacklevel=2)
        self.learning_rate = value

    def _scheduled_learning_rate(self):
        if isinstance(self._learning_rate, LearningRateSchedule):
            # Schedules see the raw call count, as in Keras (not the accumulated-update count).
            return float(self._learning_rate(self._iterations))
        if callable(self._learning_rate):
            value = self._learning_rate()
            return float(value.value if isinstance(value, Tensor) else value)
        return self._learning_rate

    def _current_learning_rate(self):
        """The rate used by this step: the scheduled rate with the legacy `decay` applied."""
        rate = self._scheduled_learning_rate()
        if self.decay:
            rate = rate / (1.0 + self.decay * self.iterations)
        return rate

    # ---- step count ------------------------------------------------------------------------

    @property
    def iterations(self):
        """The number of updates applied so far (an int; 0 before the first)."""
        if self.gradient_accumulation_steps:
            return _StepCount(self._iterations // self.gradient_accumulation_steps)
        return _StepCount(self._iterations)

    @iterations.setter
    def iterations(self, value):
        value = int(value.value if isinstance(value, Tensor) else value)
        if value < 0:
            raise ValueError(f"`iterations` must be a non-negative integer. Received: {value}")
        self._iterations = value

    # ---- variables and slots ---------------------------------------------------------------

    # Keras 3's order of this algorithm's slots: it creates them group by group and, within a group,
    # interleaved per variable (Adam: [["momentum", "velocity"], ["velocity_hat"]]). None: no known layout.
    keras_slot_groups = None

    def _slot_specs(self):
        """The per-variable state of this algorithm: a list of (slot name, initial value).

        `build` creates the slots slot by slot (every variable's first slot, then every
        variable's second ...), then the EMA averages and gradient accumulators; that is the
        order of `variables` and of `save_own_variables`. It is not Keras' order: Keras 3 creates
        the EMA and accumulator slots first and interleaves an algorithm's slots per variable
        (Adam: m1, v1, m2, v2, ..., then the amsgrad v_hat slots), so `keras_slot_groups` tells
        Keras' files (saving/keras_format.py) the other order.
        """
        return []

    def build(self, variables):
        """Creates the slots for `variables` (called by the first `apply` if not called before).

        Args:
            variables: the trainable variables this optimizer will update.
        """
        variables = [v for v in list(variables) if id(v) not in self._trainable_variables_indices]
        for variable in variables:
            self._trainable_variables_indices[id(variable)] = len(self._trainable_variables)
            self._trainable_variables.append(variable)
            self._slots[id(variable)] = {}
        specs = list(self._slot_specs())
        if self.use_ema:
            specs.append(("average", None))
        if self.gradient_accumulation_steps:
            specs.append(("gradient_accumulator", 0.0))
        for slot_name, initial_value in specs:
            for variable in variables:
                if initial_value is None:  # the EMA starts from the weights themselves
                    slot = self.add_variable_from_reference(variable, slot_name)
                    slot.value[...] = variable.value
                else:
                    slot = self.add_variable_from_reference(variable, slot_name, initializer=initial_value)
                self._slots[id(variable)][slot_name] = slot
        self.built = True

    def _ensure_built(self, variables):
        unknown = [v for v in variables if id(v) not in self._trainable_variables_indices]
        if not unknown:
            return
        if self.built and type(self).build is not Optimizer.build:
            # A Keras-style subclass creates its slots in its own `build`, once.
            raise ValueError(f"Unknown variable: {unknown[0].name!r}. This optimizer can only be called for the "
                             "variables it was originally built with. When working with a new set of variables, "
                             "you should recreate a new optimizer instance.")
        if self.built and self._trainable_variables and len(unknown) == len(variables):
            # Not one variable in common: a second model handed this optimizer. Its step count (and so
            # Adam's bias correction, schedules, EMA) belongs to the first model; refuse, as Keras does.
            first, other = (getattr(v, "path", v.name) for v in (unknown[0], self._trainable_variables[0]))
            raise ValueError(f"Unknown variable: {first!r}. Optimizer '{self.name}' was built for "
                             f"{len(self._trainable_variables)} other variables (e.g. {other!r}, {self.iterations} "
                             f"steps taken) and shares none with these {len(variables)}: it is being reused by a "
                             "second model. Create a new optimizer instance for each model.")
        if self.built:
            Optimizer.build(self, unknown)
        else:
            self.build(list(variables))

    @property
    def variables(self):
        """The optimizer's own variables (slots), in creation order."""
        return list(self._variables)

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="mean", name=None):
        """Creates and tracks a non-trainable optimizer variable.

        Args:
            shape: its shape.
            initializer: an initializer (name, object, callable) or a number to fill it with.
            dtype: its dtype (floatx by default).
            aggregation: accepted for Keras compatibility (single device: unused).
            name: its name.
        """
        dtype = dtype or backend.floatx()
        if _is_number(initializer):
            value = backend.xp.full(tuple(shape), float(initializer), dtype=dtype)
            variable = Variable(value, dtype=dtype, trainable=False, name=name)
        else:
            variable = Variable(initializer, shape=tuple(shape), dtype=dtype, trainable=False, name=name)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """An optimizer variable with the shape and dtype of `reference_variable`, named after it."""
        name = name or "var"
        prefix = getattr(reference_variable, "path", None) or getattr(reference_variable, "name", "variable")
        return self.add_variable(reference_variable.shape, initializer=initializer, dtype=reference_variable.dtype,
                                 name=f"{str(prefix).replace('/', '_')}_{name}")

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One variable per trainable variable (a list), or one list per name when `name` is a list."""
        if isinstance(name, (list, tuple)):
            return tuple(self.add_optimizer_variables(trainable_variables, n, initializer) for n in name)
        return [self.add_variable_from_reference(v, name, initializer) for v in trainable_variables]

    def _get_variable_index(self, variable):
        return self._trainable_variables_indices[id(variable)]

    def _slot(self, variable, slot_name):
        """The array of one slot of `variable` (updated in place by the algorithms)."""
        return self._slots[id(variable)][slot_name].value

    def _scratch(self, variable):
        """A reusable work array shaped like `variable`: not a slot, never saved.

        Update steps write their intermediate terms here with `out=` instead of allocating fresh
        arrays: on this project's VMs a fresh multi-megabyte temporary costs page faults every
        step (RMSprop on a 784 x 512 kernel: 2.7 ms with four temporaries, 0.34 ms without).
        One array per shape and dtype, shared, since the variables are updated one at a time.
        """
        value = variable.value
        key = (value.shape, value.dtype.str)
        buffer = self._scratch_buffers.get(key)
        if buffer is None:
            buffer = self._scratch_buffers[key] = backend.xp.empty_like(value)
        return buffer

    def _constants(self, dtype, *values):
        """`values` as 0-d arrays of `dtype`, cached: what NumPy makes of a Python float in
        `array *= 0.9` (the float cast to the array's dtype, so the same bits), without converting
        it again at every call (0.9 us against 1.5 for a multiply of 9000 float32 here)."""
        key = (dtype,) + values
        cache = self.__dict__.setdefault("_constant_cache", {})
        constants = cache.get(key)
        if constants is None:
            if len(cache) > 64:  # hyperparameters changed step after step: keep the cache small
                cache.clear()
            constants = cache[key] = tuple(backend.xp.asarray(value, dtype=dtype) for value in values)
        return constants

    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    # ---- applying gradients ----------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        """Applies one update from (gradient, variable) pairs.

        Args:
            grads_and_vars: an iterable of (gradient, variable); a gradient may be a Tensor, an
                array or None (that variable is skipped, with a warning).

        Returns:
            `iterations` after the update.
        """
        pairs = list(grads_and_vars)
        if not pairs:
            return self.iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        """Updates `trainable_variables` from `grads` (the two lists match one to one).

        Args:
            grads: gradients (Tensors, arrays or None).
            trainable_variables: the variables; if None, the variables the optimizer was built with.

        Raises:
            ValueError: when no gradient is given for any variable, when the lengths differ, or a
                gradient's shape differs from its variable's.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Got {len(grads)} gradients for {len(trainable_variables)} variables; "
                             "pass exactly one gradient (or None) per variable.")
        # One pass over the pairs (this runs every training step): type check, build check, and
        # the gradients as arrays of their variables' dtypes, without the pairs that have none.
        known = self._trainable_variables_indices
        built_for_all = True
        kept_grads, kept_variables = [], []
        array_type = backend.xp.ndarray
        for grad, variable in zip(grads, trainable_variables):
            if not isinstance(variable, Variable):
                raise TypeError(f"Optimizer {self.name!r} updates neuroflow Variables; got {type(variable).__name__}.")
            built_for_all = built_for_all and id(variable) in known
            if grad is not None:
                value = variable.value
                # A backend array of the variable's shape and dtype (what fit's step hands over) is kept as is.
                if not (type(grad) is array_type and grad.shape == value.shape and grad.dtype == value.dtype):
                    grad = self._as_gradient_array(grad, variable)
                kept_grads.append(grad)
                kept_variables.append(variable)
        if not built_for_all:
            self._ensure_built(trainable_variables)
        if len(kept_variables) < len(trainable_variables):
            self._filter_empty_gradients(grads, trainable_variables)  # raises or warns, naming the variables
        grads, trainable_variables = kept_grads, kept_variables
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]

        if self.gradient_accumulation_steps:
            steps = self.gradient_accumulation_steps
            accumulators = [self._slot(v, "gradient_accumulator") for v in trainable_variables]
            if (self._iterations + 1) % steps != 0:
                for grad, accumulator in zip(grads, accumulators):
                    accumulator += grad
                self._finish_step(trainable_variables)
                return
            grads = [(g + accumulator) / steps for g, accumulator in zip(grads, accumulators)]
            for accumulator in accumulators:
                accumulator[...] = 0

        if self.clipnorm or self.global_clipnorm or self.clipvalue:
            grads = clip_gradients(grads, self.clipnorm, self.global_clipnorm, self.clipvalue)
        learning_rate = self._current_learning_rate()
        self._apply_weight_decay(trainable_variables, learning_rate)
        self._update_step_all(grads, trainable_variables, learning_rate)
        self._finish_step(trainable_variables)

    def _finish_step(self, trainable_variables):
        if self.use_ema:
            self._update_moving_averages()
            if self.ema_overwrite_frequency and (self.iterations + 1) % self.ema_overwrite_frequency == 0:
                self._overwrite_model_variables_with_average_value(self._trainable_variables)
        self._iterations += 1
        # Constraints run after the update, on the updated value (Keras: `var.assign(constraint(var))`).
        for variable in trainable_variables:
            if variable.constraint is not None:
                constrained = variable.constraint(variable)
                variable.assign(constrained.value if isinstance(constrained, Tensor) else constrained)

    # True for algorithms whose update_step only adds to `variable.value` and never reads it
    # (SGD, RMSprop, Adagrad, Adam): they can update many small variables as one flat array.
    _additive_update = False

    def _update_step_all(self, grads, trainable_variables, learning_rate):
        """Runs `update_step` on each pair; an algorithm with per-step shared state overrides it."""
        packed = packed_variables(self, trainable_variables) if self._additive_update else None
        if packed is not None:
            packed.update(self, grads, learning_rate)
            return
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Updates `variable.value` in place from `gradient` (a backend array of the variable's
        dtype, already clipped) and the step's `learning_rate` (a float)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(gradient, variable, learning_rate)")

    def _as_gradient_array(self, gradient, variable):
        array = gradient.value if isinstance(gradient, Tensor) else backend.xp.asarray(gradient)
        value = variable.value
        if array.shape != value.shape:
            raise ValueError(f"Gradient for variable {variable.name!r} has shape {tuple(array.shape)} but the "
                             f"variable has shape {tuple(value.shape)}.")
        return array if array.dtype == value.dtype else array.astype(value.dtype)

    @staticmethod
    def _filter_empty_gradients(grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable: every gradient is None. Check that the loss "
                             "depends on the variables (and, with model.compile(), that a `loss` was given).")
        if len(kept) < len(grads):
            missing = [v.name for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?", stacklevel=3)
        grads, variables = zip(*kept)
        return list(grads), list(variables)

    # ---- weight decay -----------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables from weight decay: those in `var_list`, and those whose name
        contains any string of `var_names` (e.g. `var_names=['bias']`).

        Raises:
            ValueError: when called after the optimizer is built.
        """
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay_ids = {id(v) for v in (var_list or [])}
        self._exclude_from_weight_decay_names = tuple(var_names or ())

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_from_weight_decay_ids:
            return False
        return not any(part in variable.name for part in self._exclude_from_weight_decay_names)

    def _apply_weight_decay(self, variables, learning_rate):
        if self.weight_decay is None:
            return
        factor = self.weight_decay * learning_rate
        for variable in variables:
            if self._use_weight_decay(variable):
                # Decoupled decay (Loshchilov & Hutter): var = var - var * wd * lr, before the update.
                variable.value -= variable.value * factor

    # ---- conveniences ----------------------------------------------------------------------

    def scale_loss(self, loss):
        """Multiplies the loss by `loss_scale_factor` (if set) before gradients are taken."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def minimize(self, loss, var_list, tape=None):
        """Takes one step on `loss` (a callable with no arguments, or a tensor computed inside `tape`).

        Returns:
            `iterations` after the update.
        """
        var_list = list(var_list() if callable(var_list) else var_list)
        if tape is None:
            if not callable(loss):
                raise ValueError("`minimize` needs `tape` when `loss` is a tensor rather than a callable.")
            with GradientTape() as tape:
                loss = loss()
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def save_own_variables(self, store):
        """Writes the state into `store` (a dict) under '0', '1', ...: the step count, the
        learning rate (when it is a float), then the slots in `variables` order (see `_slot_specs`)."""
        values = [backend.xp.asarray(self._iterations, dtype="int64")]
        if isinstance(self._learning_rate, float):
            # float64 so that saving and loading gives back exactly the same rate.
            values.append(backend.xp.asarray(self._learning_rate, dtype="float64"))
        values += [v.value for v in self._variables]
        for index, value in enumerate(values):
            store[str(index)] = backend.to_numpy(value).copy()

    def load_own_variables(self, store):
        """Reads what `save_own_variables` wrote (the optimizer must be built on the same variables)."""
        expected = 1 + isinstance(self._learning_rate, float) + len(self._variables)
        if len(store) != expected:
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has {expected} "
                          f"variables whereas the saved optimizer has {len(store)} variables."
                          + (" This is likely because the optimizer has not been built yet." if not self.built
                             else ""), stacklevel=2)
            return
        self._iterations = int(store["0"])
        offset = 1
        if isinstance(self._learning_rate, float):
            self._learning_rate = float(store["1"])
            offset = 2
        for index, variable in enumerate(self._variables):
            variable.assign(store[str(index + offset)])

    # ---- configuration ---------------------------------------------------------------------

    def get_config(self):
        """The constructor arguments (a schedule learning rate is serialized as a dict)."""
        learning_rate = self._learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(learning_rate)
        config = {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay is not None:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Builds an optimizer from `get_config()`'s output (a fresh one: no slots, step 0)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate!r}>"


# The base class' own arguments, read off its signature: subclasses forward them without re-listing them.
_BASE_ARGUMENTS = parameter_names(Optimizer.__init__)


def base_arguments(arguments):
    """The base optimizer's arguments out of a subclass constructor's `locals()`, its **kwargs included:
    `super().__init__(**base_arguments(locals()))` (utils/options.py `forwarded_arguments`)."""
    return forwarded_arguments(_BASE_ARGUMENTS, arguments)
