"""Keras' `keras.dtype_policies`: DTypePolicy and its get / serialize / deserialize.

The quantized policies (int8, int4, float8, GPTQ, AWQ) are Keras' quantization work, outside
neuroflow's scope.
"""
from neuroflow.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    dtype_policy,
    reset_dtype_policy,
    set_dtype_policy,
)
from neuroflow.dtype_policies.dtype_policy_map import DTypePolicyMap

_CLASSES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy, "DTypePolicyMap": DTypePolicyMap}


def serialize(dtype_policy):
    """A policy's config in Keras' serialized form ({'module', 'class_name', 'config', 'registered_name'})."""
    return {"module": "keras", "class_name": type(dtype_policy).__name__, "config": dtype_policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The policy of a `serialize` result (or of a plain {'class_name', 'config'} dict)."""
    classes = dict(_CLASSES, **(custom_objects or {}))
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in classes:
        raise ValueError(f"Could not deserialize a dtype policy: unknown class_name {name!r}. Received: config={config!r}")
    return classes[name].from_config(config.get("config", {}))


def get(identifier):
    """A DTypePolicy from None (the global policy), a name, a serialized dict or a policy.

    Raises:
        ValueError: for any other identifier.
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError(f"Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                     f"Received: dtype={identifier!r}")


__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "dtype_policy", "get",
           "reset_dtype_policy", "serialize", "set_dtype_policy"]
