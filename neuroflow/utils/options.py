"""Binding and forwarding constructor arguments: Keras signatures without a second list of them."""
import inspect


def bind_options(class_name, defaults, args, kwargs, accepted):
    """`defaults` updated by positional `args` (in the defaults' order), then by `kwargs`.

    The built-in loss and metric classes are made by a factory, so their constructors take
    `*args, **kwargs` and check them here against the function's own arguments.

    Raises:
        TypeError: for a keyword that is not one of the defaults; the message lists `accepted`.
    """
    options = dict(defaults)
    options.update(zip(defaults, args))
    for key, value in kwargs.items():
        if key not in options:
            raise TypeError(f"{class_name} got an unexpected argument {key!r}; accepted: {', '.join(accepted)}")
        options[key] = value
    return options


def parameter_names(function):
    """The names of `function`'s parameters but the first (self) and a last **kwargs."""
    names = list(inspect.signature(function).parameters.values())[1:]
    if names and names[-1].kind is inspect.Parameter.VAR_KEYWORD:
        names = names[:-1]
    return tuple(parameter.name for parameter in names)


def forwarded_arguments(names, arguments):
    """The `names` found in a subclass constructor's `locals()`, with its **kwargs added.

    Keras writes the base class' arguments into every subclass' signature (users read signatures);
    `super().__init__(**forwarded_arguments(BASE_NAMES, locals()))` passes them on without a second list.
    """
    forwarded = {name: arguments[name] for name in names if name in arguments}
    forwarded.update(arguments.get("kwargs", ()))
    return forwarded
