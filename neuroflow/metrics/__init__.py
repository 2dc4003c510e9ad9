"""Metrics under Keras 3's names: streaming, weighted, computed off the tape.

    from neuroflow import metrics
    m = metrics.AUC()
    m.update_state(y_true, y_pred)
    float(m.result())
    metrics.get("mse")                       # a MeanSquaredError instance
    metrics.resolve_accuracy("acc", "sparse_categorical_crossentropy", (32,), (32, 10))

Files: metric.py (Metric, Mean, Sum, MeanMetricWrapper), accuracy.py, regression.py,
probabilistic.py (cross-entropies, KL, Poisson, hinge), confusion.py (counts, Precision, Recall,
AUC), f_score.py (FBetaScore, F1Score).
"""
from neuroflow import losses as _losses
from neuroflow.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from neuroflow.metrics.at_constraint import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from neuroflow.metrics.confusion import AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from neuroflow.metrics.correlation import ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation
from neuroflow.metrics.f_score import F1Score, FBetaScore
from neuroflow.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from neuroflow.metrics.metric import FUNCTIONS as _FUNCTIONS
from neuroflow.metrics.metric import Mean, MeanMetricWrapper, Metric, Sum, get_function, snake_case
from neuroflow.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from neuroflow.metrics.r2_score import R2Score
from neuroflow.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    cosine_similarity,
)
from neuroflow.utils import registry
from neuroflow.utils.errors import unknown_name_error
from neuroflow.utils.serialization import serialize_instance_or_function

# Loss functions double as metric functions (keras.metrics.mean_squared_error, ...).
mean_squared_error = mse = _losses.mean_squared_error
mean_absolute_error = mae = _losses.mean_absolute_error
mean_absolute_percentage_error = mape = _losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = _losses.mean_squared_logarithmic_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
kl_divergence = _losses.kl_divergence
poisson = _losses.poisson
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge
categorical_hinge = _losses.categorical_hinge
log_cosh = _losses.log_cosh

# metrics10 (issue 10): loss functions Keras also lists under keras.metrics.
binary_focal_crossentropy = _losses.binary_focal_crossentropy
categorical_focal_crossentropy = _losses.categorical_focal_crossentropy
huber = _losses.huber

_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper,
            Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            RootMeanSquaredError, CosineSimilarity, LogCoshError,
            BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
            Hinge, SquaredHinge, CategoricalHinge,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall, AUC,
            FBetaScore, F1Score]
# metrics10 (issue 10)
_CLASSES += [IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, R2Score, PearsonCorrelation, ConcordanceCorrelation,
             PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity]

# String identifiers, as keras.metrics.get reads them: class names, their snake_case, short forms.
# The Metric classes registered themselves (Metric.__init_subclass__); add the base and Keras' spellings.
registry.register_builtins("metrics", {cls.__name__: cls for cls in _CLASSES})
registry.register_builtins("metrics", {snake_case(cls.__name__): cls for cls in _CLASSES})
registry.register_builtins("metrics", {"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
                    "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
                    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
                    "MSLE": MeanSquaredLogarithmicError, "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy})
ALL_OBJECTS = registry.builtins("metrics")

_FUNCTIONS.update({fn.__name__: fn for fn in [
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, cosine_similarity, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge,
    categorical_hinge, log_cosh]})

# metrics10 (issue 10)
_FUNCTIONS.update({fn.__name__: fn for fn in [
    pearson_correlation, concordance_correlation, binary_focal_crossentropy, categorical_focal_crossentropy, huber]})


def serialize(metric):
    """{'class_name', 'config'} for a Metric; the name for a plain function."""
    return serialize_instance_or_function(metric, Metric, "metric")


def deserialize(config, custom_objects=None):
    """A Metric (or function) from a name or {'class_name', 'config'} dict."""
    objects = dict(ALL_OBJECTS)
    objects.update(custom_objects or {})
    if isinstance(config, str):
        if config in objects:
            return objects[config]
        if config in _FUNCTIONS:
            return _FUNCTIONS[config]
        raise unknown_name_error("metric identifier", config, list(ALL_OBJECTS) + ["accuracy", "acc"])
    if isinstance(config, dict):
        class_name = config.get("class_name")
        if class_name not in objects:
            raise unknown_name_error("metric identifier", class_name, ALL_OBJECTS)
        target = objects[class_name]
        return target.from_config(config.get("config") or {}) if isinstance(target, type) else target
    raise ValueError(f"Could not interpret metric config {config!r}: expected a name or a dict")


def get(identifier):
    """A metric from an identifier, as `keras.metrics.get` does.

    Args:
        identifier: None, a name ('mse', 'auc', 'precision', 'binary_accuracy', ...), a config dict,
            a Metric class (instantiated with defaults), a Metric instance or a function.

    Returns:
        A Metric instance, or the function itself for callables that are not Metric classes.

    Raises:
        ValueError: for unknown names (naming the closest known one).
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj) or isinstance(obj, Metric):
        return obj
    raise ValueError(f"Could not interpret metric identifier {identifier!r}")


def _loss_name(loss):
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__


def _is_binary_or_sparse(y_true_shape, y_pred_shape, loss):
    """Keras 3's rule (trainers/compile_utils.py): binary when y_pred's last axis has size 1;
    sparse when y_true has fewer axes than y_pred, or a last axis of 1 against several classes.
    The loss decides only when a shape is unknown."""
    if y_true_shape is not None and y_pred_shape is not None and len(y_pred_shape) and len(y_true_shape):
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        is_binary = y_pred_shape[-1] == 1
        is_sparse = len(y_true_shape) < len(y_pred_shape) or (
            y_true_shape[-1] == 1 and y_pred_shape[-1] is not None and y_pred_shape[-1] > 1)
        return is_binary, is_sparse
    name = snake_case(_loss_name(loss))
    return "binary" in name or name == "bce", "sparse" in name


def resolve_accuracy(name, loss=None, y_true_shape=None, y_pred_shape=None):
    """The accuracy metric compile builds for the string 'accuracy' / 'acc' (Keras 3's rule).

    BinaryAccuracy when y_pred's last axis has size 1; SparseCategoricalAccuracy when y_true has
    fewer axes than y_pred, or a last axis of size 1 while y_pred has several classes;
    CategoricalAccuracy otherwise. Keras 3 decides from the shapes alone; `loss` is consulted only
    when a shape is unknown (binary / sparse cross-entropy names).

    Args:
        name: what the user wrote ('accuracy' or 'acc'); the metric keeps it as its name (History key).
        loss: the compiled loss (name, function or Loss), a fallback.
        y_true_shape, y_pred_shape: shapes of the targets and of the model output.

    Returns:
        A fresh metric instance named `name`.
    """
    is_binary, is_sparse = _is_binary_or_sparse(y_true_shape, y_pred_shape, loss)
    if is_binary:
        return BinaryAccuracy(name=str(name))
    if is_sparse:
        return SparseCategoricalAccuracy(name=str(name))
    return CategoricalAccuracy(name=str(name))


def resolve(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """The metric instance compile builds for one entry of `metrics=[...]`, named as Keras names it.

    'accuracy' / 'acc' go through `resolve_accuracy`; 'crossentropy' / 'ce' pick the binary,
    sparse or categorical cross-entropy by the same rule; other strings go through `get` and keep
    the string as their name ('mse' stays 'mse'); functions become a MeanMetricWrapper named after
    the function; Metric instances are used as they are.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return resolve_accuracy(identifier, loss, y_true_shape, y_pred_shape)
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _is_binary_or_sparse(y_true_shape, y_pred_shape, loss)
        cls = BinaryCrossentropy if is_binary else SparseCategoricalCrossentropy if is_sparse else CategoricalCrossentropy
        return cls(name=identifier)
    metric = get(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
