"""What the scikit-learn wrappers check and copy: the arrays scikit-learn hands over, the user's model."""
import copy

# Host-side bookkeeping only: scikit-learn hands over and expects NumPy arrays.
import numpy

from neuroflow.models import clone_model
from neuroflow.seeding import set_random_seed

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's side: labels, scores and predictions are host arrays"


def _check_is_fitted(estimator):
    # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
    from sklearn.utils.validation import check_is_fitted
    check_is_fitted(estimator, "model_")


def _check_x(estimator, X, reset):
    """X as a numeric array (any rank: images are fine), through scikit-learn's `validate_data`.

    `reset=True` (fit) records `n_features_in_` (and `feature_names_in_` for a DataFrame); `reset=False`
    (predict) checks them, with scikit-learn's wording.
    """
    # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
    from sklearn.utils.validation import validate_data
    return validate_data(estimator, X, reset=reset, allow_nd=True, dtype="numeric")


def _check_xy(estimator, X, y):
    """(X, y) checked together by `validate_data`: y is required, has as many rows as X, and may be 2-D."""
    # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
    from sklearn.utils.validation import validate_data
    return validate_data(estimator, X, y, allow_nd=True, dtype="numeric", multi_output=True)


def _seed(estimator):
    """Seeds neuroflow's generator from `random_state` (weights, shuffling, dropout), if one is given.

    An int gives the same fit each time; a RandomState gives a seed drawn from it; None leaves the
    generator as it is (fits differ, unless the caller seeded it).
    """
    # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
    from sklearn.utils import check_random_state
    random_state = getattr(estimator, "random_state", None)
    if random_state is None:
        return
    seed = random_state if isinstance(random_state, (int, numpy.integer)) else \
        check_random_state(random_state).randint(0, 2**31 - 1)
    set_random_seed(int(seed))


def _check_compiled(model, where):
    """The built model must be a compiled neuroflow Model with a loss and an optimizer."""
    if not hasattr(model, "fit") or not hasattr(model, "predict"):
        raise TypeError(f"{where} must give a neuroflow Model, got {type(model).__name__}")
    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None \
            or getattr(model, "optimizer", None) is None:
        raise RuntimeError(f"{where} gave a model that is not compiled with a loss and an optimizer; call "
                           "model.compile(optimizer=..., loss=...) before returning it")


def _clone_compiled(model):
    """A copy of `model` with freshly initialized weights, compiled like it with a fresh optimizer.

    `clone_model` rebuilds the architecture from its config; the compile arguments are copied so the
    clone's optimizer slots and metric states start empty, as a new model's would.
    """
    _check_compiled(model, "the model passed to the wrapper")
    clone = clone_model(model)
    optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
    requested = model._compile_metrics.requested
    weighted = model._compile_metrics.requested_weighted
    single = len(model.output_names) == 1
    loss_weights = model._compiled_loss.loss_weights if model._compiled_loss is not None else None
    clone.compile(optimizer=optimizer, loss=copy.deepcopy(model.loss), loss_weights=loss_weights,
                  metrics=copy.deepcopy(requested[0] if single else requested),
                  weighted_metrics=copy.deepcopy(weighted[0] if single else weighted))
    return clone


def _encode_validation_data(fit_kwargs, encode):
    """Applies the training-target encoding to the `y` of `validation_data=(x, y[, weights])`."""
    data = fit_kwargs.get("validation_data")
    if isinstance(data, (tuple, list)) and len(data) in (2, 3):
        fit_kwargs["validation_data"] = (data[0], encode(data[1])) + tuple(data[2:])
    return fit_kwargs
