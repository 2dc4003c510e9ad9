"""Keras 3's config.json: neuroflow models to Keras' serialized layout and back.

    {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}

Configs are translated key by key (saving/keras_arguments.py). Nested layers: wrapper configs hold
the inner layers' full Keras entries. Keras' functional configs also record the ops that trace a
Masking / Embedding(mask_zero=True) mask (NotEqual, Any); they are skipped on reading, since
neuroflow propagates masks itself, and never written. The `.keras` and legacy `.h5` formats both
read and write their configs here.
"""
import warnings
from functools import partial

from neuroflow import backend, optimizers
from neuroflow.layers.core import Lambda
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.symbolic import KerasTensor, _OpCall
from neuroflow.saving.keras_arguments import (
    LAYERS,
    WRAPPED_LAYER_KEYS,
    dtype_from_keras,
    dtype_policy,
    fit_arguments,
    layer_arguments,
    to_keras_modules,
)
from neuroflow.training.compile_config import compile_from_config
from neuroflow.utils import registry
from neuroflow.utils.registry import get_custom_object, get_registered_name
from neuroflow.utils.serialization import jsonable, shape_list

# The registry's live table of layer and model classes. Sequential, Functional and Model are found
# here by name, as configs name them: saving sits above models, and models reach saving only through
# Model.save, so no import ties the two into a circle.
_BUILTIN_LAYERS = registry.builtins("layers")


# ---- Keras config -> neuroflow objects --------------------------------------------------------

def model_from_keras(config, custom_objects=None):
    """A neuroflow model from the content of a Keras config.json (not yet holding the saved weights)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("config.json does not describe a model (no 'class_name')")
    model = layer_from_keras(config, custom_objects)
    if not isinstance(model, _BUILTIN_LAYERS["Model"]):
        raise ValueError(f"config.json describes a {config['class_name']} layer, not a model")
    _build_from_config(model, config.get("build_config"))
    return model


def _resolve_keras_class(spec_dict, custom_objects, where):
    """(class, is_builtin) for a serialized layer or model."""
    class_name = spec_dict.get("class_name")
    registered = spec_dict.get("registered_name")
    module = spec_dict.get("module") or ""
    # A registered name that is not Keras' own ('package>Name') or a name in custom_objects is custom.
    for key in ([registered] if registered and registered != class_name else []) + [class_name]:
        found = get_custom_object(key, custom_objects)
        if found is not None and (key == registered or not module.startswith("keras")):
            return found, False
    if module == "neuroflow.layers" and class_name in _BUILTIN_LAYERS:
        # A neuroflow-only layer in neuroflow's own format: its config is its own get_config.
        return _BUILTIN_LAYERS[class_name], False
    if class_name == "Sequential":
        return _BUILTIN_LAYERS["Sequential"], True
    if class_name in ("Functional", "Model") and "layers" in (spec_dict.get("config") or {}):
        return _BUILTIN_LAYERS["Functional"], True
    if module.startswith("keras") and class_name in LAYERS:
        cls = _BUILTIN_LAYERS.get(LAYERS[class_name].name or class_name)
        if cls is not None:
            return cls, True
        raise ValueError(f"{where}: Keras layer class {class_name!r} is not supported by neuroflow yet")
    found = get_custom_object(class_name, custom_objects)
    if found is not None:
        return found, False
    if module.startswith("keras"):
        supported = sorted(n for n, s in LAYERS.items() if (s.name or n) in _BUILTIN_LAYERS)
        raise ValueError(f"{where}: Keras layer class {class_name!r} is not supported by neuroflow. Supported Keras "
                         f"layers: {', '.join(supported)}")
    raise ValueError(f"{where}: unknown class {class_name!r} (registered name {registered!r}, module {module!r}). If it "
                     f"is a custom class, pass custom_objects={{{(registered or class_name)!r}: TheClass}} to "
                     "load_model, or decorate it with @neuroflow.saving.register_keras_serializable().")


# Ops Keras' functional API records when it traces the mask of Masking / Embedding(mask_zero=True);
# ConvertToTensor is Attention.compute_mask passing the query mask on.
_MASK_OPS = {"NotEqual", "Any", "ConvertToTensor"}


def layer_from_keras(spec_dict, custom_objects=None):
    """A neuroflow layer (or model) from one entry of a Keras config (`{'class_name', 'config', ...}`);
    None for one of the ops Keras traces for a mask in a functional graph (neuroflow propagates masks
    itself: Functional.from_config skips them).

    Raises:
        ValueError: for a class neuroflow lacks, an option it does not support, or a Lambda layer
            holding Python bytecode.
    """
    class_name = spec_dict.get("class_name")
    if class_name in _MASK_OPS and (spec_dict.get("module") or "").startswith("keras.src.ops"):
        return None
    config = dict(spec_dict.get("config") or {})
    where = f"Layer {class_name} '{config.get('name', '?')}'"
    cls, builtin = _resolve_keras_class(spec_dict, custom_objects, where)
    if cls is _BUILTIN_LAYERS["Sequential"]:
        return _sequential_from_keras(config, custom_objects)
    if cls is _BUILTIN_LAYERS["Functional"]:
        return _functional_from_keras(config, custom_objects)
    if not builtin:
        if "dtype" in config:
            config["dtype"] = dtype_from_keras(config["dtype"], where)
        layer = registry.from_config(cls, config, custom_objects)
        _build_from_config(layer, spec_dict.get("build_config"))
        return layer
    if class_name == "Lambda":
        return _lambda_from_keras(config, where, custom_objects)
    if class_name == "InputLayer":
        config.pop("input_shape", None)
        kwargs = fit_arguments(InputLayer, config, where)
        kwargs["dtype"] = dtype_from_keras(kwargs.get("dtype"), where)
        return InputLayer(**kwargs)
    for key in WRAPPED_LAYER_KEYS.get(class_name, ()):
        if isinstance(config.get(key), dict):
            config[key] = layer_from_keras(config[key], custom_objects)
    kwargs = layer_arguments(cls, config, LAYERS[class_name], where, custom_objects)
    try:
        layer = cls(**kwargs)
    except (ValueError, NotImplementedError) as error:
        # The layer's own check names the argument; say which layer of the file it came from.
        kind = NotImplementedError if isinstance(error, NotImplementedError) else ValueError
        raise kind(f"{where} in the Keras file cannot be built in neuroflow: {error}") from None
    return layer


def _lambda_from_keras(config, where, custom_objects):
    function = config.get("function")
    if isinstance(function, dict) and function.get("class_name") == "__lambda__":
        raise ValueError(f"{where} stores its function as Python bytecode, which neuroflow never executes from a "
                         "file. Rebuild this part of the model in code, or replace the Lambda with a custom layer "
                         "decorated with @neuroflow.saving.register_keras_serializable().")
    name = function.get("config") if isinstance(function, dict) else function
    resolved = None
    if isinstance(function, dict) and function.get("registered_name") not in (None, "function"):
        resolved = get_custom_object(function["registered_name"], custom_objects)
    resolved = resolved or get_custom_object(name, custom_objects)
    if resolved is None:
        raise ValueError(f"{where} calls function {name!r}; pass it in custom_objects={{{name!r}: fn}} to load it")
    kwargs = fit_arguments(Lambda, {k: v for k, v in config.items() if k not in ("function", "output_shape", "mask")},
                            where)
    kwargs["dtype"] = dtype_from_keras(kwargs.get("dtype"), where)
    return Lambda(resolved, **kwargs)


def _zeros_for(shape):
    if isinstance(shape, dict):
        return {k: _zeros_for(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, dict)):
        return [_zeros_for(s) for s in shape]
    return backend.xp.zeros(tuple(1 if d is None else d for d in shape), dtype=backend.floatx())


def _build_from_config(layer, build_config):
    """Builds a custom layer or subclassed model for the input shape Keras recorded (by calling it on zeros)."""
    if layer.built or not build_config or build_config.get("input_shape") is None:
        return
    shape = build_config["input_shape"]
    if isinstance(layer, _BUILTIN_LAYERS["Model"]):
        layer(_zeros_for(shape))
    else:
        layer._build_from(_placeholders(shape))


def _placeholders(shape):
    if isinstance(shape, dict):
        return {k: _placeholders(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, dict)):
        return [_placeholders(s) for s in shape]
    return KerasTensor(tuple(shape))


def _sequential_from_keras(config, custom_objects):
    return _BUILTIN_LAYERS["Sequential"].from_config(config, deserialize=partial(layer_from_keras,
                                                                                custom_objects=custom_objects))


def _functional_from_keras(config, custom_objects):
    """Replays Keras' node list (Functional.from_config), each layer read from Keras' spelling."""
    return _BUILTIN_LAYERS["Functional"].from_config(config, deserialize=partial(layer_from_keras,
                                                                                custom_objects=custom_objects))


# ---- neuroflow objects -> Keras config --------------------------------------------------------

def _build_shape(layer, model_context=None):
    shape = getattr(layer, "_build_input_shape", None)
    return shape_list(shape) if shape is not None else None


def layer_to_keras(layer, build_shape=None, native=False):
    """Keras' serialized dict of one layer (or nested model).

    Args:
        layer: the layer or model.
        build_shape: the input shape it was built for, if the caller knows it better.
        native: for neuroflow's own format, which also holds what Keras has no counterpart for:
            neuroflow-only layers (module 'neuroflow.layers', their own config) and ops applied
            to placeholders (module 'neuroflow.ops').
    """
    cls = type(layer)
    if cls is _BUILTIN_LAYERS["Sequential"]:
        return _sequential_to_keras(layer, native)
    if cls is _BUILTIN_LAYERS["Functional"]:
        return _functional_to_keras(layer, native)
    if isinstance(layer, InputLayer):
        return {"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": shape_list(layer.batch_shape), "dtype": layer.dtype, "sparse": False,
                           "name": layer.name},
                "registered_name": None}
    config = dict(layer.get_config())
    builtin = registry.is_builtin(cls)
    if builtin and cls.__name__ not in LAYERS and native:
        entry = {"module": "neuroflow.layers", "class_name": cls.__name__, "config": jsonable(config, layer.name),
                 "registered_name": None}
        shape = build_shape if build_shape is not None else _build_shape(layer)
        if shape is not None:
            entry["build_config"] = {"input_shape": shape}
        return entry
    if builtin and cls.__name__ not in LAYERS:
        raise ValueError(f"Layer {cls.__name__} '{layer.name}' has no Keras counterpart in neuroflow's Keras format "
                         "table; save the model in neuroflow's own format instead (e.g. 'model.nfz')")
    if builtin and cls.__name__ == "Lambda":
        config = _lambda_to_keras(layer, config)
    if builtin and cls.__name__ == "Bidirectional":
        # Keras writes both directions (it rebuilds the backward layer from its own config).
        config["layer"] = layer_to_keras(layer.forward_layer, native=native)
        config["backward_layer"] = layer_to_keras(layer.backward_layer, native=native)
    if builtin and cls.__name__ == "TimeDistributed":
        config["layer"] = layer_to_keras(layer.layer, native=native)
    config.pop("batch_input_shape", None)
    for key in (LAYERS[cls.__name__].write_drop if builtin else ()):
        config.pop(key, None)
    if "dtype" in config and isinstance(config["dtype"], str):
        config["dtype"] = dtype_policy(config["dtype"])
    config = to_keras_modules(jsonable(config, layer.name))
    entry = {"module": "keras.layers" if builtin else cls.__module__, "class_name": cls.__name__, "config": config,
             "registered_name": None if builtin else get_registered_name(cls)}
    shape = build_shape if build_shape is not None else _build_shape(layer)
    if shape is not None and (layer.weights or not builtin or isinstance(layer, _BUILTIN_LAYERS["Model"])):
        entry["build_config"] = {"input_shape": shape}
    return entry


def _lambda_to_keras(layer, config):
    function = layer.function
    name = getattr(function, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"Lambda '{layer.name}' wraps an anonymous function; the .keras format would need its Python "
                         "bytecode, which neuroflow does not write. Use a named function (loaded back through "
                         "custom_objects) or a custom layer.")
    config = dict(config)
    config["function"] = {"module": getattr(function, "__module__", None), "class_name": "function", "config": name,
                          "registered_name": getattr(function, "_registered_name", None) or "function"}
    config.setdefault("arguments", {})
    return config


def _sequential_to_keras(model, native=False):
    if model._input_layer is None:
        raise ValueError(f"Sequential '{model.name}' has no known input shape, so its weights do not exist yet; build "
                         "it (model.build((None, ...)) or an Input first) before saving in the Keras format")
    config = model.get_config(serialize=partial(layer_to_keras, native=native))
    config["dtype"] = dtype_policy(config["dtype"])
    return {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None,
            "build_config": {"input_shape": config["build_input_shape"]}}


def _functional_to_keras(model, native=False):
    for node in model._nodes:
        if isinstance(node.operation, _OpCall) and not native:
            raise ValueError(f"Model '{model.name}' applies op '{node.operation.name}' directly to placeholders; the "
                             "Keras format stores layers only. Use the matching layer (e.g. layers.Add) or save in "
                             "neuroflow's own format.")
    config = model.get_config(serialize=partial(layer_to_keras, native=native))
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config,
            "registered_name": "Functional", "build_config": {"input_shape": None}}


def model_to_keras(model, native=False):
    """config.json's content for `model` (Sequential, Functional or a registered subclass); `native`
    as for `layer_to_keras`."""
    if type(model) in (_BUILTIN_LAYERS["Sequential"], _BUILTIN_LAYERS["Functional"]):
        entry = layer_to_keras(model, native=native)
    else:
        cls = type(model)
        if registry.is_builtin(cls):
            raise ValueError(f"Model class {cls.__name__} cannot be written in the Keras format")
        config = dict(model.get_config())
        if "dtype" in config and isinstance(config["dtype"], str):
            config["dtype"] = dtype_policy(config["dtype"])
        entry = {"module": cls.__module__, "class_name": cls.__name__,
                 "config": to_keras_modules(jsonable(config, model.name)),
                 "registered_name": get_registered_name(cls)}
        shape = _build_shape(model)
        if shape is None:
            raise ValueError(f"Model '{model.name}' ({cls.__name__}) has not been called yet, so the input shape to "
                             "rebuild it from is unknown; call it on a batch before saving")
        entry["build_config"] = {"input_shape": shape}
    entry["compile_config"] = compile_to_keras(model) if model.compiled else None
    return entry


# ---- compile settings ------------------------------------------------------------------------

_KERAS_MODULES = {"losses": "keras.losses", "metrics": "keras.metrics", "optimizers": "keras.optimizers"}


def _identifier_to_keras(value, family):
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        value = dict(value)
        value.setdefault("module", _KERAS_MODULES[family])
        value.setdefault("registered_name", None)
        return to_keras_modules(value)
    if isinstance(value, dict):
        return {k: _identifier_to_keras(v, family) for k, v in value.items()}
    if isinstance(value, list):
        return [_identifier_to_keras(v, family) for v in value]
    return value


def compile_to_keras(model):
    config = model.get_compile_config()
    optimizer = to_keras_modules(optimizers.serialize(model.optimizer))
    return {"optimizer": jsonable(optimizer, "optimizer"),
            "loss": _identifier_to_keras(config["loss"], "losses"),
            "loss_weights": config["loss_weights"],
            "metrics": _identifier_to_keras(config["metrics"], "metrics"),
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def compile_from_keras(model, config, custom_objects):
    if config.get("weighted_metrics"):
        warnings.warn("The Keras file's weighted_metrics are not restored; pass them to compile() again", stacklevel=3)
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        optimizer = dict(optimizer, config={k: v for k, v in optimizer["config"].items() if v is not None or k in (
            "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "ema_overwrite_frequency", "loss_scale_factor",
            "gradient_accumulation_steps", "name")})
    compile_from_config(model, {"optimizer": optimizer, "loss": config.get("loss"),
                                "loss_weights": config.get("loss_weights"), "metrics": config.get("metrics")},
                        custom_objects)
