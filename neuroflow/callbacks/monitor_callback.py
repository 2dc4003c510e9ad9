"""MonitorCallback: the shared base of callbacks that watch one logged quantity for improvement."""
import warnings

from neuroflow.callbacks.callback import Callback
from neuroflow.utils.errors import closest_name

# Substrings of metric names that are better when higher, and when lower, for mode='auto'. Checked
# after the exact rule for losses and after any direction the model's metric objects declare.
_HIGHER_IS_BETTER = (
    "acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "cosine_similarity",
    "true_positives", "true_negatives",
)
_LOWER_IS_BETTER = (
    "loss", "error", "crossentropy", "hinge", "divergence", "poisson", "logcosh", "log_cosh",
    "mse", "mae", "mape", "msle", "rmse", "false_positives", "false_negatives",
)


def available_metrics_text(monitor, available):
    """"Available metrics are: loss,val_loss" (Keras' wording), plus the closest name to `monitor`."""
    available = list(available)
    suggestion = closest_name(monitor, available)
    hint = f" Did you mean {suggestion!r}?" if suggestion else ""
    return f"Available metrics are: {','.join(available)}.{hint}"


def _logged_names(model):
    """The names fit logs for `model`: its metrics_names, and each with 'val_' in front."""
    names = list(getattr(model, "metrics_names", None) or [])
    return names + [f"val_{name}" for name in names]


def _declared_direction(model, metric_name):
    """'up' or 'down' when one of the model's metric objects named `metric_name` declares it."""
    pending = list(getattr(model, "metrics", None) or [])
    while pending:
        metric = pending.pop()
        pending.extend(getattr(metric, "metrics", None) or [])  # containers of compiled metrics
        if getattr(metric, "name", None) == metric_name:
            direction = getattr(metric, "_direction", None)
            if direction in ("up", "down"):
                return direction
    return None


def infer_mode(monitor, model=None):
    """'min' or 'max' for a monitored log name, as mode='auto' decides it.

    The 'val_' prefix is ignored. 'loss' and names ending in 'loss' are minimized; otherwise a
    direction declared by the model's metric of that name wins; otherwise the name decides: names
    containing 'acc', 'auc', 'precision', 'recall', ... are maximized, names containing 'error',
    'crossentropy', 'mse', ... are minimized.

    Returns:
        'min', 'max', or None when the name says nothing about the direction.
    """
    name = monitor[4:] if monitor.startswith("val_") else monitor
    lowered = name.lower()
    if lowered == "loss" or lowered.endswith("loss"):
        return "min"
    direction = _declared_direction(model, name) if model is not None else None
    if direction is not None:
        return "max" if direction == "up" else "min"
    if any(token in lowered for token in _HIGHER_IS_BETTER):
        return "max"
    if any(token in lowered for token in _LOWER_IS_BETTER):
        return "min"
    return None


class MonitorCallback(Callback):
    """Base for callbacks that compare a logged quantity with the best value seen so far.

    A value `current` improves on `reference` when, in 'min' mode, `current < reference - min_delta`,
    and in 'max' mode, `current > reference + min_delta`. A reference of None is always improved on.

    Args:
        monitor: the log name to watch, e.g. 'val_loss' or 'val_accuracy'.
        mode: 'min', 'max' or 'auto' (inferred from the name, see `infer_mode`); an unknown mode
            warns and falls back to 'auto', as in Keras.
        baseline: the initial best value, or None to take the first value seen.
        min_delta: the least change that counts as an improvement (its sign is ignored).

    Raises:
        ValueError: at the first check, when mode='auto' cannot tell the direction of `monitor`.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode {mode!r} is unknown, fallback to auto mode. "
                "Use 'auto', 'min' or 'max'.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None  # 'min' or 'max' once resolved

    def _set_monitor_op(self):
        """Resolves the direction; deferred to the first check so the model's metrics exist."""
        if self.mode in ("min", "max"):
            self.monitor_op = self.mode
            return
        self.monitor_op = infer_mode(self.monitor, self.model)
        if self.monitor_op is None:
            raise ValueError(
                f"{type(self).__name__} received monitor={self.monitor!r}, but cannot tell whether "
                "that metric should be maximized or minimized. Pass mode='max' to monitor the "
                "highest value, or mode='min' to monitor the lowest. "
                + available_metrics_text(self.monitor, _logged_names(self.model))
            )

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.monitor_op == "min":
            return monitor_value < reference_value - self.min_delta
        return monitor_value > reference_value + self.min_delta
