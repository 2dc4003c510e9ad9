"""MultiOptimizer and OptimizerMap: one optimizer per group of variables, chosen by variable path."""
import re
from collections.abc import MutableMapping

from neuroflow import backend
from neuroflow.optimizers.optimizer import Optimizer
from neuroflow.utils import registry
from neuroflow.utils.serialization import deserialize_object, serialize_object


def _serialize(optimizer):
    return serialize_object(optimizer, "neuroflow.optimizers")


def _deserialize(config, custom_objects=None):
    # The optimizer classes registered themselves (Optimizer.__init_subclass__), as optimizers.deserialize reads them.
    return deserialize_object("optimizer", config, registry.builtins("optimizers"), custom_objects,
                              build=lambda cls, inner: cls.from_config(inner, custom_objects=custom_objects))


class OptimizerMap(MutableMapping):
    """Variable path patterns -> optimizers, with a default for the variables no pattern matches.

    A key matches a variable when it equals the variable's `path` ('dense/kernel') or matches it
    as a whole regular expression ('dense.*'); two matching patterns are an error.

    Args:
        default_optimizer: the optimizer of the unmatched variables.
        optimizer_map: an optional dict of pattern -> optimizer.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a neuroflow Optimizer instance. Received: {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map!r}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key!r}: patterns {matching}")
        return self._optimizer_map[matching[0]] if matching else self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"{key!r} already exists in the OptimizerMap with value {self._optimizer_map[key]!r}; "
                             "use each key once")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key!r}")
        if not isinstance(optimizer, Optimizer) or isinstance(optimizer, MultiOptimizer):
            raise ValueError(f"optimizer must be a neuroflow Optimizer other than MultiOptimizer. Received: {optimizer!r}")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        return {"default_optimizer": _serialize(self._default_optimizer),
                "optimizer_map": {key: _serialize(value) for key, value in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(_deserialize(config["default_optimizer"], custom_objects),
                   {key: _deserialize(value, custom_objects) for key, value in config["optimizer_map"].items()})


class MultiOptimizer(Optimizer):
    """Updates each variable with the optimizer its OptimizerMap entry (or a callable) picks.

    Each inner optimizer keeps its own slots, learning rate and step count; this one counts the
    steps it was applied. `learning_rate` belongs to the inner optimizers and is refused here.

    Args:
        optimizer_map: an OptimizerMap, or a callable variable -> optimizer.
        loss_scale_factor: passed on to every inner optimizer.
        name: the optimizer's name.

    Example:

    ```python
    optimizer = MultiOptimizer(OptimizerMap(Adam(1e-3), {"embedding/.*": SGD(0.1)}))
    ```
    """

    _variable_keyed_state = ("_routes",)  # id(variable) -> state: re-keyed when unpickled

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        for optimizer in candidates + ([default] if default is not None else []):
            if optimizer not in self._inner_optimizers:
                self._inner_optimizers.append(optimizer)
        self.loss_scale_factor = loss_scale_factor
        self._routes = {}

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in getattr(self, "_inner_optimizers", []):
            optimizer.loss_scale_factor = value

    @property
    def optimizers(self):
        """The inner optimizers, in the order they were first needed."""
        return list(self._inner_optimizers)

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on the "
                             "individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        if getattr(self, "_inner_optimizers", None) is None:   # the base constructor's own assignment
            self._learning_rate = value
            return
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
                             "individual sub-optimizers instead.")

    @property
    def variables(self):
        own = list(self._variables)
        for optimizer in self._inner_optimizers:
            own.extend(optimizer.variables)
        return own

    def _route(self, variable):
        optimizer = self._optimizer_map(variable)
        if not isinstance(optimizer, Optimizer) or isinstance(optimizer, MultiOptimizer):
            raise ValueError(f"The optimizer for variable {variable.path!r} must be a neuroflow Optimizer other than "
                             f"MultiOptimizer, got {optimizer!r}")
        if optimizer not in self._inner_optimizers:
            optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(optimizer)
        return optimizer

    def build(self, variables):
        """Builds each inner optimizer on the variables routed to it."""
        groups = {}
        for variable in variables:
            if id(variable) in self._routes:
                continue
            optimizer = self._route(variable)
            self._routes[id(variable)] = optimizer
            self._trainable_variables_indices[id(variable)] = len(self._trainable_variables)
            self._trainable_variables.append(variable)
            groups.setdefault(id(optimizer), (optimizer, []))[1].append(variable)
        for optimizer, group in groups.values():
            optimizer.build(group)
        self.built = True

    def apply(self, grads, trainable_variables=None):
        """Hands each (gradient, variable) to its optimizer, one `apply` per optimizer."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on a "
                                 "list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Got {len(grads)} gradients for {len(trainable_variables)} variables; pass exactly one "
                             "gradient (or None) per variable.")
        if any(id(v) not in self._routes for v in trainable_variables):
            self.build(trainable_variables)
        groups = {}
        for grad, variable in zip(grads, trainable_variables):
            optimizer = self._routes[id(variable)]
            pairs = groups.setdefault(id(optimizer), (optimizer, []))[1]
            pairs.append((grad, variable))
        for optimizer, pairs in groups.values():
            sub_grads, sub_variables = zip(*pairs)
            optimizer.apply(list(sub_grads), list(sub_variables))
        self._iterations += 1

    def finalize_variable_values(self, var_list):
        for optimizer in self._inner_optimizers:
            optimizer.finalize_variable_values([v for v in var_list if self._routes.get(id(v)) is optimizer])

    def save_own_variables(self, store):
        """The step count, then each inner optimizer's store under '<index>/<key>'."""
        store["0"] = backend.to_numpy(backend.xp.asarray(self._iterations, dtype="int64"))
        for index, optimizer in enumerate(self._inner_optimizers):
            inner = {}
            optimizer.save_own_variables(inner)
            for key, value in inner.items():
                store[f"{index}/{key}"] = value

    def load_own_variables(self, store):
        self._iterations = int(store["0"])
        for index, optimizer in enumerate(self._inner_optimizers):
            prefix = f"{index}/"
            optimizer.load_own_variables({key[len(prefix):]: value for key, value in store.items()
                                          if key.startswith(prefix)})

    def get_config(self):
        optimizer_map = self._optimizer_map
        serialized = optimizer_map.get_config() if isinstance(optimizer_map, OptimizerMap) else optimizer_map
        return {"optimizer_map": {"class_name": "OptimizerMap", "config": serialized}
                if isinstance(optimizer_map, OptimizerMap) else serialized,
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        optimizer_map = config["optimizer_map"]
        if isinstance(optimizer_map, dict) and optimizer_map.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(optimizer_map["config"], custom_objects=custom_objects)
        return cls(**config)
