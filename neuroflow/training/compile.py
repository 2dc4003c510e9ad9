"""What `compile` sets up: the loss over every output and the metrics reported per output.

Losses, loss weights and metrics may be given as one value (applied to every output), a list
(one per output, in order) or a dict keyed by output names, as in Keras.
"""
from neuroflow import losses as losses_module
from neuroflow import metrics as metrics_module
from neuroflow import ops
from neuroflow.engine.tensor import Tensor
from neuroflow.losses.target_domain import check_targets, check_weighted_classes
from neuroflow.utils import nest


def _per_output(value, output_names, what):
    """Expands one value / a list / a dict keyed by output name into a list aligned with the outputs."""
    count = len(output_names)
    if isinstance(value, dict):
        unknown = [key for key in value if key not in output_names]
        if unknown:
            raise ValueError(f"compile: {what} has keys {unknown} that are not output names; "
                             f"the model's outputs are {output_names}")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and count > 1:
        if len(value) != count:
            raise ValueError(f"compile: {what} has {len(value)} entries but the model has {count} outputs ({output_names})")
        return list(value)
    if isinstance(value, (list, tuple)) and count == 1 and what == "metrics":
        return [value]
    if isinstance(value, (list, tuple)) and count == 1 and len(value) == 1:
        return list(value)
    return [value] * count


def get_loss_object(identifier):
    """A Loss instance for a name, Loss object or plain function `fn(y_true, y_pred)`."""
    if identifier is None:
        return None
    loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        loss = losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    return loss


class CompiledLoss:
    """The model's objective: sum over outputs of loss_weight * loss(y_true, y_pred)."""

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        self.identifiers = _per_output(loss, self.output_names, "loss")
        self.losses = [get_loss_object(identifier) for identifier in self.identifiers]
        if all(loss is None for loss in self.losses):
            raise ValueError("compile: `loss` is required to train; got None for every output")
        weights = _per_output(loss_weights, self.output_names, "loss_weights") if loss_weights is not None \
            else [1.0] * len(self.output_names)
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns (total loss tensor, [per-output loss tensors])."""
        y_true = _align(y_true, self.output_names, "y")
        y_pred = [y_pred] if isinstance(y_pred, Tensor) else nest.flatten(y_pred)
        weights = _align(sample_weight, self.output_names, "sample_weight") if sample_weight is not None \
            else [None] * len(y_pred)
        total, per_output = None, []
        for loss, weight, target, prediction, sw in zip(self.losses, self.loss_weights, y_true, y_pred, weights):
            if loss is None:
                per_output.append(None)
                continue
            value = loss(target, prediction, sample_weight=sw)
            per_output.append(value)
            weighted = value if weight == 1.0 else ops.multiply(value, weight)
            total = weighted if total is None else ops.add(total, weighted)
        return total, per_output


    def check_targets(self, y_true, where="y", sample_weight=None):
        """Refuses targets outside each output's loss domain, and warns about classes weighted 0 throughout
        (losses/target_domain.py), on the host."""
        targets = _align(y_true, self.output_names, where)
        weights = _align(sample_weight, self.output_names, "sample_weight") if sample_weight is not None \
            else [None] * len(targets)
        for loss, target, weight, name in zip(self.losses, targets, weights, self.output_names):
            if loss is not None:
                check_targets(loss, target, where if len(self.output_names) == 1 else f"{where} for output '{name}'")
                check_weighted_classes(loss, target, weight)


def _align(values, output_names, what):
    if isinstance(values, dict):
        missing = [name for name in output_names if name not in values]
        if missing:
            raise ValueError(f"{what} is a dict but lacks entries for outputs {missing}; outputs are {output_names}")
        return [values[name] for name in output_names]
    if len(output_names) == 1:
        return [values[0] if isinstance(values, (list, tuple)) and len(values) == 1 else values]
    flat = list(values) if isinstance(values, (list, tuple)) else [values]
    if len(flat) != len(output_names):
        raise ValueError(f"The model has {len(output_names)} outputs ({output_names}) but {what} has {len(flat)} entries")
    return flat


class CompileMetrics:
    """The metrics named in compile, per output, resolved on the first batch (when shapes are known)."""

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names, loss_identifiers):
        self.output_names = list(output_names)
        self.requested = _per_output(metrics, self.output_names, "metrics") if metrics else [None] * len(output_names)
        self.requested_weighted = _per_output(weighted_metrics, self.output_names, "metrics") \
            if weighted_metrics else [None] * len(output_names)
        self.loss_identifiers = loss_identifiers
        self.metrics = None  # per output: list of (metric, weighted)

    def _build(self, y_true, y_pred):
        # The shapes the metrics were resolved for ('accuracy' becomes sparse or categorical by them),
        # so that a restored training state can make the same metrics before its first batch.
        self.built_shapes = [[list(t.shape), list(p.shape)] for t, p in zip(y_true, y_pred)]
        self.metrics = []
        prefix_outputs = len(self.output_names) > 1
        for index, (requested, requested_weighted) in enumerate(zip(self.requested, self.requested_weighted)):
            built = []
            for identifiers, weighted in ((requested, False), (requested_weighted, True)):
                for identifier in nest.flatten(identifiers) if identifiers is not None else []:
                    if identifier is None:
                        continue
                    metric = self._resolve(identifier, index, y_true[index], y_pred[index])
                    if prefix_outputs:
                        metric.name = f"{self.output_names[index]}_{metric.name}"
                    built.append((metric, weighted))
            self.metrics.append(built)

    def build_for_shapes(self, shapes):
        """Makes the metrics as the first batch would, from `built_shapes` [[y_true shape, y_pred shape], ...]."""
        placeholders = [[_Shaped(y_true), _Shaped(y_pred)] for y_true, y_pred in shapes]
        self._build([pair[0] for pair in placeholders], [pair[1] for pair in placeholders])

    def _resolve(self, identifier, index, y_true, y_pred):
        return metrics_module.resolve(identifier, self.loss_identifiers[index], tuple(y_true.shape),
                                      tuple(y_pred.shape))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _align(y_true, self.output_names, "y")
        y_pred = [y_pred] if isinstance(y_pred, Tensor) else nest.flatten(y_pred)
        if self.metrics is None:
            self._build(y_true, y_pred)
        weights = _align(sample_weight, self.output_names, "sample_weight") if sample_weight is not None \
            else [None] * len(y_pred)
        for built, target, prediction, sw in zip(self.metrics, y_true, y_pred, weights):
            for metric, weighted in built:
                metric.update_state(target, prediction, sample_weight=sw if weighted else None)

    def result(self):
        if self.metrics is None:
            return {}
        return {metric.name: metric.result() for built in self.metrics for metric, _ in built}

    def reset_state(self):
        for built in self.metrics or []:
            for metric, _ in built:
                metric.reset_state()

    @property
    def names(self):
        return [metric.name for built in self.metrics or [] for metric, _ in built]


class _Shaped:
    """Stands in for a batch where only its shape is read (CompileMetrics.build_for_shapes)."""

    def __init__(self, shape):
        self.shape = tuple(shape)

