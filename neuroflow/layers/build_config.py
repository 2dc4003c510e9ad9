"""A layer's build config, as Keras' `get_build_config` / `build_from_config` write and read it:

    {"input_shape": (None, 784)}                               the shape `build(input_shape)` took
    {"shapes_dict": {"query_shape": ..., "value_shape": ...}}  a layer whose `build` takes several
                                                               shapes by name (MultiHeadAttention)

A layer records the first in `_build_input_shape` when it builds, the second in
`_build_shapes_dict` (the attention layers, on their first call).
"""
import numpy


def is_shape(value):
    """Whether `value` is one shape (a tuple of sizes or None), not a structure of them."""
    return isinstance(value, tuple) and all(d is None or isinstance(d, (int, numpy.integer)) for d in value)


def build_config(layer):
    """The layer's build config (None if it was never built from a shape)."""
    shapes = layer.__dict__.get("_build_shapes_dict")
    if shapes is not None:
        return {"shapes_dict": shapes}
    shape = layer.__dict__.get("_build_input_shape")
    return None if shape is None else {"input_shape": shape}


def build_from_config(layer, config):
    """Builds an unbuilt `layer` from what `build_config` returned, as loading a saved model does."""
    if layer.built:
        return
    shapes = (config or {}).get("shapes_dict")
    if shapes is not None:
        layer._build_shapes_dict = {key: tuple(shape) for key, shape in shapes.items()}
        layer.build(**layer._build_shapes_dict)
        layer.built = True
        return
    shape = (config or {}).get("input_shape")
    if shape is not None:
        shape = tuple(shape) if is_shape(tuple(shape)) else [tuple(s) for s in shape]
        layer._build_input_shape = shape
        layer.build(shape)
        layer.built = True
