"""Options Keras 3 writes in layer configs that neuroflow has no use for, at their inert values.

A Keras 3.15 `Dense` config carries `quantization_config: None`, a `LayerNormalization` one
`rms_scaling: False`, a `BatchNormalization` one `renorm: False` ...: options of features that
neuroflow does not have, written even when unused. `Layer.from_config` (and so
`layers.deserialize`) and the Keras file formats (saving/keras_config.py) drop them at the values
that leave them unused; at any other value they are refused by name, never dropped silently. A
layer class lists its own such options in `keras_inert_options`; `INERT_KERAS_OPTIONS` holds those
of every class.
"""
import inspect

# {Keras-only config key: tuple of inert values, or None for any value (used elsewhere)}.
INERT_KERAS_OPTIONS = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,), "optional": (False,),
    "sparse": (False,), "ragged": (False,), "input_axes": (None,), "output_axes": (None,),
    "autocast": (True,), "build_input_shape": None,
}

_accepted = {}


def accepted_arguments(cls, base):
    """The keyword arguments `cls(...)` accepts: its own and, through **kwargs, those of the classes
    above it, up to `base` (the Layer class, whose **kwargs take only Keras' own few)."""
    if cls in _accepted:
        return _accepted[cls]
    names = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        parameters = inspect.signature(klass.__init__).parameters
        names.update(name for name, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        variadic = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        if not variadic or klass is base:
            break
    names.discard("self")
    _accepted[cls] = names
    return names


def inert_options(cls):
    """{key: inert values} for `cls`: the shared table and the class's own `keras_inert_options`."""
    return dict(INERT_KERAS_OPTIONS, **getattr(cls, "keras_inert_options", {}))


def drop_inert_options(cls, config, base):
    """`config` without the Keras-only options `cls` does not take, when they are at inert values.

    Raises:
        ValueError: for such an option at a value that would mean something (a quantized layer's
            `quantization_config`, `rms_scaling=True`), naming the class and the option.
    """
    inert = inert_options(cls)
    if not any(key in inert for key in config):
        return config
    accepted = accepted_arguments(cls, base)
    kept = {}
    for key, value in config.items():
        if key in accepted or key not in inert:
            kept[key] = value
        elif inert[key] is not None and value not in inert[key]:
            raise ValueError(f"{cls.__name__} config has option {key}={value!r}, which neuroflow's {cls.__name__} does "
                             f"not support (it accepts {key}={inert[key][0]!r} only, the value that leaves it unused)")
    return kept
