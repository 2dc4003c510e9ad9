"""Serialize / deserialize / get for the small configurable families (optimizers, schedules,
initializers, regularizers, constraints), and the nested layer entries of wrapper and model configs.

Names resolve through the registry (utils/registry.py `lookup`), whatever their spelling of case
and underscores. Serialized objects use Keras 3's layout: {'module', 'class_name', 'config', 'registered_name'}.
"""
import numpy

from neuroflow.utils import registry
from neuroflow.utils.registry import get_registered_name, lookup


def serialize_object(instance, module):
    """Keras 3's serialized form of a configurable object.

    Args:
        instance: an object with `get_config()`.
        module: the public module it lives in, e.g. 'neuroflow.optimizers'.

    Returns:
        `{'module': ..., 'class_name': ..., 'config': ..., 'registered_name': ...}`.
    """
    cls = type(instance)
    builtin = cls.__module__.startswith("neuroflow.")
    return {
        "module": module if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": instance.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def serialize_instance_or_function(obj, base, kind):
    """{'class_name', 'config'} for an instance of `base`, the name of a named function (losses, metrics).

    Raises:
        ValueError: for anything else, naming `kind` and `base`.
    """
    if isinstance(obj, base):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    raise ValueError(f"Cannot serialize {kind} {obj!r}: expected a {base.__name__} or a function")


def deserialize_object(kind, config, known, custom_objects=None, build=None):
    """Rebuilds an object from `{'class_name': ..., 'config': ...}` (or a bare class name).

    Args:
        kind: used in error messages.
        config: the serialized dict, or a string name (an instance with default arguments).
        known: dict of canonical name -> class.
        custom_objects: optional extra names -> classes.
        build: optional `build(cls, config_dict)`; defaults to `cls.from_config(config_dict)`.

    Raises:
        ValueError: for a dict without 'class_name', or an unknown class name.
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize a {kind} from {config!r}: expected a dict with 'class_name' "
                         "and 'config' keys (the output of serialize), or a name")
    cls = lookup(kind, config["class_name"], known, custom_objects)
    inner = dict(config.get("config") or {})
    if build is not None:
        return build(cls, inner)
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def get_object(kind, identifier, known, deserialize, expected):
    """The `get` of a configurable family (initializers, regularizers, constraints), as Keras' is.

    Args:
        kind: the family's singular name, for the error message ('initializer', ...).
        identifier: None (gives None), a config dict (goes to `deserialize`), a name (the class or
            factory it names, called with no arguments), a class (instantiated with defaults), or
            any other callable (returned unchanged).
        known: dict of names -> classes or factories, for `lookup`.
        deserialize: the family's `deserialize(config)`.
        expected: the end of the error message, what an identifier may be ("a name such as ...").

    Raises:
        ValueError: for an unknown name (with the closest known one) or an uninterpretable value.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(kind, identifier, known)()
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. Expected {expected}.")


def serialize_layer(layer, build_shape=None):
    """A layer or model as Keras 3 serializes one, JSON-safe, as wrappers and models nest them:
    {'module', 'class_name', 'config', 'registered_name'} and, when the input shape it was built for
    is known, 'build_config'. Built-in classes name their public module ('neuroflow.layers').

    Args:
        layer: the layer (or model).
        build_shape: the input shape it was built for, when the caller knows it better.
    """
    cls = type(layer)
    builtin = registry.is_builtin(cls)
    module = cls.__module__
    if builtin:
        module = "neuroflow.models" if module.startswith("neuroflow.models") else "neuroflow.layers"
    entry = {"module": module, "class_name": cls.__name__, "config": jsonable(layer.get_config(), layer.name),
             "registered_name": None if builtin else get_registered_name(cls)}
    shape = build_shape if build_shape is not None else getattr(layer, "_build_input_shape", None)
    if shape is not None:
        entry["build_config"] = {"input_shape": shape_list(shape)}
    return entry


def deserialize_layer(entry, custom_objects=None):
    """The layer (or model) `serialize_layer` described, its class found through the registry
    (by its registered name first, as Keras does).

    Raises:
        UnknownClassError: for a class that is neither built in, registered, nor in custom_objects.
    """
    name = entry.get("registered_name") or entry["class_name"]
    return registry.from_config(registry.resolve_class(name, custom_objects), entry["config"], custom_objects)


def shape_list(shape):
    """A shape (or a nest of shapes) as JSON lists of ints and None."""
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: shape_list(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [shape_list(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def jsonable(value, owner):
    """`value` with NumPy scalars and arrays as Python numbers and lists, ready for json.dumps.

    Raises:
        TypeError: for a value JSON cannot hold, naming `owner` (the layer or model whose config it is).
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v, owner) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, owner) for v in value]
    if isinstance(value, (numpy.integer,)):
        return int(value)
    if isinstance(value, (numpy.floating,)):
        return float(value)
    if isinstance(value, numpy.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"Cannot serialize {type(value).__name__} ({value!r}) in the config of '{owner}': get_config "
                    "must return JSON-compatible values (numbers, strings, lists, dicts)")


def encode_params(params):
    """An op's parameters as JSON: slices (and tuples holding them) become {"__index__", "tuple"}."""
    encoded = {}
    for key, value in params.items():
        if isinstance(value, slice) or (isinstance(value, tuple) and any(isinstance(v, slice) for v in value)):
            items = value if isinstance(value, tuple) else (value,)
            encoded[key] = {"__index__": [[i.start, i.stop, i.step] if isinstance(i, slice) else i for i in items],
                            "tuple": isinstance(value, tuple)}
        else:
            encoded[key] = value
    return encoded


def decode_params(params):
    """The inverse of `encode_params` (JSON lists become tuples again)."""
    decoded = {}
    for key, value in params.items():
        if isinstance(value, dict) and "__index__" in value:
            items = tuple(slice(*i) if isinstance(i, list) else i for i in value["__index__"])
            decoded[key] = items if value["tuple"] else items[0]
        elif isinstance(value, list):
            decoded[key] = tuple(value)
        else:
            decoded[key] = value
    return decoded
