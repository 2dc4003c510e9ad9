"""One name registry for classes: built-in layers and models, custom objects, and saving.

    @neuroflow.saving.register_keras_serializable(package="my_package")
    class MyLayer(neuroflow.layers.Layer): ...

Configs name classes by `class_name`; loading looks them up here, in `custom_objects`, then in
the built-in layers and models.
"""
import contextlib

_custom_objects = {}
_scope_stack = []


def register_keras_serializable(package="Custom", name=None):
    """Registers a class or function under '<package>>name' and its plain name, for loading."""
    def decorator(obj):
        key = name or obj.__name__
        _custom_objects[f"{package}>{key}"] = obj
        _custom_objects[key] = obj
        obj._registered_name = f"{package}>{key}"
        return obj
    return decorator


register_serializable = register_keras_serializable


def get_registered_name(obj):
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None):
    return get_custom_object(name, custom_objects)


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Makes `custom_objects` visible to every load inside the block."""
    _scope_stack.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _scope_stack.pop()


CustomObjectScope = custom_object_scope


def get_custom_object(name, custom_objects=None):
    """The object registered under `name` (custom_objects first, then scopes, then registrations)."""
    for table in [custom_objects or {}] + list(reversed(_scope_stack)) + [_custom_objects]:
        if name in table:
            return table[name]
    return None


def builtin_classes():
    """Every built-in layer and model class by name."""
    from neuroflow import layers, models

    table = {}
    for module in (layers, models):
        for key in dir(module):
            value = getattr(module, key)
            if isinstance(value, type):
                table[key] = value
    return table


def resolve_class(class_name, custom_objects=None):
    """The class for `class_name`, or a ValueError naming it and how to register it."""
    found = get_custom_object(class_name, custom_objects)
    if found is None and ">" in class_name:
        found = get_custom_object(class_name.split(">")[-1], custom_objects)
    if found is None:
        found = builtin_classes().get(class_name)
    if found is None:
        raise ValueError(f"Unknown layer or model class {class_name!r} in the saved config. If it is a custom class, "
                         f"pass custom_objects={{{class_name!r}: {class_name}}} to load_model, or decorate it with "
                         "@neuroflow.saving.register_keras_serializable().")
    return found
