"""Keras 3's file formats: the `.keras` zip and the weights-only `.weights.h5`.

    m.keras (zip)
      metadata.json     {"keras_version", "date_saved"}
      config.json       {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}
      model.weights.h5  one group per object Keras' saving walk visits:
                          layers/<name>/vars/0, 1, ...   a layer's own variables (trainable first)
                          layers/<name>/layers/...       the layers of a nested Sequential / Functional
                          <attribute>/vars/...           sub-layers of subclassed models, by attribute name
                          optimizer/vars/0, 1, ...       iterations, learning rate, then the slots
                          vars                           the model's own variables (usually none)

`<name>` is not the layer's name: inside a list of layers Keras names each entry by its snake-cased
class name with a counter (dense, dense_1, dropout, ...), in the list's order. For a functional model
that list is Keras' `model.layers` order (inputs included), which `_keras_layer_order` reproduces.

Configs are translated key by key: a Keras option neuroflow does not support, or a layer class it
does not have, is refused with an error naming it; it is never dropped silently. Keras-only options
at their inert defaults (`quantization_config=None`, `sparse=False`, ...) are accepted.

Nested layers: an RNN's variables live in its `cell` (<layer>/cell/vars), Bidirectional's under
forward_layer/ and backward_layer/, TimeDistributed's under layer/; wrapper configs hold the inner
layers' full Keras entries. Keras' functional configs also record the ops that trace a Masking /
Embedding(mask_zero=True) mask (NotEqual, Any); they are skipped on reading, since neuroflow
propagates masks itself, and never written.

To support one more layer class, add a `LayerSpec` to `LAYERS`: usually `LayerSpec()` is enough
(same class name and Keras' argument names); `rename` maps config keys, `ignore` lists Keras-only
keys and their inert values. A layer whose Keras counterpart orders or nests its variables
differently says so in its own `saved_variables` (recurrent layers: the `cell` group).
"""
import collections
import datetime
import inspect
import io
import json
import os
import re
import warnings
import zipfile
import zlib

import numpy

from neuroflow.utils import registry
from neuroflow.utils.registry import get_custom_object, get_registered_name
from neuroflow.utils.serialization import jsonable

KERAS_VERSION = "3.5.0"       # the Keras 3 file layout this module writes
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"


def _h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency, but say what to do if it is missing
        raise ImportError("Keras' file formats (.keras, .weights.h5) need h5py: pip install h5py") from None
    return h5py


# ---- the translation table ---------------------------------------------------------------------

class LayerSpec:
    """How one Keras layer class maps onto neuroflow.

    Args:
        name: neuroflow's class name in `neuroflow.layers` (default: Keras' class name).
        rename: {keras config key: neuroflow argument}.
        ignore: {keras-only config key: tuple of inert values accepted and dropped}.
        write_drop: neuroflow config keys Keras' class does not accept (and that mean nothing for
            it), left out when writing.
    """

    def __init__(self, name=None, rename=None, ignore=None, write_drop=None):
        self.name = name
        self.rename = dict(rename or {})
        self.ignore = dict(ignore or {})
        self.write_drop = tuple(write_drop or ())


# Keras' class name -> spec. Entries whose neuroflow class does not exist (yet) are refused when used.
LAYERS = {
    "InputLayer": LayerSpec(),
    "Dense": LayerSpec(),
    "Activation": LayerSpec(),
    "Dropout": LayerSpec(),
    "Flatten": LayerSpec(),
    "Reshape": LayerSpec(),
    "Add": LayerSpec(), "Subtract": LayerSpec(), "Multiply": LayerSpec(), "Average": LayerSpec(),
    "Maximum": LayerSpec(), "Minimum": LayerSpec(), "Concatenate": LayerSpec(),
    "Lambda": LayerSpec(),
    # Families other branches add; they follow Keras' argument names.
    "Conv1D": LayerSpec(), "Conv2D": LayerSpec(), "Conv3D": LayerSpec(), "Conv1DTranspose": LayerSpec(),
    "Conv2DTranspose": LayerSpec(), "DepthwiseConv2D": LayerSpec(), "SeparableConv2D": LayerSpec(),
    "MaxPooling1D": LayerSpec(), "MaxPooling2D": LayerSpec(), "MaxPooling3D": LayerSpec(),
    "AveragePooling1D": LayerSpec(), "AveragePooling2D": LayerSpec(), "AveragePooling3D": LayerSpec(),
    "GlobalMaxPooling1D": LayerSpec(), "GlobalMaxPooling2D": LayerSpec(),
    "GlobalAveragePooling1D": LayerSpec(), "GlobalAveragePooling2D": LayerSpec(),
    "ZeroPadding1D": LayerSpec(), "ZeroPadding2D": LayerSpec(), "UpSampling1D": LayerSpec(),
    "UpSampling2D": LayerSpec(), "Cropping1D": LayerSpec(), "Cropping2D": LayerSpec(),
    # renorm* arrived in Keras 3.13; inert while renorm=False.
    "BatchNormalization": LayerSpec(ignore={"synchronized": (False,), "renorm": (False,), "renorm_clipping": (None,),
                                            "renorm_momentum": None}),
    "LayerNormalization": LayerSpec(ignore={"rms_scaling": (False,)}),
    "Embedding": LayerSpec(),
    "SimpleRNN": LayerSpec(), "LSTM": LayerSpec(),
    "GRU": LayerSpec(), "Bidirectional": LayerSpec(), "TimeDistributed": LayerSpec(),
    # Keras' SpatialDropout constructors take no `trainable` (a weightless layer: it means nothing).
    "SpatialDropout1D": LayerSpec(write_drop=("trainable",)),
    "SpatialDropout2D": LayerSpec(write_drop=("trainable",)), "GaussianNoise": LayerSpec(),
    "GaussianDropout": LayerSpec(), "RepeatVector": LayerSpec(), "Permute": LayerSpec(),
    "LeakyReLU": LayerSpec(), "ReLU": LayerSpec(), "Softmax": LayerSpec(), "ELU": LayerSpec(),
    "PReLU": LayerSpec(), "Masking": LayerSpec(), "Identity": LayerSpec(), "Rescaling": LayerSpec(),
    "Normalization": LayerSpec(),
    "Resizing": LayerSpec(), "CenterCrop": LayerSpec(), "RandomFlip": LayerSpec(),
    "RandomRotation": LayerSpec(), "RandomZoom": LayerSpec(), "RandomTranslation": LayerSpec(),
    "RandomContrast": LayerSpec(), "RandomBrightness": LayerSpec(),
    "Dot": LayerSpec(), "UnitNormalization": LayerSpec(), "AlphaDropout": LayerSpec(),
    "ActivityRegularization": LayerSpec(),
    # Keras keeps MultiHeadAttention's variables in its query_dense/, key_dense/, value_dense/ and
    # output_dense/ sub-layers: the generic walk finds them by those attribute names.
    "MultiHeadAttention": LayerSpec(ignore={"use_gate": (False,), "sliding_window": (None,),
                                            "flash_attention": (None, False)}),
    "Attention": LayerSpec(), "AdditiveAttention": LayerSpec(),
}

# Wrapper layers whose config holds whole serialized layers under these keys.
_WRAPPED_LAYER_KEYS = {"Bidirectional": ("layer", "backward_layer"), "TimeDistributed": ("layer",)}

# Keras-only config keys accepted (and dropped) at these inert values, for every class.
_INERT = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,), "optional": (False,),
    "sparse": (False,), "ragged": (False,), "input_axes": (None,), "output_axes": (None,),
    "autocast": (True,), "build_input_shape": None,  # None: any value (it is used elsewhere)
}

_IDENTIFIER_KINDS = (("_initializer", "initializers"), ("_regularizer", "regularizers"),
                     ("_constraint", "constraints"))


# ---- small helpers -----------------------------------------------------------------------------

def _is_layer(value):
    from neuroflow.layers.layer import Layer
    return isinstance(value, Layer)


def _keras_snake_case(name):
    """Keras' `to_snake_case` (which names the entries of saved layer lists): Conv2D -> conv2d."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique_name(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _policy(dtype):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(dtype)}, "registered_name": None}


def _dtype_from_keras(value, where):
    """A dtype name from a Keras dtype policy dict (or plain name); mixed precision is refused."""
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name")
    if value is None:
        return None
    if not isinstance(value, str) or value.startswith("mixed_") or value == "bfloat16":
        raise ValueError(f"{where} uses dtype policy {value!r}, which neuroflow does not support "
                         "(float32 and float64 only)")
    return value


def _shape_list(shape):
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: _shape_list(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_shape_list(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def _jsonable(value, where):
    return jsonable(value, where)


def _to_keras_modules(value):
    """neuroflow's serialized objects name 'neuroflow.x' modules; Keras wants 'keras.x'."""
    if isinstance(value, dict):
        out = {k: _to_keras_modules(v) for k, v in value.items()}
        module = out.get("module")
        if isinstance(module, str) and module.startswith("neuroflow."):
            out["module"] = "keras." + module[len("neuroflow."):]
        return out
    if isinstance(value, (list, tuple)):
        return [_to_keras_modules(v) for v in value]
    return value


def _accepted_arguments(cls):
    """The keyword arguments `cls(...)` accepts: its own and, through **kwargs, the base Layer's."""
    from neuroflow.layers.layer import Layer
    names, variadic = set(), False
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        parameters = inspect.signature(klass.__init__).parameters
        names.update(name for name, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        variadic = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        if not variadic or klass is Layer:
            break
    names.discard("self")
    return names


def _fit_arguments(cls, config, where, ignore=None):
    """Keeps the config keys `cls` accepts; drops Keras-only keys at inert values; refuses the rest."""
    accepted = _accepted_arguments(cls)
    inert = dict(_INERT, **(ignore or {}))
    kwargs = {}
    for key, value in config.items():
        if key in accepted:
            kwargs[key] = value
        elif key in inert and (inert[key] is None or value in inert[key]):
            continue
        else:
            raise ValueError(f"{where} has option {key}={value!r}, which neuroflow's {cls.__name__} does not support; "
                             f"it accepts: {', '.join(sorted(accepted))}")
    return kwargs


# ---- Keras config -> neuroflow objects --------------------------------------------------------

def _keras_identifier(value, kind, where, custom_objects):
    """An initializer / regularizer / constraint from Keras' serialized dict (or name)."""
    import importlib
    module = importlib.import_module(f"neuroflow.{kind}")
    if value is None or isinstance(value, str):
        return module.get(value)
    if not isinstance(value, dict) or "class_name" not in value:
        raise ValueError(f"{where}: cannot read {kind[:-1]} {value!r} (expected Keras' serialized dict)")
    class_name = value["class_name"]
    registered = value.get("registered_name")
    cls = None
    if registered or class_name in (custom_objects or {}):
        cls = get_custom_object(registered or class_name, custom_objects) or get_custom_object(class_name, custom_objects)
    if cls is None:
        cls = registry.lookup(kind[:-1], class_name, module.ALL_OBJECTS)
    config = value.get("config") or {}
    if cls.__module__.startswith("neuroflow."):
        config = _fit_arguments(cls, config, f"{where} ({kind[:-1]} {class_name})")
    return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)


def _layer_arguments(cls, config, spec, where, custom_objects):
    from neuroflow import activations
    config = dict(config)
    if "dtype" in config:
        config["dtype"] = _dtype_from_keras(config["dtype"], where)
    for keras_key, key in spec.rename.items():
        if keras_key in config:
            config[key] = config.pop(keras_key)
    kwargs = _fit_arguments(cls, config, where, spec.ignore)
    for key, value in list(kwargs.items()):
        for suffix, kind in _IDENTIFIER_KINDS:
            if key.endswith(suffix) and isinstance(value, dict):
                kwargs[key] = _keras_identifier(value, kind, where, custom_objects)
        if key == "activity_regularizer" and isinstance(value, dict):
            kwargs[key] = _keras_identifier(value, "regularizers", where, custom_objects)
        if (key == "activation" or key.endswith("_activation")) and isinstance(value, dict):
            kwargs[key] = activations.deserialize(value, custom_objects)
        if isinstance(value, list) and key in ("target_shape", "kernel_size", "strides", "pool_size", "dilation_rate",
                                               "padding", "size", "cropping", "dims", "noise_shape"):
            kwargs[key] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return kwargs


def _resolve_keras_class(spec_dict, custom_objects, where):
    """(class, is_builtin) for a serialized layer or model."""
    from neuroflow.models import Functional, Sequential
    builtin_layers = registry.builtins("layers")
    class_name = spec_dict.get("class_name")
    registered = spec_dict.get("registered_name")
    module = spec_dict.get("module") or ""
    # A registered name that is not Keras' own ('package>Name') or a name in custom_objects is custom.
    for key in ([registered] if registered and registered != class_name else []) + [class_name]:
        found = get_custom_object(key, custom_objects)
        if found is not None and (key == registered or not module.startswith("keras")):
            return found, False
    if class_name == "Sequential":
        return Sequential, True
    if class_name in ("Functional", "Model") and "layers" in (spec_dict.get("config") or {}):
        return Functional, True
    if module.startswith("keras") and class_name in LAYERS:
        cls = builtin_layers.get(LAYERS[class_name].name or class_name)
        if cls is not None:
            return cls, True
        raise ValueError(f"{where}: Keras layer class {class_name!r} is not supported by neuroflow yet")
    found = get_custom_object(class_name, custom_objects)
    if found is not None:
        return found, False
    if module.startswith("keras"):
        supported = sorted(n for n, s in LAYERS.items() if (s.name or n) in builtin_layers)
        raise ValueError(f"{where}: Keras layer class {class_name!r} is not supported by neuroflow. Supported Keras "
                         f"layers: {', '.join(supported)}")
    raise ValueError(f"{where}: unknown class {class_name!r} (registered name {registered!r}, module {module!r}). If it "
                     f"is a custom class, pass custom_objects={{{(registered or class_name)!r}: TheClass}} to "
                     "load_model, or decorate it with @neuroflow.saving.register_keras_serializable().")


def layer_from_keras(spec_dict, custom_objects=None):
    """A neuroflow layer (or model) from one entry of a Keras config (`{'class_name', 'config', ...}`).

    Raises:
        ValueError: for a class neuroflow lacks, an option it does not support, or a Lambda layer
            holding Python bytecode.
    """
    config = dict(spec_dict.get("config") or {})
    class_name = spec_dict.get("class_name")
    where = f"Layer {class_name} '{config.get('name', '?')}'"
    cls, builtin = _resolve_keras_class(spec_dict, custom_objects, where)
    from neuroflow.models import Functional, Sequential
    if cls is Sequential:
        return _sequential_from_keras(config, custom_objects)
    if cls is Functional:
        return _functional_from_keras(config, custom_objects)
    if not builtin:
        if "dtype" in config:
            config["dtype"] = _dtype_from_keras(config["dtype"], where)
        layer = registry.from_config(cls, config, custom_objects)
        _build_from_config(layer, spec_dict.get("build_config"))
        return layer
    if class_name == "Lambda":
        return _lambda_from_keras(config, where, custom_objects)
    if class_name == "InputLayer":
        from neuroflow.layers.input_layer import InputLayer
        config.pop("input_shape", None)
        kwargs = _fit_arguments(InputLayer, config, where)
        kwargs["dtype"] = _dtype_from_keras(kwargs.get("dtype"), where)
        return InputLayer(**kwargs)
    for key in _WRAPPED_LAYER_KEYS.get(class_name, ()):
        if isinstance(config.get(key), dict):
            config[key] = layer_from_keras(config[key], custom_objects)
    kwargs = _layer_arguments(cls, config, LAYERS[class_name], where, custom_objects)
    try:
        layer = cls(**kwargs)
    except (ValueError, NotImplementedError) as error:
        # The layer's own check names the argument; say which layer of the file it came from.
        kind = NotImplementedError if isinstance(error, NotImplementedError) else ValueError
        raise kind(f"{where} in the Keras file cannot be built in neuroflow: {error}") from None
    return layer


def _lambda_from_keras(config, where, custom_objects):
    from neuroflow.layers.core import Lambda
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
    kwargs = _fit_arguments(Lambda, {k: v for k, v in config.items() if k not in ("function", "output_shape", "mask")},
                            where)
    kwargs["dtype"] = _dtype_from_keras(kwargs.get("dtype"), where)
    return Lambda(resolved, **kwargs)


def _zeros_for(shape):
    from neuroflow import backend
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
    from neuroflow.models.model import Model
    if isinstance(layer, Model):
        layer(_zeros_for(shape))
    else:
        layer._build_from(_placeholders(shape))


def _placeholders(shape):
    from neuroflow.layers.symbolic import KerasTensor
    if isinstance(shape, dict):
        return {k: _placeholders(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, dict)):
        return [_placeholders(s) for s in shape]
    return KerasTensor(tuple(shape))


def _sequential_from_keras(config, custom_objects):
    from neuroflow.models.sequential import Sequential
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for entry in config.get("layers", []):
        model.add(layer_from_keras(entry, custom_objects))
    if not model.built and config.get("build_input_shape") is not None and model.layers:
        model.build(tuple(config["build_input_shape"]))
    return model


# Ops Keras' functional API records when it traces the mask of Masking / Embedding(mask_zero=True);
# ConvertToTensor is Attention.compute_mask passing the query mask on.
_MASK_OPS = {"NotEqual", "Any", "ConvertToTensor"}


def _is_mask_op(entry):
    """Whether a functional config entry is one of Keras' traced mask ops (not a layer)."""
    module = entry.get("module") or ""
    return module.startswith("keras.src.ops") and entry.get("class_name") in _MASK_OPS


def _history(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _functional_from_keras(config, custom_objects):
    """Replays Keras' node list: each layer is called on the outputs its `inbound_nodes` name."""
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.models.functional import Functional
    from neuroflow.utils import nest

    layers, order, mask_ops = {}, [], set()
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        if _is_mask_op(entry):
            mask_ops.add(name)
            continue
        layers[name] = layer_from_keras(entry, custom_objects)
        order.append(name)
    produced = collections.defaultdict(list)   # layer name -> outputs of its nodes, in order
    for name in order:
        if isinstance(layers[name], InputLayer):
            produced[name].append(layers[name].output)

    def uses_mask_op(value):
        if _history(value):
            return value["config"]["keras_history"][0] in mask_ops
        if isinstance(value, dict):
            return any(uses_mask_op(v) for v in value.values())
        if isinstance(value, list):
            return any(uses_mask_op(v) for v in value)
        return False

    def available(value):
        if _history(value):
            layer_name, node_index, _ = value["config"]["keras_history"]
            return node_index < len(produced[layer_name])
        if isinstance(value, dict):
            return all(available(v) for v in value.values())
        if isinstance(value, list):
            return all(available(v) for v in value)
        return True

    def resolve(value):
        if _history(value):
            layer_name, node_index, tensor_index = value["config"]["keras_history"]
            return nest.flatten(produced[layer_name][node_index])[tensor_index]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    # Keras' order of nodes need not be executable in one pass (a shared layer's second call may read a
    # later layer), so sweep until every node ran, as keras' functional_from_config does.
    pending = {name: list(next(e for e in config["layers"] if (e.get("name") or e["config"]["name"]) == name)
                          .get("inbound_nodes") or [])
               for name in order if not isinstance(layers[name], InputLayer)}
    for name, queue in pending.items():
        for index, node in enumerate(queue):
            node = {"args": node, "kwargs": {}} if isinstance(node, list) else dict(node)
            kwargs = dict(node.get("kwargs") or {})
            if uses_mask_op(kwargs.get("mask")):
                # A mask Keras traced from Masking / Embedding(mask_zero=True): neuroflow propagates it itself.
                kwargs.pop("mask")
            if uses_mask_op(node.get("args")) or uses_mask_op(kwargs):
                raise ValueError(f"Layer '{name}' in the Keras config reads the output of a traced mask op "
                                 f"({', '.join(sorted(mask_ops))}) as data; neuroflow only reads such ops as the "
                                 "`mask` argument. Rebuild this part of the model in code.")
            queue[index] = dict(node, kwargs=kwargs)
    while any(pending.values()):
        progressed = False
        for name in order:
            queue = pending.get(name)
            while queue and available(queue[0]):
                node = queue.pop(0)
                node = {"args": node, "kwargs": {}} if isinstance(node, list) else node
                args = resolve(node.get("args", []))
                kwargs = {k: resolve(v) for k, v in (node.get("kwargs") or {}).items() if not (k == "mask" and v is None)}
                produced[name].append(layers[name](*args, **kwargs))
                progressed = True
        if not progressed:
            stuck = [name for name, queue in pending.items() if queue]
            raise ValueError(f"The Keras config's layer graph cannot be rebuilt: the inputs of {stuck} are never "
                             "produced (the file is corrupt or was edited)")

    def endpoint(spec):
        if isinstance(spec, dict):
            return {k: endpoint(v) for k, v in spec.items()}
        if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
            layer_name, node_index, tensor_index = spec
            return nest.flatten(produced[layer_name][node_index])[tensor_index]
        return [endpoint(s) for s in spec]

    model = Functional(endpoint(config["input_layers"]), endpoint(config["output_layers"]), name=config.get("name"),
                       trainable=config.get("trainable", True))
    # Keras' saved `layers` order names the weight groups; keep it for loading and re-saving.
    model._keras_layer_order = [layers[name] for name in order]
    return model


# ---- neuroflow objects -> Keras config --------------------------------------------------------

def _build_shape(layer, model_context=None):
    shape = getattr(layer, "_build_input_shape", None)
    return _shape_list(shape) if shape is not None else None


def layer_to_keras(layer, build_shape=None):
    """Keras' serialized dict of one layer (or nested model)."""
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.models.functional import Functional
    from neuroflow.models.model import Model
    from neuroflow.models.sequential import Sequential

    cls = type(layer)
    if cls is Sequential:
        return _sequential_to_keras(layer)
    if cls is Functional:
        return _functional_to_keras(layer)
    if isinstance(layer, InputLayer):
        return {"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": _shape_list(layer.batch_shape), "dtype": layer.dtype, "sparse": False,
                           "name": layer.name},
                "registered_name": None}
    config = dict(layer.get_config())
    builtin = registry.is_builtin(cls)
    if builtin and cls.__name__ not in LAYERS:
        raise ValueError(f"Layer {cls.__name__} '{layer.name}' has no Keras counterpart in neuroflow's Keras format "
                         "table; save the model in neuroflow's own format instead (e.g. 'model.nfz')")
    if builtin and cls.__name__ == "Lambda":
        config = _lambda_to_keras(layer, config)
    if builtin and cls.__name__ == "Bidirectional":
        # Keras writes both directions (it rebuilds the backward layer from its own config).
        config["layer"] = layer_to_keras(layer.forward_layer)
        config["backward_layer"] = layer_to_keras(layer.backward_layer)
    if builtin and cls.__name__ == "TimeDistributed":
        config["layer"] = layer_to_keras(layer.layer)
    config.pop("batch_input_shape", None)
    for key in (LAYERS[cls.__name__].write_drop if builtin else ()):
        config.pop(key, None)
    if "dtype" in config and isinstance(config["dtype"], str):
        config["dtype"] = _policy(config["dtype"])
    config = _to_keras_modules(_jsonable(config, layer.name))
    entry = {"module": "keras.layers" if builtin else cls.__module__, "class_name": cls.__name__, "config": config,
             "registered_name": None if builtin else get_registered_name(cls)}
    shape = build_shape if build_shape is not None else _build_shape(layer)
    if shape is not None and (layer.weights or not builtin or isinstance(layer, Model)):
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


def _sequential_to_keras(model):
    if model._input_layer is None:
        raise ValueError(f"Sequential '{model.name}' has no known input shape, so its weights do not exist yet; build "
                         "it (model.build((None, ...)) or an Input first) before saving in the Keras format")
    layers = [layer_to_keras(model._input_layer)]
    shapes = [model._input_layer.batch_shape] + list(getattr(model, "_output_shapes", []))
    for layer, shape in zip(model.layers, shapes):
        layers.append(layer_to_keras(layer, _shape_list(shape)))
    input_shape = _shape_list(model._input_layer.batch_shape)
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": model.name, "trainable": model.trainable, "dtype": _policy(model.dtype),
                       "layers": layers, "build_input_shape": input_shape},
            "registered_name": None, "build_config": {"input_shape": input_shape}}


def _functional_to_keras(model):
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.layers.symbolic import KerasTensor, _OpCall
    from neuroflow.utils import nest

    for node in model._nodes:
        if isinstance(node.operation, _OpCall):
            raise ValueError(f"Model '{model.name}' applies op '{node.operation.name}' directly to placeholders; the "
                             "Keras format stores layers only. Use the matching layer (e.g. layers.Add) or save in "
                             "neuroflow's own format.")
    in_model = {id(node) for node in model._nodes}
    node_index = {}
    for layer in model.keras_layers():
        count = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                node_index[id(node)] = count
                count += 1

    def tensor_ref(tensor):
        return [tensor.node.operation.name, node_index[id(tensor.node)], tensor.index]

    def argument(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": _shape_list(value.shape), "dtype": value.dtype, "keras_history": tensor_ref(value)}}
        if isinstance(value, dict):
            return {k: argument(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [argument(v) for v in value]
        return _jsonable(value, model.name)

    entries = []
    for layer in model.keras_layers():
        nodes = [n for n in layer._inbound_nodes if id(n) in in_model]
        build_shape = None
        if nodes and not isinstance(layer, InputLayer):
            first_input = nodes[0].call_args[0]
            build_shape = _shape_list(nest.map_structure(lambda t: t.shape, first_input)) \
                if not isinstance(first_input, KerasTensor) else _shape_list(first_input.shape)
        entry = layer_to_keras(layer, build_shape)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
            {"args": argument(list(node.call_args)),
             "kwargs": {k: argument(v) for k, v in node.call_kwargs.items()
                        if k != "training" and not (k == "mask" and v is None)}}
            for node in nodes]
        entries.append(entry)

    def endpoints(structure):
        if isinstance(structure, dict):
            return {k: tensor_ref(v) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [tensor_ref(v) for v in nest.flatten(structure)]
        return tensor_ref(structure)

    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": {"name": model.name, "trainable": model.trainable, "layers": entries,
                       "input_layers": endpoints(model._inputs_structure),
                       "output_layers": endpoints(model._outputs_structure)},
            "registered_name": "Functional", "build_config": {"input_shape": None}}


def model_to_keras(model):
    """config.json's content for `model` (Sequential, Functional or a registered subclass)."""
    from neuroflow.models.functional import Functional
    from neuroflow.models.sequential import Sequential
    if type(model) in (Sequential, Functional):
        entry = layer_to_keras(model)
    else:
        cls = type(model)
        if registry.is_builtin(cls):
            raise ValueError(f"Model class {cls.__name__} cannot be written in the Keras format")
        config = dict(model.get_config())
        if "dtype" in config and isinstance(config["dtype"], str):
            config["dtype"] = _policy(config["dtype"])
        entry = {"module": cls.__module__, "class_name": cls.__name__,
                 "config": _to_keras_modules(_jsonable(config, model.name)),
                 "registered_name": get_registered_name(cls)}
        shape = _build_shape(model)
        if shape is None:
            raise ValueError(f"Model '{model.name}' ({cls.__name__}) has not been called yet, so the input shape to "
                             "rebuild it from is unknown; call it on a batch before saving")
        entry["build_config"] = {"input_shape": shape}
    entry["compile_config"] = _compile_to_keras(model) if model.compiled else None
    return entry


# ---- compile settings ------------------------------------------------------------------------

_KERAS_MODULES = {"losses": "keras.losses", "metrics": "keras.metrics", "optimizers": "keras.optimizers"}


def _identifier_to_keras(value, family):
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        value = dict(value)
        value.setdefault("module", _KERAS_MODULES[family])
        value.setdefault("registered_name", None)
        return _to_keras_modules(value)
    if isinstance(value, dict):
        return {k: _identifier_to_keras(v, family) for k, v in value.items()}
    if isinstance(value, list):
        return [_identifier_to_keras(v, family) for v in value]
    return value


def _compile_to_keras(model):
    from neuroflow import optimizers
    config = model.get_compile_config()
    optimizer = _to_keras_modules(optimizers.serialize(model.optimizer))
    return {"optimizer": _jsonable(optimizer, "optimizer"),
            "loss": _identifier_to_keras(config["loss"], "losses"),
            "loss_weights": config["loss_weights"],
            "metrics": _identifier_to_keras(config["metrics"], "metrics"),
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _compile_from_keras(model, config, custom_objects):
    if config.get("weighted_metrics"):
        warnings.warn("The Keras file's weighted_metrics are not restored; pass them to compile() again", stacklevel=3)
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        optimizer = dict(optimizer, config={k: v for k, v in optimizer["config"].items() if v is not None or k in (
            "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "ema_overwrite_frequency", "loss_scale_factor",
            "gradient_accumulation_steps", "name")})
    model.compile_from_config({"optimizer": optimizer, "loss": config.get("loss"),
                                "loss_weights": config.get("loss_weights"), "metrics": config.get("metrics")},
                        custom_objects)


# ---- the weights walk --------------------------------------------------------------------------

# neuroflow's own bookkeeping attributes: never weight-holding children in Keras' sense.
_INTERNAL_ATTRIBUTES = {"_tracked_layers", "_stack", "_functional_layers", "_input_layer", "_inbound_nodes", "_nodes",
                        "inputs", "outputs", "_inputs_structure", "_outputs_structure", "_own_weights",
                        "_activity_losses", "_added_losses", "_keras_layer_order", "optimizer", "_compiled_loss",
                        "_compile_metrics", "_loss_tracker", "_output_loss_trackers", "history", "input_spec",
                        "_step_variables", "_flat_layers_cache"}


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(layer):
    from neuroflow.models.functional import Functional
    from neuroflow.models.sequential import Sequential
    if isinstance(layer, Functional):
        yield "layers", layer.keras_layers()
    elif isinstance(layer, Sequential):
        yield "layers", layer.layers
    for attribute in sorted(vars(layer), key=_name_key):
        if attribute in _INTERNAL_ATTRIBUTES or attribute.startswith("__"):
            continue
        value = vars(layer)[attribute]
        if _is_layer(value) or (isinstance(value, (list, tuple, dict)) and _holds_layers(value)):
            yield attribute, value


def _holds_layers(container):
    values = container.values() if isinstance(container, dict) else container
    return any(_is_layer(v) or (isinstance(v, (list, tuple, dict)) and _holds_layers(v)) for v in values)


def weight_groups(model):
    """[(h5 group path, owner name, [variables])] in the order Keras' saving walk visits them."""
    groups, visited = [], set()

    def join(path, name):
        if not name:
            return path
        return f"{path}/{name}" if path else name

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        for subpath, variables in layer.saved_variables().items():
            groups.append((join(join(path, subpath), "vars"), layer.name, variables))
        for attribute, child in _children(layer):
            if _is_layer(child):
                visit(child, join(path, attribute))
            else:
                container(child, join(path, attribute))

    def container(values, path):
        used = {}
        for value in (values.values() if isinstance(values, dict) else values):
            if _is_layer(value):
                visit(value, join(path, _unique_name(_keras_snake_case(type(value).__name__), used)))
            elif isinstance(value, (list, tuple, dict)):
                container(value, join(path, _unique_name("container", used)))

    visit(model, "")
    return groups


# ---- optimizer state ---------------------------------------------------------------------------

def _optimizer_values(model):
    optimizer = model.optimizer
    if optimizer is None or not optimizer.built:
        return None
    slots = optimizer.slots_in_keras_order(model.keras_trainable_variables())
    if slots is None:
        return None
    values = [numpy.asarray(int(optimizer._iterations), dtype="int64")]
    if isinstance(optimizer._learning_rate, float):
        values.append(numpy.asarray(optimizer._learning_rate, dtype="float32"))
    return values + [numpy.asarray(v.numpy()) for v in slots]


def _load_optimizer(model, group, filepath):
    optimizer = model.optimizer
    variables = model.keras_trainable_variables()
    if not optimizer.built:
        optimizer.build(variables)
    slots = optimizer.slots_in_keras_order(variables)
    stored = [numpy.asarray(group[str(i)]) for i in range(len(group))]
    expected = None if slots is None else 1 + isinstance(optimizer._learning_rate, float) + len(slots)
    if slots is None or len(stored) != expected:
        warnings.warn(f"Not restoring the state of optimizer '{optimizer.name}' from {filepath}: it holds {len(stored)} "
                      f"variables, this {type(optimizer).__name__} needs {expected or 'an unmapped layout'}; "
                      "training resumes from a fresh optimizer state", stacklevel=4)
        return
    for slot, value in zip(slots, stored[expected - len(slots):]):
        if tuple(value.shape) != slot.shape:
            warnings.warn(f"Not restoring optimizer state from {filepath}: slot shape {value.shape} does not match "
                          f"{slot.shape}", stacklevel=4)
            return
    optimizer._iterations = int(stored[0])
    if isinstance(optimizer._learning_rate, float):
        optimizer._learning_rate = float(stored[1])
    for slot, value in zip(slots, stored[expected - len(slots):]):
        slot.assign(value.astype(slot.value.dtype, copy=False))


# ---- h5 ----------------------------------------------------------------------------------------

def _write_h5(model, target, include_optimizer=True):
    h5py = _h5py()
    with h5py.File(target, "w") as handle:
        for path, owner, variables in weight_groups(model):
            group = handle.require_group(path)
            group.attrs["name"] = owner
            for index, variable in enumerate(variables):
                group.create_dataset(str(index), data=numpy.asarray(variable.numpy()))
        values = _optimizer_values(model) if include_optimizer and getattr(model, "optimizer", None) else None
        if values is not None:
            group = handle.require_group("optimizer/vars")
            group.attrs["name"] = model.optimizer.name
            for index, value in enumerate(values):
                group.create_dataset(str(index), data=value)


def _read_h5(model, source, filepath, skip_mismatch=False, load_optimizer=True):
    h5py = _h5py()
    try:
        handle = h5py.File(source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"{filepath!r}: the weights are not a readable HDF5 file ({error}); the file may be truncated "
                         "or corrupt") from None
    with handle:
        if "model_weights" in handle or "layer_names" in handle.attrs:
            raise ValueError(f"{filepath!r} is a legacy Keras 2 HDF5 file, which neuroflow does not read. Load it in "
                             "Keras and re-save it with model.save('model.keras') or model.save_weights("
                             "'model.weights.h5').")
        assignments = []
        for path, owner, variables in weight_groups(model):
            if path not in handle:
                if variables and not skip_mismatch:
                    raise ValueError(f"{filepath!r} has no weights for layer '{owner}' (group {path!r}); the file was "
                                     "saved from a different architecture")
                continue
            group = handle[path]
            if len(group) != len(variables):
                if skip_mismatch:
                    continue
                raise ValueError(f"Layer '{owner}' expects {len(variables)} weight arrays but {filepath!r} holds "
                                 f"{len(group)} at {path!r}; the file was saved from a different architecture")
            arrays = []
            for index, variable in enumerate(variables):
                array = numpy.asarray(group[str(index)])
                if tuple(array.shape) != variable.shape:
                    if skip_mismatch:
                        arrays = None
                        break
                    raise ValueError(f"Weight {index} of layer '{owner}' ({variable.path if hasattr(variable, 'path') else variable.name}) "
                                     f"has shape {variable.shape} but {filepath!r} holds shape {tuple(array.shape)} "
                                     f"at {path}/{index}")
                arrays.append(array)
            if arrays is not None:
                assignments += list(zip(variables, arrays))
        for variable, array in assignments:
            variable.assign(array.astype(variable.value.dtype, copy=False))
        if load_optimizer and "optimizer/vars" in handle and getattr(model, "optimizer", None) is not None:
            _load_optimizer(model, handle["optimizer/vars"], filepath)


# ---- files -------------------------------------------------------------------------------------

def save_model(model, filepath, include_optimizer=True):
    """Writes `model` as a Keras 3 `.keras` file (atomically: a failed save leaves any old file intact)."""
    from neuroflow.saving.native import _write_atomically
    config = model_to_keras(model)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "saved_by": "neuroflow"}
    buffer = io.BytesIO()
    _write_h5(model, buffer, include_optimizer)

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILE, json.dumps(metadata))
            archive.writestr(CONFIG_FILE, json.dumps(config))
            archive.writestr(WEIGHTS_FILE, buffer.getvalue())

    _write_atomically(filepath, write)


def _read_archive(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = archive.namelist()
            if CONFIG_FILE not in names:
                raise ValueError(f"{filepath!r} has no config.json; it is not a Keras 3 .keras file or it is corrupt")
            config = json.loads(archive.read(CONFIG_FILE))
            weights = archive.read(WEIGHTS_FILE) if WEIGHTS_FILE in names else None
    except (zipfile.BadZipFile, zlib.error, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{filepath!r} is not a readable .keras file ({type(error).__name__}: {error}); it may be "
                         "truncated or corrupt") from None
    if weights is None and "model.weights.npz" in names:
        raise ValueError(f"{filepath!r} stores its weights as model.weights.npz; neuroflow reads the h5 layout only")
    return config, weights


def model_from_keras(config, custom_objects=None):
    """A neuroflow model from the content of a Keras config.json (not yet holding the saved weights)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("config.json does not describe a model (no 'class_name')")
    model = layer_from_keras(config, custom_objects)
    from neuroflow.models.model import Model
    if not isinstance(model, Model):
        raise ValueError(f"config.json describes a {config['class_name']} layer, not a model")
    _build_from_config(model, config.get("build_config"))
    return model


def load_model(filepath, custom_objects=None, compile=True):
    """Reads a Keras 3 `.keras` file (written by Keras or neuroflow) into a neuroflow model."""
    config, weights = _read_archive(filepath)
    model = model_from_keras(config, custom_objects)
    if not model.built:
        raise ValueError(f"Model '{model.name}' in {filepath!r} could not be built from its config, so its weights "
                         "cannot be loaded")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        _compile_from_keras(model, compile_config, custom_objects)
    if weights is not None:
        _read_h5(model, io.BytesIO(weights), filepath, load_optimizer=compile)
    elif model.weights:
        raise ValueError(f"{filepath!r} holds no {WEIGHTS_FILE}; it is truncated or corrupt")
    return model


def save_weights(model, filepath):
    """Writes Keras 3's weights-only `.weights.h5` (layers and, if built, the optimizer state)."""
    from neuroflow.saving.native import _write_atomically
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it or call it on a batch before save_weights")
    _write_atomically(filepath, lambda path: _write_h5(model, path))


def load_weights(model, filepath, skip_mismatch=False):
    """Reads Keras 3's weights-only h5 layout into a built `model`."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath!r}")
    _read_h5(model, filepath, filepath, skip_mismatch=skip_mismatch)
