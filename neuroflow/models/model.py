"""Model: a Layer that trains (Trainer, training/trainer.py, holds compile / fit / evaluate / predict).

Three ways to make one, as in Keras:
    Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")])
    Model(inputs, outputs)                      # functional: returns a Functional model
    class MyModel(Model): __init__ + call()     # subclassing
"""
from neuroflow import saving
from neuroflow.layers.layer import Layer
from neuroflow.models.summary import summary_text
from neuroflow.training import compile_config
from neuroflow.training.trainer import Trainer
from neuroflow.utils.errors import unknown_name_error


class Model(Trainer, Layer):
    """A trainable stack of layers with Keras' training API.

    Subclass it with `__init__` (create layers) and `call(inputs, training=None)`, or call
    `Model(inputs, outputs)` with functional-API placeholders.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            # Imported here: Functional is a Model, defined in a module that imports this one.
            from neuroflow.models.functional import Functional
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        if _functional_arguments(args, kwargs):
            # A subclass handing inputs and outputs to Model.__init__ (directly, or by having no
            # __init__ of its own) becomes a functional model of that subclass, as in Keras: what
            # decides is what reaches Model.__init__, not the subclass's own constructor arguments
            # (a VAE(encoder, decoder) stays a subclassed model).
            # Imported here: Functional is a Model, defined in a module that imports this one.
            from neuroflow.models.functional import Functional
            if not isinstance(self, Functional):
                self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, name=name, trainable=trainable, dtype=dtype, **kwargs)
            return
        if args:
            raise TypeError(f"{type(self).__name__}.__init__ got unexpected positional arguments; "
                            "pass inputs and outputs to build a functional model")
        super().__init__(name=name, trainable=trainable, dtype=dtype, **kwargs)

    @property
    def output_names(self):
        return getattr(self, "_output_names_override", None) or ["output"]

    @output_names.setter
    def output_names(self, value):
        self._output_names_override = list(value)

    def _order_input_dict(self, x):
        return x

    def get_layer(self, name=None, index=None):
        """A layer by name, or by its index in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer takes a name or an index, not both")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}' has {len(self.layers)} layers; index {index} is out of range")
            return self.layers[index]
        if name is None:
            raise ValueError("get_layer needs a layer name or index")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise unknown_name_error(f"layer of model '{self.name}'", name, [layer.name for layer in self.layers])

    # ---- inspection and saving ---------------------------------------------------------------

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Prints a Keras-style table of layers, output shapes and parameter counts."""
        text = summary_text(self, line_length=line_length)
        (print_fn or print)(text)

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves architecture, weights and compile settings (neuroflow's zip format, or .keras)."""
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        saving.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False):
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def get_compile_config(self):
        """The arguments `compile` was given, serialized, under Keras' keys (None before compile)."""
        return compile_config.get_compile_config(self)

    def compile_from_config(self, config):
        """Compiles the model with what `get_compile_config` returned (Keras' `compile_from_config`)."""
        compile_config.compile_from_config(self, config)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from its config: `Model.from_config` of a functional model's config rebuilds
        that functional model, as in Keras; otherwise `cls(**config)`."""
        if cls is Model and all(key in config for key in ("layers", "input_layers", "output_layers")):
            # Imported here: Functional is a Model, defined in a module that imports this one.
            from neuroflow.models.functional import Functional
            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)

    def to_json(self, **kwargs):
        """The architecture (and compile settings) as Keras 3's JSON; `models.model_from_json` reads it back."""
        return saving.model_to_json(self, **kwargs)


_functional_subclasses = {}


def _functional_arguments(args, kwargs):
    """Whether Model's arguments describe a functional model: (inputs, outputs) given."""
    return len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs


def _functional_subclass(cls):
    """`cls` with Functional mixed in after it: cls's overrides first, then the graph machinery."""
    # Imported here: Functional is a Model, defined in a module that imports this one.
    from neuroflow.models.functional import Functional
    if cls not in _functional_subclasses:
        _functional_subclasses[cls] = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
    return _functional_subclasses[cls]

