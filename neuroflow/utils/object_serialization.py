"""`serialize_keras_object` / `deserialize_keras_object`: any configurable object (layer, model,
loss, metric, optimizer, schedule, initializer, regularizer, constraint, activation) or plain value
to JSON-ready data and back, in Keras 3's layout:

    {'module': 'neuroflow.layers', 'class_name': 'Dense', 'config': {...}, 'registered_name': None}

Built-in classes name their public module ('neuroflow.layers'; Keras' 'keras.layers' is read as
well); a user's class names its own module and its registered name ('package>Name'). A function is
{'module': 'builtins', 'class_name': 'function', 'config': 'relu', 'registered_name': 'function'} as
Keras writes it. Classes resolve through the one registry (utils/registry.py), so a custom class
loads when registered, in a `custom_object_scope`, or passed as `custom_objects`.
"""
import inspect

import numpy

from neuroflow.utils import registry
from neuroflow.utils.serialization import jsonable, shape_list

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

# registry family -> the public module built-in classes of that family are saved under.
FAMILY_MODULES = {
    "layers": "neuroflow.layers", "losses": "neuroflow.losses", "metrics": "neuroflow.metrics",
    "optimizers": "neuroflow.optimizers", "schedules": "neuroflow.optimizers.schedules",
    "initializers": "neuroflow.initializers", "regularizers": "neuroflow.regularizers",
    "constraints": "neuroflow.constraints", "activations": "neuroflow.activations",
}
# Families searched for a function saved by name, in Keras' order of likelihood.
FUNCTION_FAMILIES = ("activations", "losses", "metrics", "initializers", "regularizers", "constraints")
PLAIN_TYPES = (str, int, float, bool)


def _family_of(cls):
    for family in FAMILY_MODULES:
        if registry.builtins(family).get(cls.__name__) is cls:
            return family
    return None


def serialize_keras_object(obj):
    """`obj` as JSON-ready data that `deserialize_keras_object` turns back into an equal object.

    Plain values (None, str, numbers, bool) stay as they are; lists, tuples and dicts are serialized
    item by item; NumPy arrays become {'class_name': '__numpy__', ...}; objects with `get_config`
    become Keras' {'module', 'class_name', 'config', 'registered_name'} (layers and models also
    'build_config' when built, models 'compile_config' when compiled); functions their name.

    Raises:
        TypeError: for an object that has neither `get_config` nor a name.
    """
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(item) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {str(key): serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": obj.start, "stop": obj.stop, "step": obj.step}}
    if isinstance(obj, numpy.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (numpy.generic, numpy.ndarray)):
        return obj.item()
    if isinstance(obj, type) or (callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__")):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it is neither a plain value, a function, nor an object with "
                        "get_config()")
    cls = type(obj)
    family = _family_of(cls)
    builtin = family is not None and registry.is_builtin(cls)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {obj} should return a dict. It returned: {config}")
    module = FAMILY_MODULES[family] if builtin else cls.__module__
    if builtin and cls.__module__.startswith("neuroflow.models"):
        module = "neuroflow.models"
    entry = {"module": module, "class_name": cls.__name__,
             "config": jsonable(_serialize_values(config), getattr(obj, "name", cls.__name__)),
             "registered_name": None if builtin else registry.get_registered_name(cls)}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        entry["build_config"] = {key: shape_list(value) if key == "input_shape" else serialize_keras_object(value)
                                 for key, value in build_config.items()}
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        entry["compile_config"] = serialize_keras_object(compile_config)
    return entry


def _serialize_values(config):
    # Configs may hold objects (an optimizer's schedule, a wrapper's layer): serialize those too.
    return {key: value if value is None or isinstance(value, PLAIN_TYPES) else serialize_keras_object(value)
            for key, value in config.items()}


def _serialize_function(fn):
    name = registry.get_registered_name(fn)
    if getattr(fn, "_registered_name", None):
        return {"module": fn.__module__, "class_name": "function", "config": name, "registered_name": name}
    return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}


def _family_from_module(module):
    """'keras.layers' / 'neuroflow.optimizers.schedules' -> 'layers' / 'schedules' (None if unknown)."""
    parts = str(module or "").split(".")
    if parts[0] not in ("keras", "neuroflow"):
        return None
    if parts[1:3] == ["optimizers", "schedules"]:
        return "schedules"
    name = parts[1] if len(parts) > 1 else ""
    return "layers" if name == "models" else name if name in FAMILY_MODULES else None


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object (or value) `serialize_keras_object` described.

    Args:
        config: the serialized data.
        custom_objects: a dict of names -> classes or functions, searched first.
        safe_mode: accepted for Keras compatibility (neuroflow never deserializes code).

    Raises:
        ValueError: a class or function name that is neither built in, registered, nor in custom_objects.
    """
    if config is None or isinstance(config, PLAIN_TYPES):
        if isinstance(config, str) and custom_objects and config in custom_objects:
            return custom_objects[config]
        return config
    if isinstance(config, (list, tuple)):
        items = [deserialize_keras_object(item, custom_objects) for item in config]
        return tuple(items) if isinstance(config, tuple) else items
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects) for key, value in config.items()}
    class_name, inner = config["class_name"], config["config"]
    special = _deserialize_special(class_name, inner)
    if special is not _NOT_SPECIAL:
        return special
    if class_name == "function":
        return _deserialize_function(config, custom_objects)
    cls = _resolve(config, custom_objects)
    inner = {key: _deserialize_nested(value, custom_objects) for key, value in (inner or {}).items()}
    if str(config.get("module") or "").startswith("keras"):
        inner = _from_keras(cls, inner)
    obj = registry.from_config(cls, inner, custom_objects)
    build = config.get("build_config")
    if build and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
        obj.build_from_config(build)
    return obj


_NOT_SPECIAL = object()


def _from_keras(cls, inner):
    """A config written by Keras, for neuroflow's `cls`: its dtype policy as a dtype name, and the
    arguments of newer Keras versions that neuroflow lacks dropped while they hold their default (None).

    Raises:
        ValueError: an argument neuroflow lacks with a value set, naming it.
    """
    dtype = inner.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name", "").endswith("DTypePolicy"):
        inner = {**inner, "dtype": (dtype.get("config") or {}).get("name")}
    try:
        parameters = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return inner
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return inner
    unknown = [key for key in inner if key not in parameters]
    set_values = [key for key in unknown if inner[key] is not None]
    if set_values:
        raise ValueError(f"Keras' {cls.__name__} config sets {set_values}, which neuroflow's {cls.__name__} does not "
                         "support")
    return {key: value for key, value in inner.items() if key not in unknown}


def _deserialize_special(class_name, inner):
    if class_name == "__numpy__":
        return numpy.asarray(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__slice__":
        return slice(inner["start"], inner["stop"], inner["step"])
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__tensor__":
        return numpy.asarray(inner["value"], dtype=inner["dtype"])
    if class_name == "__lambda__":
        raise ValueError("Refusing to deserialize a `lambda`: neuroflow does not load code from configs. Register a "
                         "named function with @neuroflow.saving.register_keras_serializable() instead.")
    return _NOT_SPECIAL


def _deserialize_nested(value, custom_objects):
    # Only nested *serialized objects* are rebuilt; other dict values (a layer's initializer configs)
    # are left for the class's from_config, which knows its own arguments.
    if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__bytes__", "__slice__", "__tensor__"):
        return deserialize_keras_object(value, custom_objects)
    return value


def _deserialize_function(config, custom_objects):
    name = config["config"]
    registered = config.get("registered_name")
    for key in (registered, name):
        if key and key != "function":
            found = registry.get_custom_object(key, custom_objects)
            if found is not None:
                return found
    family = _family_from_module(config.get("module"))
    for candidate in ((family,) if family else ()) + FUNCTION_FAMILIES:
        found = registry.builtins(candidate).get(name)
        if found is not None:
            return found
    raise ValueError(f"Unknown function {name!r} in the serialized config. If it is a custom function, pass "
                     f"custom_objects={{{name!r}: {name}}}, or decorate it with "
                     "@neuroflow.saving.register_keras_serializable().")


def _resolve(config, custom_objects):
    class_name = config["class_name"]
    for key in (config.get("registered_name"), class_name):
        if key:
            found = registry.get_custom_object(key, custom_objects)
            if found is None and ">" in key:
                found = registry.get_custom_object(key.split(">")[-1], custom_objects)
            if found is not None:
                return found
    family = _family_from_module(config.get("module"))
    families = (family,) if family else tuple(FAMILY_MODULES)
    for candidate in families:
        found = registry.builtins(candidate).get(class_name)
        if isinstance(found, type):
            return found
    raise ValueError(f"Unknown class {class_name!r} (module {config.get('module')!r}) in the serialized config. If it "
                     f"is a custom class, pass custom_objects={{{class_name!r}: {class_name}}}, or decorate it with "
                     "@neuroflow.saving.register_keras_serializable().")
