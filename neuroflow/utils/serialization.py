"""Serialize / deserialize / get for the small configurable families (optimizers, schedules,
initializers, regularizers, constraints).

Names resolve through the registry (utils/registry.py `lookup`), whatever their spelling of case
and underscores. Serialized objects use Keras 3's layout: {'module', 'class_name', 'config', 'registered_name'}.
"""
from neuroflow.utils.registry import lookup


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
