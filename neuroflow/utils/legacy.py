"""`keras.utils.legacy`: the Keras 2 serialization layout, {'class_name', 'config'} (a function by
its name), for code and files that still use it."""
from neuroflow.utils import registry
from neuroflow.utils.serialization import jsonable


def serialize_keras_object(instance):
    """Keras 2's `{'class_name': ..., 'config': ...}` of an object, the name of a function, None for None.

    Raises:
        ValueError: an object with neither `get_config` nor a name.
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = instance.get_config()
        return {"class_name": registry.get_registered_name(type(instance)),
                "config": jsonable(config, getattr(instance, "name", type(instance).__name__))}
    if hasattr(instance, "__name__"):
        return registry.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance}: it has neither get_config() nor a name")


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None, printable_module_name="object"):
    """The object a Keras 2 config or name describes, looked up in custom_objects, the registrations,
    `module_objects`, then neuroflow's built-ins.

    Raises:
        ValueError: an unknown name, naming `printable_module_name`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {identifier}. Expecting python dict contains `class_name` "
                             "and `config` as keys")
        cls = _lookup(identifier["class_name"], module_objects, custom_objects, printable_module_name)
        return registry.from_config(cls, dict(identifier["config"] or {}), custom_objects) \
            if hasattr(cls, "from_config") else cls(**identifier["config"])
    if isinstance(identifier, str):
        found = _lookup(identifier, module_objects, custom_objects, printable_module_name)
        return found() if isinstance(found, type) else found
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")


def _lookup(name, module_objects, custom_objects, printable_module_name):
    found = registry.get_registered_object(name, custom_objects, module_objects)
    if found is None:
        for family in ("layers", "losses", "metrics", "optimizers", "schedules", "initializers", "regularizers",
                       "constraints", "activations"):
            found = registry.builtins(family).get(name)
            if found is not None:
                break
    if found is None:
        raise ValueError(f"Unknown {printable_module_name}: '{name}'. Please ensure you are using a "
                         "`neuroflow.utils.custom_object_scope` and that this object is included in the scope.")
    return found
