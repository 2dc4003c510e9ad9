"""How Keras' layer configs map onto neuroflow's constructors, key by key.

A Keras option neuroflow does not support, or a layer class it does not have, is refused with an
error naming it; it is never dropped silently. Keras-only options at their inert defaults
(`quantization_config=None`, `sparse=False`, ...) are accepted.

To support one more layer class, add a `LayerSpec` to `LAYERS`: usually `LayerSpec()` is enough
(same class name and Keras' argument names); `rename` maps config keys, `ignore` lists Keras-only
keys and their inert values. A layer whose Keras counterpart orders or nests its variables
differently says so in its own `saved_variables` (recurrent layers: the `cell` group).
"""
import importlib
import inspect

from neuroflow import activations
from neuroflow.layers.layer import Layer
from neuroflow.utils import registry
from neuroflow.utils.registry import get_custom_object

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
WRAPPED_LAYER_KEYS = {"Bidirectional": ("layer", "backward_layer"), "TimeDistributed": ("layer",)}

# Keras-only config keys accepted (and dropped) at these inert values, for every class.
_INERT = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,), "optional": (False,),
    "sparse": (False,), "ragged": (False,), "input_axes": (None,), "output_axes": (None,),
    "autocast": (True,), "build_input_shape": None,  # None: any value (it is used elsewhere)
}

_IDENTIFIER_KINDS = (("_initializer", "initializers"), ("_regularizer", "regularizers"),
                     ("_constraint", "constraints"))


# ---- values ------------------------------------------------------------------------------------

def dtype_policy(dtype):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(dtype)}, "registered_name": None}


def dtype_from_keras(value, where):
    """A dtype name from a Keras dtype policy dict (or plain name); mixed precision is refused."""
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name")
    if value is None:
        return None
    if not isinstance(value, str) or value.startswith("mixed_") or value == "bfloat16":
        raise ValueError(f"{where} uses dtype policy {value!r}, which neuroflow does not support "
                         "(float32 and float64 only)")
    return value


def to_keras_modules(value):
    """neuroflow's serialized objects name 'neuroflow.x' modules; Keras wants 'keras.x'."""
    if isinstance(value, dict):
        out = {k: to_keras_modules(v) for k, v in value.items()}
        module = out.get("module")
        if isinstance(module, str) and module.startswith("neuroflow."):
            out["module"] = "keras." + module[len("neuroflow."):]
        return out
    if isinstance(value, (list, tuple)):
        return [to_keras_modules(v) for v in value]
    return value


def _accepted_arguments(cls):
    """The keyword arguments `cls(...)` accepts: its own and, through **kwargs, the base Layer's."""
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


def fit_arguments(cls, config, where, ignore=None):
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


def keras_identifier(value, kind, where, custom_objects):
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
        config = fit_arguments(cls, config, f"{where} ({kind[:-1]} {class_name})")
    return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)


def layer_arguments(cls, config, spec, where, custom_objects):
    config = dict(config)
    if "dtype" in config:
        config["dtype"] = dtype_from_keras(config["dtype"], where)
    for keras_key, key in spec.rename.items():
        if keras_key in config:
            config[key] = config.pop(keras_key)
    kwargs = fit_arguments(cls, config, where, spec.ignore)
    for key, value in list(kwargs.items()):
        for suffix, kind in _IDENTIFIER_KINDS:
            if key.endswith(suffix) and isinstance(value, dict):
                kwargs[key] = keras_identifier(value, kind, where, custom_objects)
        if key == "activity_regularizer" and isinstance(value, dict):
            kwargs[key] = keras_identifier(value, "regularizers", where, custom_objects)
        if (key == "activation" or key.endswith("_activation")) and isinstance(value, dict):
            kwargs[key] = activations.deserialize(value, custom_objects)
        if isinstance(value, list) and key in ("target_shape", "kernel_size", "strides", "pool_size", "dilation_rate",
                                               "padding", "size", "cropping", "dims", "noise_shape"):
            kwargs[key] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return kwargs
