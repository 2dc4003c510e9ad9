"""Activation functions under Keras 3's names (`keras.activations`), each built on `neuroflow.ops`.

Every function takes a Tensor (or array, or functional-API placeholder) and returns the activated
Tensor; inside a GradientTape it is differentiable. `get` turns an identifier (None, a name, a
callable, a config dict) into a function, `serialize` / `deserialize` go between functions and names.

    from neuroflow import activations
    activations.get("relu")(x)
    activations.kernel_name(activations.get("relu"))   # 'relu': Dense fuses it into its matmul

`softmax` and `sigmoid` leave their input on the output (`output._softmax_logits = ("softmax", x)`),
so a cross-entropy with `from_logits=False` can work from the logits instead of the probabilities,
as Keras' TensorFlow backend does with `_keras_logits`: the same value, stable for extreme logits.
"""
from neuroflow import ops
from neuroflow.engine.tensor import Tensor
from neuroflow.ops.activation import sparsemax
from neuroflow.utils import registry
from neuroflow.utils.errors import unknown_name_error


def _remember_logits(output, kind, logits):
    """Records the pre-activation on `output` for the losses' logits shortcut (see module doc)."""
    if not isinstance(logits, Tensor) and not hasattr(logits, "node"):  # arrays; placeholders stay
        logits = ops.convert_to_tensor(logits)
    try:
        output._softmax_logits = (kind, logits)
    except AttributeError:  # an object without the slot (never for Tensor / KerasTensor)
        pass
    return output


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras' optional slope, cap and threshold.

    relu(x) = x for x >= threshold, negative_slope * (x - threshold) below it, capped at max_value.

    Args:
        x: input tensor.
        negative_slope: slope below the threshold (0: plain ReLU).
        max_value: upper cap, or None.
        threshold: where the function switches from the slope to the identity.
    """
    options = {}
    if negative_slope:
        options["negative_slope"] = float(negative_slope)
    if max_value is not None:
        options["max_value"] = float(max_value)
    if threshold:
        options["threshold"] = float(threshold)
    return ops.relu(x, **options)


def leaky_relu(x, negative_slope=0.2):
    """leaky_relu(x) = x for x > 0, negative_slope * x otherwise."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """relu6(x) = min(max(x, 0), 6)."""
    return ops.relu6(x)


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) otherwise."""
    return ops.elu(x, alpha=float(alpha)) if alpha != 1.0 else ops.elu(x)


def selu(x):
    """Scaled ELU: scale * elu(x, alpha), scale = 1.05070098, alpha = 1.67326324."""
    return ops.selu(x)


def sigmoid(x):
    """sigmoid(x) = 1 / (1 + e^-x). The output remembers `x` for binary cross-entropy's logits path."""
    return _remember_logits(ops.sigmoid(x), "sigmoid", x)


def softmax(x, axis=-1):
    """softmax(x)_i = e^x_i / sum_j e^x_j along `axis`.

    With the default last axis the output remembers `x`, so categorical cross-entropy with
    `from_logits=False` is computed from the logits.
    """
    output = ops.softmax(x, axis=axis)
    if axis == -1 or (isinstance(axis, int) and axis == len(getattr(x, "shape", ())) - 1):
        _remember_logits(output, "softmax", x)
    return output


def log_softmax(x, axis=-1):
    """log_softmax(x)_i = x_i - log sum_j e^x_j along `axis`."""
    return ops.log_softmax(x, axis=axis)


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def softplus(x):
    """softplus(x) = log(1 + e^x)."""
    return ops.softplus(x)


def softsign(x):
    """softsign(x) = x / (1 + |x|)."""
    return ops.softsign(x)


def hard_sigmoid(x):
    """Keras 3's hard sigmoid: relu6(x + 3) / 6, i.e. clip(x / 6 + 0.5, 0, 1)."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """hard_silu(x) = x * hard_sigmoid(x)."""
    return ops.hard_silu(x)


hard_swish = hard_silu


def silu(x):
    """silu(x) = x * sigmoid(x) (also called swish)."""
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit: x * Phi(x), or its tanh approximation when `approximate`.

    exact: 0.5 x (1 + erf(x / sqrt 2)); approximate: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    return ops.gelu(x, approximate=bool(approximate))


def mish(x):
    """mish(x) = x * tanh(softplus(x))."""
    return ops.mish(x)


def exponential(x):
    """exponential(x) = e^x."""
    return ops.exp(x)


# ---- Keras 3.x additions (celu, glu, the shrink family, sparse_plus ...), composed from ops ------------

def celu(x, alpha=1.0):
    """Continuously differentiable ELU: max(x, 0) + alpha (exp(min(x, 0) / alpha) - 1)."""
    alpha = float(alpha)
    negative = ops.multiply(alpha, ops.subtract(ops.exp(ops.divide(ops.minimum(x, 0.0), alpha)), 1.0))
    return ops.add(ops.relu(x), negative)


def glu(x, axis=-1):
    """Gated linear unit: a * sigmoid(b), a and b the two halves of x along `axis`."""
    size = x.shape[axis]
    if size is not None and size % 2:
        raise ValueError(f"glu expects an even size along axis {axis}, got {size} (input shape {tuple(x.shape)})")
    axis = axis % len(x.shape)
    half = size // 2
    first = tuple([slice(None)] * axis + [slice(0, half)])
    second = tuple([slice(None)] * axis + [slice(half, None)])
    return ops.multiply(ops.getitem(x, first), ops.sigmoid(ops.getitem(x, second)))


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    # Written as soft_shrink plus threshold * sign(soft_shrink): no comparison, so it works on placeholders.
    shrunk = soft_shrink(x, threshold)
    return ops.add(shrunk, ops.multiply(float(threshold), ops.sign(shrunk)))


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return ops.clip(x, -1.0, 1.0)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""
    return ops.negative(ops.softplus(ops.negative(x)))


def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold, 0 between: x - clip(x, -t, t)."""
    return ops.subtract(x, ops.clip(x, -float(threshold), float(threshold)))


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1 (a piecewise-smooth softplus).

    With c = clip(x, -1, 1) that is (c + 1)^2 / 4 + relu(x - c).
    """
    inside = ops.clip(x, -1.0, 1.0)
    return ops.add(ops.multiply(0.25, ops.square(ops.add(inside, 1.0))), ops.relu(ops.subtract(x, inside)))


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."""
    return ops.clip(ops.multiply(0.5, ops.add(x, 1.0)), 0.0, 1.0)


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth ReLU (b >= 0)."""
    if b < 0:
        raise ValueError(f"squareplus expects b >= 0, got b={b!r}")
    return ops.multiply(0.5, ops.add(x, ops.sqrt(ops.add(ops.square(x), float(b)))))


def tanh_shrink(x):
    """x - tanh(x)."""
    return ops.subtract(x, ops.tanh(x))


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    return ops.where(ops.greater(x, threshold), x, ops.add(ops.multiply(x, 0.0), float(default_value)))


def linear(x):
    """The identity (what `activation=None` means)."""
    return x


# Serialized name -> function. Aliases (swish, hard_swish) resolve to the same function, whose
# canonical name is Keras' (silu, hard_silu).
_FUNCTIONS = {
    "relu": relu, "leaky_relu": leaky_relu, "relu6": relu6, "elu": elu, "selu": selu,
    "sigmoid": sigmoid, "softmax": softmax, "log_softmax": log_softmax, "tanh": tanh,
    "softplus": softplus, "softsign": softsign, "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu, "silu": silu, "gelu": gelu, "mish": mish,
    "exponential": exponential, "linear": linear,
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
_CANONICAL = {function: name for name, function in _FUNCTIONS.items()}
registry.register_builtins("activations", {**_FUNCTIONS, **_ALIASES})
_ACTIVATIONS = registry.builtins("activations")

# Functions whose default behaviour is exactly a fused kernel of ops/activation.py; layers.Dense
# passes that kernel's name to ops.dense instead of applying the function afterwards.
_KERNEL_NAMES = {function: name for function, name in _CANONICAL.items()}

# metrics10 (issue 10): Keras 3.x's further activations. They are composed from ops (no fused dense
# kernel), so they join the name tables but not _KERNEL_NAMES.
_COMPOSED = {
    "celu": celu, "glu": glu, "hard_shrink": hard_shrink, "hard_tanh": hard_tanh, "log_sigmoid": log_sigmoid,
    "soft_shrink": soft_shrink, "sparse_plus": sparse_plus, "sparse_sigmoid": sparse_sigmoid, "sparsemax": sparsemax,
    "squareplus": squareplus, "tanh_shrink": tanh_shrink, "threshold": threshold,
}
_FUNCTIONS.update(_COMPOSED)
_CANONICAL.update({function: name for name, function in _COMPOSED.items()})
registry.register_builtins("activations", _COMPOSED)


def kernel_name(function):
    """The name of the fused activation kernel (ops/activation.py KERNELS) for a built-in function.

    Args:
        function: an activation function, e.g. from `get`.

    Returns:
        'relu', 'softmax', ... for the built-in functions of this module, or None for anything
        else (a custom callable, a `functools.partial`, a layer), which the caller applies itself.
    """
    try:
        return _KERNEL_NAMES.get(function)
    except TypeError:  # unhashable callables
        return None


def serialize(activation):
    """The config form of an activation: its name for a built-in or named function.

    Objects with `get_config` (activation layers, custom classes) give
    `{"class_name": ..., "config": ...}`.
    """
    if activation is None:
        return "linear"
    try:
        name = _CANONICAL.get(activation)
    except TypeError:
        name = None
    if name is not None:
        return name
    if hasattr(activation, "get_config"):
        return {"class_name": type(activation).__name__, "config": activation.get_config()}
    if hasattr(activation, "__name__"):
        return activation.__name__
    raise ValueError(f"Cannot serialize activation {activation!r}: expected a function or an object "
                     "with get_config()")


def deserialize(config, custom_objects=None):
    """The activation function for a name or config dict (inverse of `serialize`).

    Args:
        config: a name like 'relu', or a dict with 'class_name' / 'config' as Keras writes it.
        custom_objects: optional dict of extra names -> functions or classes.

    Raises:
        ValueError: for an unknown name (with the closest known one).
    """
    custom_objects = custom_objects or {}
    if isinstance(config, dict):
        inner = config.get("config")
        if isinstance(inner, str):
            return deserialize(inner, custom_objects)
        class_name = config.get("class_name")
        if class_name in custom_objects:
            target = custom_objects[class_name]
            return target.from_config(inner or {}) if hasattr(target, "from_config") else target
        return deserialize(class_name, custom_objects)
    if isinstance(config, str):
        if config in custom_objects:
            return custom_objects[config]
        function = _ACTIVATIONS.get(config)
        if function is None:
            raise unknown_name_error("activation", config, _ACTIVATIONS)
        return function
    raise ValueError(f"Could not interpret activation identifier {config!r}: expected a name or a config dict")


def get(identifier):
    """An activation function from an identifier, as `keras.activations.get` does.

    Args:
        identifier: None (the identity, 'linear'), a name ('relu'), a config dict, or a callable
            (returned unchanged).

    Raises:
        ValueError: for an unknown name or an identifier that is not callable.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation identifier {identifier!r}: expected None, a name "
                     "such as 'relu', or a callable")


__all__ = sorted(list(_FUNCTIONS) + list(_ALIASES) + ["get", "serialize", "deserialize", "kernel_name"])
