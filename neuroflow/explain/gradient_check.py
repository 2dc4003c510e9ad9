"""Gradient checking for any model: backprop's gradients against central finite differences, in float64.

    from neuroflow.utils import check_gradients
    report = check_gradients(model, x, y)
    print(report)          # one row per weight tensor: entries checked, max relative error, ok / FAILED
    report.passed

The lectures' point is measured too: the numerical gradient costs two forward passes per weight,
O(W) passes of O(W) work, so O(W^2), where backprop costs about one forward and one backward pass,
O(W). The report keeps both times (`numeric_seconds`, `backprop_seconds`).
"""
import dataclasses
import time

import numpy

from neuroflow import backend, losses, ops
from neuroflow.engine.tape import GradientTape, no_grad
from neuroflow.utils.registry import custom_object_scope

HOST_NUMPY = "finite differences on host float64 copies of the weights, one entry at a time"

# Relative errors are |backprop - numeric| / max(|backprop|, |numeric|, _SMALLEST_SCALE): below this
# scale a float64 central difference of a loss near 1 is rounding noise (about 1e-16 / epsilon),
# so gradients that small are compared absolutely.
_SMALLEST_SCALE = 1e-5
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


@dataclasses.dataclass(frozen=True)
class TensorCheck:
    """The check of one weight tensor: how many entries, and how far backprop was from finite differences."""

    name: str
    shape: tuple
    entries_checked: int
    max_abs_error: float
    max_relative_error: float
    passed: bool


@dataclasses.dataclass(frozen=True)
class GradientCheckReport:
    """The result of `check_gradients`: a row per weight tensor, and whether every one passed.

    Attributes:
        tensors: one TensorCheck per trainable weight, in the model's order.
        tolerance: the largest relative error a tensor may have.
        epsilon: the finite-difference step.
        numeric_seconds: time spent on the finite differences (two loss evaluations per entry).
        backprop_seconds: time of one forward and backward pass on the tape.
    """

    tensors: tuple
    tolerance: float
    epsilon: float
    numeric_seconds: float
    backprop_seconds: float

    @property
    def passed(self):
        return all(check.passed for check in self.tensors)

    @property
    def max_relative_error(self):
        return max((check.max_relative_error for check in self.tensors), default=0.0)

    @property
    def failures(self):
        """The TensorChecks that exceeded the tolerance."""
        return tuple(check for check in self.tensors if not check.passed)

    def __str__(self):
        width = max([len("weight")] + [len(check.name) for check in self.tensors])
        lines = [f"{'weight':<{width}}  {'shape':<14} {'checked':>8} {'max abs error':>14} {'max rel error':>14}  result",
                 "-" * (width + 62)]
        for check in self.tensors:
            lines.append(f"{check.name:<{width}}  {str(check.shape):<14} {check.entries_checked:>8} "
                         f"{check.max_abs_error:>14.3e} {check.max_relative_error:>14.3e}  "
                         f"{'ok' if check.passed else 'FAILED'}")
        verdict = "passed" if self.passed else f"FAILED ({len(self.failures)} of {len(self.tensors)} tensors)"
        lines.append(f"gradient check {verdict}: tolerance {self.tolerance:g} on the relative error, epsilon "
                     f"{self.epsilon:g}; finite differences {self.numeric_seconds:.3g} s, backprop "
                     f"{self.backprop_seconds:.3g} s")
        return "\n".join(lines)


def _as_float64(config):
    """A model config with every float dtype (strings and DTypePolicy dicts) replaced by float64."""
    if isinstance(config, dict):
        result = {}
        for key, value in config.items():
            if key == "dtype" and isinstance(value, str) and value in _FLOAT_DTYPES:
                result[key] = "float64"
            elif key == "dtype" and isinstance(value, dict) and value.get("config", {}).get("name") in _FLOAT_DTYPES:
                result[key] = {**value, "config": {**value["config"], "name": "float64"}}
            else:
                result[key] = _as_float64(value)
        return result
    if isinstance(config, list):
        return [_as_float64(item) for item in config]
    return config


def _float64_model(model, x):
    """`model` itself when its weights are float64, else a float64 copy of it with the same weights."""
    if not model.built:
        model(x, training=False)
    if all(w.value.dtype == numpy.float64 for w in model.weights if w.value.dtype.kind == "f"):
        return model
    # The model's own classes resolve its config's class names, custom layers included.
    classes = {type(layer).__name__: type(layer) for layer in model._flatten_layers()}
    try:
        with custom_object_scope(classes):
            copy = type(model).from_config(_as_float64(model.get_config()))
    except (NotImplementedError, TypeError, ValueError) as error:
        raise ValueError(f"check_gradients runs in float64 and could not make a float64 copy of "
                         f"{type(model).__name__} '{model.name}' from its config ({error}); build the model in "
                         "float64 instead (neuroflow.backend.set_floatx('float64') before creating it)") from None
    copy(x, training=False)
    copy.set_weights([numpy.asarray(w, dtype=numpy.float64) if numpy.asarray(w).dtype.kind == "f" else w
                      for w in model.get_weights()])
    return copy


def _loss_function(model, loss):
    identifier = loss if loss is not None else getattr(model, "loss", None)
    if identifier is None:
        raise ValueError("check_gradients needs a loss: pass loss=... (a name such as 'mse', a Loss or a function) "
                         "or compile the model with one")
    if isinstance(identifier, (list, tuple, dict)):
        raise ValueError("check_gradients checks models with one loss; the model was compiled with one per output, "
                         "so pass loss=... for a single-output model")
    return losses.get(identifier)


def _to_float64(data):
    array = numpy.asarray(data)
    return array.astype(numpy.float64) if array.dtype.kind == "f" else array


def check_gradients(model, x, y, epsilon=1e-6, tolerance=1e-5, loss=None, max_entries=64, training=False, seed=0):
    """Compares the tape's gradient of the loss with central finite differences, for every weight tensor.

    For each checked entry w of a weight tensor, the numerical gradient is
    (E(w + epsilon) - E(w - epsilon)) / (2 epsilon), and its relative error against backprop's
    dE/dw is |backprop - numeric| / max(|backprop|, |numeric|, 1e-5). E is the loss on (x, y)
    plus the model's regularization losses, computed in float64 (a float32 model is copied to
    float64 first; the model itself is left as it was).

    Args:
        model: a built model (or one that builds on x).
        x, y: a batch of inputs and targets.
        epsilon: the finite-difference step.
        tolerance: the largest relative error a tensor may have and pass.
        loss: the loss (name, Loss or function); default the model's compiled loss.
        max_entries: entries checked per tensor, drawn at random when a tensor has more (None: all).
        training: the call's `training` flag (False keeps dropout off, so E is deterministic).
        seed: seed of the entries drawn.

    Returns:
        A GradientCheckReport: print it for the per-tensor table; `passed` is False when any
        tensor's max relative error exceeds `tolerance`.
    """
    x = [_to_float64(part) for part in x] if isinstance(x, (list, tuple)) else _to_float64(x)
    y = _to_float64(y)
    target = _float64_model(model, x)
    loss_function = _loss_function(model, loss)

    def objective():
        target._clear_call_losses()
        total = ops.mean(loss_function(y, target(x, training=training)))
        extra = target.losses
        return ops.add(total, ops.sum(ops.stack(extra))) if extra else total

    variables = target.trainable_weights
    start = time.perf_counter()
    with GradientTape() as tape:
        total = objective()
    analytic = tape.gradient(total, variables, unconnected_gradients="zero")
    backprop_seconds = time.perf_counter() - start

    rng = numpy.random.default_rng(seed)
    checks = []
    numeric_seconds = 0.0
    for variable, gradient in zip(variables, analytic):
        gradient = backend.to_numpy(gradient.value).reshape(-1)
        values = variable.value  # written in place, entry by entry: the model reads the perturbed weight
        indices = numpy.arange(values.size)
        if max_entries is not None and values.size > max_entries:
            indices = numpy.sort(rng.choice(values.size, size=max_entries, replace=False))
        numeric = numpy.empty(len(indices))
        start = time.perf_counter()
        with no_grad():
            for position, index in enumerate(indices):
                entry = numpy.unravel_index(index, values.shape)
                original = values[entry]
                values[entry] = original + epsilon
                plus = float(objective().numpy())
                values[entry] = original - epsilon
                minus = float(objective().numpy())
                values[entry] = original
                numeric[position] = (plus - minus) / (2 * epsilon)
        numeric_seconds += time.perf_counter() - start
        backprop = gradient[indices]
        absolute = numpy.abs(backprop - numeric)
        scale = numpy.maximum(numpy.maximum(numpy.abs(backprop), numpy.abs(numeric)), _SMALLEST_SCALE)
        relative = absolute / scale
        max_relative = float(relative.max()) if len(relative) else 0.0
        checks.append(TensorCheck(variable.path, tuple(values.shape), len(indices),
                                  float(absolute.max()) if len(absolute) else 0.0, max_relative,
                                  bool(max_relative <= tolerance)))
    return GradientCheckReport(tuple(checks), float(tolerance), float(epsilon), numeric_seconds, backprop_seconds)
