"""One name registry: built-in classes by family, registered custom objects, custom-object scopes,
and the lookup that accepts Keras' spellings. String identifiers (`initializers.get('glorot_uniform')`),
`from_config`, `custom_objects=` and the three file formats all resolve names here.

Built-in classes register where they are defined: each base class (Layer, Loss, Metric, Optimizer,
LearningRateSchedule, Initializer, Regularizer, Constraint) calls `register_subclass` from its
`__init_subclass__`, which records classes of the neuroflow package only. A user's subclass is not
registered: it loads through `custom_objects=`, a `custom_object_scope`, or

    @neuroflow.saving.register_keras_serializable(package="my_package")
    class MyLayer(neuroflow.layers.Layer): ...

which files it under Keras' '<package>>name' key (and its plain name).
"""
import contextlib
import inspect

from neuroflow.utils.errors import unknown_name_error

_BUILTINS = {}         # family ('layers', 'losses', ...) -> {name: class or function}
_CUSTOM_OBJECTS = {}   # register_keras_serializable: '<package>>name' and name -> object
_SCOPES = []           # custom_object_scope stack, innermost last


class UnknownClassError(ValueError):
    """A saved config names a class that is neither built in nor registered nor in custom_objects."""


# ---- built-in objects ----------------------------------------------------------------------------

def register_subclass(family, cls):
    """Files a neuroflow class under its name in `family`; a class defined outside neuroflow, or a
    private one (`_Name`), is left out. The first class of a name wins, so classes that
    neuroflow derives at run time (a functional version of a subclass) never replace it."""
    name = cls.__name__
    if cls.__module__.startswith("neuroflow.") and not name.startswith("_"):
        _BUILTINS.setdefault(family, {}).setdefault(name, cls)


def register_builtins(family, table):
    """Adds names -> objects to a family: aliases ('glorot_uniform', 'mse') and functions (activations)."""
    _BUILTINS.setdefault(family, {}).update(table)


def builtins(family):
    """The built-in names of `family` (a live dict: do not modify it)."""
    return _BUILTINS.setdefault(family, {})


def is_builtin(cls):
    """Whether `cls` is neuroflow's own (not a user class, nor one registered as custom)."""
    return cls.__module__.startswith("neuroflow.") and getattr(cls, "_registered_name", None) is None


# ---- custom objects ------------------------------------------------------------------------------

def register_keras_serializable(package="Custom", name=None):
    """Registers a class or function under '<package>>name' and its plain name, for loading."""
    def decorator(obj):
        key = name or obj.__name__
        _CUSTOM_OBJECTS[f"{package}>{key}"] = obj
        _CUSTOM_OBJECTS[key] = obj
        obj._registered_name = f"{package}>{key}"
        return obj
    return decorator


def get_registered_name(obj):
    """The name `obj` is saved under: '<package>>name' when registered, else its own name."""
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_custom_objects():
    """The global dict of registered custom objects (Keras' `get_custom_objects`)."""
    return _CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Makes `custom_objects` visible to every load inside the block."""
    _SCOPES.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _SCOPES.pop()


CustomObjectScope = custom_object_scope


def get_custom_object(name, custom_objects=None):
    """The object registered under `name` (custom_objects first, then scopes, then registrations)."""
    for table in [custom_objects or {}] + list(reversed(_SCOPES)) + [_CUSTOM_OBJECTS]:
        if name in table:
            return table[name]
    return None


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered under `name`: custom_objects, scopes, registrations, then `module_objects`."""
    found = get_custom_object(name, custom_objects)
    if found is None and module_objects:
        found = module_objects.get(name)
    return found


# ---- lookup --------------------------------------------------------------------------------------

def normalize_name(name):
    """The lookup key of a name: lower case without underscores ('GlorotUniform' -> 'glorotuniform')."""
    return str(name).lower().replace("_", "")


def lookup(kind, name, known, custom_objects=None):
    """The object under `name` in `custom_objects` or `known`, whatever its spelling of case and
    underscores: 'glorot_uniform', 'GlorotUniform' and 'glorotuniform' find the same class.

    Args:
        kind: what is looked up, for the error message ('optimizer', 'initializer', ...).
        name: the identifier as given.
        known: dict of canonical name -> object (several spellings may point to one object),
            usually `builtins(family)`.
        custom_objects: optional dict of user names -> objects, searched first.

    Raises:
        ValueError: for an unknown name, listing the known ones and the closest.
    """
    for table in (custom_objects or {}, known):
        if name in table:
            return table[name]
    key = normalize_name(name)
    for table in (custom_objects or {}, known):
        for candidate, value in table.items():
            if normalize_name(candidate) == key:
                return value
    raise unknown_name_error(kind, name, list(known) + list(custom_objects or {}))


def resolve_class(class_name, custom_objects=None):
    """The layer or model class a saved config names: custom objects first, then the built-ins.

    Raises:
        UnknownClassError: naming the class and how to make it loadable.
    """
    found = get_custom_object(class_name, custom_objects)
    if found is None and ">" in class_name:
        found = get_custom_object(class_name.split(">")[-1], custom_objects)
    if found is None:
        found = builtins("layers").get(class_name)
    if found is None:
        raise UnknownClassError(f"Unknown layer or model class {class_name!r} in the saved config. If it is a custom "
                                f"class, pass custom_objects={{{class_name!r}: {class_name}}} to load_model, or "
                                "decorate it with @neuroflow.saving.register_keras_serializable().")
    return found


def from_config(cls, config, custom_objects=None):
    """`cls.from_config(config)`, passing `custom_objects` on when that from_config takes them
    (wrappers and models rebuild inner layers; a user's from_config usually takes only the config)."""
    method = cls.from_config
    if "custom_objects" in inspect.signature(method).parameters:
        return method(config, custom_objects=custom_objects)
    return method(config)
