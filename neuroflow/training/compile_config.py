"""A model's compile settings as a config (Keras' `get_compile_config` / `compile_from_config`).

    {"optimizer": ..., "loss": ..., "loss_weights": ..., "metrics": ..., "weighted_metrics": ...,
     "run_eagerly": ..., "steps_per_execution": ..., "jit_compile": ...}

Keras' keys, with loss_weights and weighted_metrics as `compile` was given them.

Built-in losses and metrics are written by name ('mse', 'accuracy'); objects with `get_config`
as {'class_name', 'config'}; the optimizer as the optimizer's serialized form. Every saving format
starts from this config (the Keras formats translate it into Keras' spelling).
"""
from neuroflow import losses, metrics, optimizers
from neuroflow.utils import registry
from neuroflow.utils.registry import get_registered_name
from neuroflow.utils.serialization import jsonable


def _serialize_identifier(value):
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return {k: _serialize_identifier(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_identifier(v) for v in value]
    if hasattr(value, "get_config"):
        return {"class_name": get_registered_name(type(value)), "config": jsonable(value.get_config(), "compile")}
    return get_registered_name(value)


def get_compile_config(model):
    """The arguments `model.compile` was given, as a JSON-safe dict (None when not compiled)."""
    if not model.compiled:
        return None
    metric_list = model._compile_metrics
    arguments = model.__dict__.get("_compile_arguments", {})
    return {
        "optimizer": _serialize_identifier(model.optimizer),
        "loss": _serialize_identifier(model.loss),
        "loss_weights": _serialize_identifier(arguments.get("loss_weights")),
        "metrics": _serialize_identifier(metric_list.requested if len(model.output_names) > 1
                                         else metric_list.requested[0]),
        "weighted_metrics": _serialize_identifier(arguments.get("weighted_metrics")),
        "run_eagerly": model.run_eagerly,
        "steps_per_execution": arguments.get("steps_per_execution", 1),
        "jit_compile": arguments.get("jit_compile", False),
    }


def _deserialize_identifier(value, module, custom_objects):
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        custom = registry.get_custom_object(value["class_name"], custom_objects)
        return module.get(value) if custom is None else custom.from_config(value["config"])
    if isinstance(value, str):
        custom = registry.get_custom_object(value, custom_objects)
        return custom if custom is not None else value
    if isinstance(value, list):
        return [_deserialize_identifier(v, module, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _deserialize_identifier(v, module, custom_objects) for k, v in value.items()}
    return value


def compile_from_config(model, config, custom_objects=None):
    """Compiles `model` with the settings `get_compile_config` wrote (custom losses and metrics
    found through `custom_objects` and the registry)."""
    optimizer = optimizers.get(config["optimizer"])
    loss = _deserialize_identifier(config["loss"], losses, custom_objects)
    metric_list = _deserialize_identifier(config["metrics"], metrics, custom_objects)
    weighted = _deserialize_identifier(config.get("weighted_metrics"), metrics, custom_objects)
    model.compile(optimizer=optimizer, loss=loss, loss_weights=config.get("loss_weights"), metrics=metric_list,
                  weighted_metrics=weighted, run_eagerly=bool(config.get("run_eagerly", False)),
                  steps_per_execution=config.get("steps_per_execution", 1), jit_compile=config.get("jit_compile", "auto"))
