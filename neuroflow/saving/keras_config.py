"""Keras 3's config.json: neuroflow models to Keras' serialized layout and back.

    {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}

Sequential and Functional write and read the structure of their configs themselves (get_config /
from_config, in Keras 3's layout); this module gives them Keras' spelling of each layer entry and
translates the entry's config key by key. A Keras option neuroflow does not support, or a layer
class it does not have, is refused with an error naming it; it is never dropped silently.
Keras-only options at their inert defaults (`quantization_config=None`, `sparse=False`, ...) are
accepted. Nested layers: wrapper configs hold the inner layers' full Keras entries. Keras'
functional configs also record the ops that trace a Masking / Embedding(mask_zero=True) mask
(NotEqual, Any); they are skipped on reading, since neuroflow propagates masks itself, and never
written. The `.keras`, legacy `.h5` and native formats all read and write their configs here.

To support one more layer class, add a `LayerSpec` to `LAYERS`: usually `LayerSpec()` is enough
(same class name and Keras' argument names); `rename` maps config keys, `ignore` lists Keras-only
keys and their inert values (options every file carries for a class are the class's own
`keras_inert_options`, layers/keras_options.py). A layer whose Keras counterpart orders or nests its variables
differently says so in its own `saved_variables` (recurrent layers: the `cell` group).
"""
import importlib
from functools import partial

from neuroflow import activations, backend, optimizers
from neuroflow.dtype_policies.dtype_policy import MIXED_POLICIES
from neuroflow.engine.keras_tensor import KerasTensor, _OpCall
from neuroflow.layers import keras_options
from neuroflow.layers.core import Lambda
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer
from neuroflow.training.compile_config import compile_from_config
from neuroflow.utils import registry
from neuroflow.utils.errors import closest_name
from neuroflow.utils.registry import get_custom_object, get_registered_name
from neuroflow.utils.serialization import jsonable, shape_list

# The registry's live table of layer and model classes. Sequential, Functional and Model are found
# here by name, as configs name them: saving sits above models, and models reach saving only through
# Model.save, so no import ties the two into a circle.
_BUILTIN_LAYERS = registry.builtins("layers")


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
    # Their Keras-only options (renorm, rms_scaling ...) are the classes' own keras_inert_options.
    "BatchNormalization": LayerSpec(), "LayerNormalization": LayerSpec(),
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
    "MultiHeadAttention": LayerSpec(),
    "Attention": LayerSpec(), "AdditiveAttention": LayerSpec(),
    # layers10: RNN over a cell; Keras nests the cell's config under `cell` (a stack's under `cells`).
    "RNN": LayerSpec(), "StackedRNNCells": LayerSpec(), "SimpleRNNCell": LayerSpec(), "LSTMCell": LayerSpec(),
    "GRUCell": LayerSpec(),
    # layers10: 3-D layers (Conv3D, MaxPooling3D, AveragePooling3D are listed above).
    "GlobalMaxPooling3D": LayerSpec(), "GlobalAveragePooling3D": LayerSpec(), "UpSampling3D": LayerSpec(),
    "ZeroPadding3D": LayerSpec(), "Cropping3D": LayerSpec(), "SpatialDropout3D": LayerSpec(write_drop=("trainable",)),
    "RandomCrop": LayerSpec(), "RandomGrayscale": LayerSpec(), "RandomInvert": LayerSpec(), "Solarization": LayerSpec(),
    "AutoContrast": LayerSpec(), "RandomPosterization": LayerSpec(), "RandomColorDegeneration": LayerSpec(),
    "ContrastLimitedAdaptiveHistogramEqualization": LayerSpec(),  # api10
    "Hashing": LayerSpec(),
    # layersa: Keras 3 names for the 1-D convolution variants, group / RMS normalization, EinsumDense.
    "SeparableConv1D": LayerSpec(), "DepthwiseConv1D": LayerSpec(), "GroupNormalization": LayerSpec(),
    "RMSNormalization": LayerSpec(), "EinsumDense": LayerSpec(), "Conv3DTranspose": LayerSpec(),
    "AdaptiveAveragePooling1D": LayerSpec(), "AdaptiveAveragePooling2D": LayerSpec(),
    "AdaptiveAveragePooling3D": LayerSpec(), "AdaptiveMaxPooling1D": LayerSpec(), "AdaptiveMaxPooling2D": LayerSpec(),
    "AdaptiveMaxPooling3D": LayerSpec(), "SpectralNormalization": LayerSpec(),
    "ReversibleEmbedding": LayerSpec(), "Pipeline": LayerSpec(),
    "GroupQueryAttention": LayerSpec(name="GroupedQueryAttention"),
    # convlstm: RNNs over an internal ConvLSTMCell; Keras writes no `cell` entry for them.
    "ConvLSTM1D": LayerSpec(), "ConvLSTM2D": LayerSpec(), "ConvLSTM3D": LayerSpec(),
}

# layersa: neuroflow class name -> the name Keras writes (keras.layers exports GroupedQueryAttention
# as GroupQueryAttention).
_KERAS_CLASS_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}

# Wrapper layers whose config holds whole serialized layers under these keys.
_WRAPPED_LAYER_KEYS = {"Bidirectional": ("layer", "backward_layer"), "TimeDistributed": ("layer",),
                       "RNN": ("cell",), "StackedRNNCells": ("cells",),
                       "SpectralNormalization": ("layer",), "Pipeline": ("layers",)}


_IDENTIFIER_KINDS = (("_initializer", "initializers"), ("_regularizer", "regularizers"),
                     ("_constraint", "constraints"))


# ---- values ------------------------------------------------------------------------------------

def _dtype_policy(dtype):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(dtype)}, "registered_name": None}


def _dtype_from_keras(value, where):
    """A dtype or policy name from a Keras dtype policy dict (or plain name).

    'mixed_float16' passes as a policy name; 'mixed_bfloat16' too, and the layer refuses it with the
    reason (no bfloat16 arrays); a plain 'bfloat16' dtype is refused here.
    """
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name")
    if value is None:
        return None
    if not isinstance(value, str) or value == "bfloat16" or (value.startswith("mixed_") and value not in MIXED_POLICIES):
        raise ValueError(f"{where} uses dtype policy {value!r}, which neuroflow does not support "
                         "(float16, float32, float64 and 'mixed_float16' only)")
    return value


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


def _fit_arguments(cls, config, where, ignore=None):
    """Keeps the config keys `cls` accepts; drops Keras-only keys at inert values; refuses the rest."""
    accepted = keras_options.accepted_arguments(cls, Layer)
    inert = dict(keras_options.inert_options(cls), **(ignore or {}))
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


def _keras_identifier(value, kind, where, custom_objects):
    """An initializer / regularizer / constraint from Keras' serialized dict (or name)."""
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
    supported = sorted(n for n, s in LAYERS.items() if (s.name or n) in _BUILTIN_LAYERS)
    suggestion = closest_name(class_name, supported + ["Sequential", "Functional"])
    hint = f" Did you mean {suggestion!r}?" if suggestion else ""
    if module.startswith("keras"):
        raise ValueError(f"{where}: Keras layer class {class_name!r} is not supported by neuroflow.{hint} Supported "
                         f"Keras layers: {', '.join(supported)}")
    raise ValueError(f"{where}: unknown class {class_name!r} (registered name {registered!r}, module {module!r}).{hint} "
                     f"If it is a custom class, pass custom_objects={{{(registered or class_name)!r}: TheClass}} to "
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
            config["dtype"] = _dtype_from_keras(config["dtype"], where)
        layer = registry.from_config(cls, config, custom_objects)
        _build_from_config(layer, spec_dict.get("build_config"))
        return layer
    if class_name == "Lambda":
        return _lambda_from_keras(config, where, custom_objects)
    if class_name == "InputLayer":
        config.pop("input_shape", None)
        kwargs = _fit_arguments(InputLayer, config, where)
        kwargs["dtype"] = _dtype_from_keras(kwargs.get("dtype"), where)
        return InputLayer(**kwargs)
    for key in _WRAPPED_LAYER_KEYS.get(class_name, ()):
        if isinstance(config.get(key), dict):
            config[key] = layer_from_keras(config[key], custom_objects)
        elif isinstance(config.get(key), list):  # StackedRNNCells' list of cells
            config[key] = [layer_from_keras(entry, custom_objects) for entry in config[key]]
    kwargs = _layer_arguments(cls, config, LAYERS[class_name], where, custom_objects)
    try:
        layer = cls(**kwargs)
    except (ValueError, NotImplementedError) as error:
        # The layer's own check names the argument; say which layer of the file it came from.
        kind = NotImplementedError if isinstance(error, NotImplementedError) else ValueError
        raise kind(f"{where} in the Keras file cannot be built in neuroflow: {error}") from None
    return layer


def _lambda_from_keras(config, where, custom_objects):
    function = config.get("function")
    # Keras 3 writes bytecode as {"class_name": "__lambda__", ...}; Keras 2 as [base64 code, defaults,
    # closure] with function_type 'lambda'. Either would run arbitrary code when loaded.
    keras_2_bytecode = isinstance(function, (list, tuple)) or config.get("function_type") == "lambda"
    if keras_2_bytecode or (isinstance(function, dict) and function.get("class_name") == "__lambda__"):
        raise ValueError(f"{where} stores its function as Python bytecode, which neuroflow never executes from a "
                         "file, even with safe_mode=False or neuroflow.config.enable_unsafe_deserialization(): running "
                         "it would run whatever code the file holds. Rebuild this part of the model in code, or replace "
                         "the Lambda with a custom layer decorated with @neuroflow.saving.register_keras_serializable().")
    if not isinstance(function, (str, dict)):
        raise ValueError(f"{where}: its function is stored as {type(function).__name__} {function!r}, expected the "
                         "registered name of a function")
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
    keras_name = _KERAS_CLASS_NAMES.get(cls.__name__, cls.__name__) if builtin else cls.__name__
    if builtin and keras_name not in LAYERS and native:
        entry = {"module": "neuroflow.layers", "class_name": cls.__name__, "config": jsonable(config, layer.name),
                 "registered_name": None}
        shape = build_shape if build_shape is not None else _build_shape(layer)
        if shape is not None:
            entry["build_config"] = {"input_shape": shape}
        return entry
    if builtin and keras_name not in LAYERS:
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
    if builtin and cls.__name__ == "RNN":
        config["cell"] = layer_to_keras(layer.cell, native=native)
    if builtin and cls.__name__ == "StackedRNNCells":
        config["cells"] = [layer_to_keras(cell, native=native) for cell in layer.cells]
    if builtin and cls.__name__ == "SpectralNormalization":  # layersa
        config["layer"] = layer_to_keras(layer.layer, native=native)
    if builtin and cls.__name__ == "Pipeline":  # layersa
        config["layers"] = [layer_to_keras(inner, native=native) for inner in layer.layers]
    config.pop("batch_input_shape", None)
    for key in (LAYERS[keras_name].write_drop if builtin else ()):
        config.pop(key, None)
    if "dtype" in config and isinstance(config["dtype"], str):
        config["dtype"] = _dtype_policy(config["dtype"])
    config = _to_keras_modules(jsonable(config, layer.name))
    entry = {"module": "keras.layers" if builtin else cls.__module__, "class_name": keras_name, "config": config,
             "registered_name": None if builtin else get_registered_name(cls)}
    shape = build_shape if build_shape is not None else _build_shape(layer)
    if shape is not None and (layer.weights or not builtin or isinstance(layer, _BUILTIN_LAYERS["Model"])):
        # A layer whose Keras build takes several shapes (the attention layers) gives its shapes_dict.
        own = layer.get_build_config()
        entry["build_config"] = own if own and "shapes_dict" in own else {"input_shape": shape}
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
    config["dtype"] = _dtype_policy(config["dtype"])
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
            config["dtype"] = _dtype_policy(config["dtype"])
        entry = {"module": cls.__module__, "class_name": cls.__name__,
                 "config": _to_keras_modules(jsonable(config, model.name)),
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
        return _to_keras_modules(value)
    if isinstance(value, dict):
        return {k: _identifier_to_keras(v, family) for k, v in value.items()}
    if isinstance(value, list):
        return [_identifier_to_keras(v, family) for v in value]
    return value


def compile_to_keras(model):
    config = model.get_compile_config()
    optimizer = _to_keras_modules(optimizers.serialize(model.optimizer))
    return {"optimizer": jsonable(optimizer, "optimizer"),
            "loss": _identifier_to_keras(config["loss"], "losses"),
            "loss_weights": config["loss_weights"],
            "metrics": _identifier_to_keras(config["metrics"], "metrics"),
            "weighted_metrics": _identifier_to_keras(config["weighted_metrics"], "metrics"),
            "run_eagerly": config["run_eagerly"], "steps_per_execution": config["steps_per_execution"],
            "jit_compile": config["jit_compile"]}


def compile_from_keras(model, config, custom_objects):
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        optimizer = dict(optimizer, config={k: v for k, v in optimizer["config"].items() if v is not None or k in (
            "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "ema_overwrite_frequency", "loss_scale_factor",
            "gradient_accumulation_steps", "name")})
    compile_from_config(model, {"optimizer": optimizer, "loss": config.get("loss"),
                                "loss_weights": config.get("loss_weights"), "metrics": config.get("metrics"),
                                "weighted_metrics": config.get("weighted_metrics"),
                                "run_eagerly": config.get("run_eagerly", False),
                                "steps_per_execution": config.get("steps_per_execution", 1),
                                "jit_compile": config.get("jit_compile", "auto")}, custom_objects)
