"""Binding the Keras arguments of a class that neuroflow builds at run time around a function."""


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
