"""scikit-learn wrappers: a compiled neuroflow model as a scikit-learn estimator.

Two spellings:

- Keras 3's `SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer`
  `(model, warm_start=False, model_kwargs=None, fit_kwargs=None)`: `model` is a compiled Model
  (cloned with fresh weights and a fresh optimizer before each fit) or a callable
  `model(X=X, y=y, **model_kwargs)` returning one.
- The tf.keras / scikeras spelling of many lecture notes, `KerasClassifier(build_fn=..., epochs=...,
  batch_size=..., verbose=0, **build_params)` and `KerasRegressor`: every keyword is routed by name
  to `build_fn`, to `Model.fit` or to `Model.predict` (prefixes `model__` / `fit__` force a route).

Both work with `sklearn.base.clone`, `cross_val_score`, `GridSearchCV` and `RandomizedSearchCV`;
`score` is scikit-learn's default (accuracy for classifiers, R^2 for regressors).

scikit-learn is an optional extra (`pip install "neuroflow[sklearn]"`); without it, this module
still imports, and constructing a wrapper raises an ImportError that says how to install it.

    from sklearn.model_selection import cross_val_score
    from neuroflow import layers, models
    from neuroflow.wrappers import SKLearnClassifier

    def build(X, y, units=16):
        model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                                   layers.Dense(y.shape[1], activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model

    classifier = SKLearnClassifier(build, model_kwargs={"units": 32}, fit_kwargs={"epochs": 20, "verbose": 0})
    cross_val_score(classifier, X, y, cv=3)
"""
import copy

# Host-side bookkeeping only (labels, one-hot targets, argmax of predictions): scikit-learn hands
# over and expects NumPy arrays, so `backend.xp` has no place here.
import numpy

from neuroflow.wrappers.class_encoding import _ClassEncoding
from neuroflow.wrappers.routing import _name_of, _signature_params, route_parameters
from neuroflow.wrappers.validation import (
    _check_compiled,
    _check_is_fitted,
    _check_x,
    _check_xy,
    _clone_compiled,
    _encode_validation_data,
    _seed,
)

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's side: labels, scores and predictions are host arrays"

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:
    sklearn = None

    # Stand-ins so the classes below can be defined; their constructors refuse to run.
    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass

INSTALL_HINT = 'pip install "neuroflow[sklearn]"'


def _require_sklearn(name):
    if sklearn is None:
        raise ImportError(f"{name} needs scikit-learn, which is not installed; install it with: {INSTALL_HINT}")


def _set_tags(tags, classifier=False, regressor=False, transformer=False):
    # Training is stochastic and a few epochs score poorly: sklearn's estimator checks must know both.
    tags.non_deterministic = True
    if classifier:
        tags.classifier_tags.poor_score = True
    if regressor:
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True  # a 2-D y is several outputs of the network
    if transformer:
        tags.transformer_tags.preserves_dtype = []
    return tags


# ---- Keras 3: SKLearnClassifier, SKLearnRegressor, SKLearnTransformer ------------------------------------


class SKLBase(BaseEstimator):
    """Base of the Keras 3 wrappers: builds, fits and predicts with a neuroflow model.

    Training is random (weight initialization, shuffling); call `neuroflow.set_random_seed` first
    for reproducible results.

    Args:
        model: a compiled `Model` (cloned with fresh weights before each fit, unless `warm_start`
            continues a previous fit), or a callable returning a compiled Model; the callable is
            called as `model(X=X, y=y, **model_kwargs)`, with `y` as the network sees it (one-hot
            rows for the classifier, a column for 1-D regression targets).
        warm_start: when True, a second `fit` continues training the already fitted model instead
            of building a new one.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `Model.fit` (`epochs`, `batch_size`, `verbose`,
            `callbacks`, ...); those given to `fit` itself take precedence.
        random_state: None (default), an int or a `numpy.random.RandomState`; when given, fit
            calls `neuroflow.set_random_seed` with it (an int drawn from a RandomState) before
            building the model, so the same int gives the same weights, shuffling and predictions.
            Like Keras' `set_random_seed`, that also reseeds Python's and NumPy's global generators.
            An addition to Keras' signature, for scikit-learn's reproducibility conventions.

    Attributes:
        model_: the fitted Model.
        history_: dict of the per-epoch logs of the last fit (`History.history`).
        n_features_in_: number of features seen in fit.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None, random_state=None):
        _require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
        self.random_state = random_state

    def __sklearn_clone__(self):
        # The model template is shared, not deep-copied: fit never trains it, only its clone.
        params = {name: value if name == "model" else copy.deepcopy(value)
                  for name, value in self.get_params(deep=False).items()}
        return type(self)(**params)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "poor_score": True}

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__())

    @property
    def epoch_(self):
        """Number of epochs of the last fit."""
        return len(next(iter(getattr(self, "history_", {}).values()), []))

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if callable(self.model) and not hasattr(self.model, "fit"):
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
            _check_compiled(model, f"{type(self).__name__}'s model function {_name_of(self.model)}")
            return model
        if hasattr(self.model, "fit") and hasattr(self.model, "get_config"):
            return _clone_compiled(self.model)
        raise TypeError(f"{type(self).__name__}: model must be a compiled neuroflow Model or a callable returning "
                        f"one; got {type(self.model).__name__}")

    def fit(self, X, y, **kwargs):
        """Builds (or clones) the model and trains it on (X, y).

        Args:
            X: array-like, shape (n_samples, n_features) (or more axes, e.g. images).
            y: array-like, shape (n_samples,) or (n_samples, n_outputs).
            **kwargs: keyword arguments for `Model.fit`, over `fit_kwargs`.

        Returns:
            self.
        """
        X, y = _check_xy(self, X, y)
        targets = self._process_target(y, reset=True)
        _seed(self)
        model = self._get_model(X, targets)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        fit_kwargs = _encode_validation_data(fit_kwargs, self._process_target)
        history = model.fit(X, targets, **fit_kwargs)
        self.history_ = dict(history.history) if history is not None else {}
        self.model_ = model
        return self

    def _predict_outputs(self, X):
        _check_is_fitted(self)
        X = _check_x(self, X, reset=False)
        # No progress bar: scikit-learn calls predict once per fold and per candidate.
        return self.model_.predict(X, verbose=0)

    def predict(self, X):
        """Predictions for X, in the form of the targets given to fit."""
        return self._reverse_process_target(self._predict_outputs(X))

    def _process_target(self, y, reset=False):
        """Regression targets as the network sees them: numeric, at least 2-D (a column for 1-D y)."""
        # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
        from sklearn.utils.validation import check_array
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
        if reset:
            self._target_ndim = y.ndim
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _reverse_process_target(self, outputs):
        outputs = numpy.asarray(outputs, dtype=numpy.float64)  # scikit-learn's regressors predict float64
        if self._target_ndim == 1 and outputs.ndim == 2 and outputs.shape[1] == 1:
            return outputs[:, 0]
        return outputs


class SKLearnClassifier(ClassifierMixin, _ClassEncoding, SKLBase):
    """scikit-learn classifier around a neuroflow model (Keras 3's `keras.wrappers.SKLearnClassifier`).

    Labels may be any hashable values (ints, strings, ...): `classes_` holds them sorted, and the
    network is trained on one-hot rows (`y.shape[1] == n_classes`, also for two classes), so its
    last layer is `Dense(n_classes, activation="softmax")` with `categorical_crossentropy`.
    `predict` returns the label of the largest output (or of p > 0.5 for one sigmoid unit);
    `predict_proba` returns the outputs; `score` is the accuracy.

    Args: see `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).

    Example:

    ```python
    def build(X, y, units=16):
        model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                                   layers.Dense(y.shape[1], activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model

    classifier = SKLearnClassifier(build, fit_kwargs={"epochs": 20, "verbose": 0}).fit(X, labels)
    classifier.predict(X[:3])      # array(['cat', 'dog', 'cat'], dtype=object)
    ```
    """

    def _more_tags(self):
        return {"non_deterministic": True, "poor_score": True}

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__(), classifier=True)

    def _process_target(self, y, reset=False):
        y = numpy.asarray(y)
        indices = self._fit_classes(y) if reset else self._class_indices(y)
        return self._one_hot(indices)

    def _reverse_process_target(self, outputs):
        return self._labels(outputs)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of `classes_`."""
        return self._probabilities(self._predict_outputs(X))


class SKLearnRegressor(RegressorMixin, SKLBase):
    """scikit-learn regressor around a neuroflow model (Keras 3's `keras.wrappers.SKLearnRegressor`).

    1-D targets reach the network as a column (n_samples, 1) and predictions come back 1-D;
    `score` is the coefficient of determination R^2 = 1 - sum((y - y_pred)^2) / sum((y - mean(y))^2).

    Args: see `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).

    Example:

    ```python
    def build(X, y, units=64):
        model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                                   layers.Dense(y.shape[1])])
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    regressor = SKLearnRegressor(build, fit_kwargs={"epochs": 50, "verbose": 0}).fit(X, y)
    regressor.score(X_test, y_test)
    ```
    """

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__(), regressor=True)


class SKLearnTransformer(TransformerMixin, SKLBase):
    """scikit-learn transformer around a neuroflow model (Keras 3's `keras.wrappers.SKLearnTransformer`).

    `fit(X, y)` trains the model on (X, y) (with `y=None`, on (X, X): an autoencoder);
    `transform(X)` returns the model's outputs, e.g. an embedding for the next step of a Pipeline.

    Args: see `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).
    """

    def _more_tags(self):
        return {"non_deterministic": True, "preserves_dtype": []}

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__(), transformer=True)

    def fit(self, X, y=None, **kwargs):
        """Trains the model on (X, y), or on (X, X) when y is None. Returns self."""
        return super().fit(X, X if y is None else y, **kwargs)

    def transform(self, X):
        """The model's outputs for X, shape (n_samples, ...)."""
        return numpy.asarray(self._predict_outputs(X))


# ---- the tf.keras / scikeras spelling: KerasClassifier, KerasRegressor ----------------------------------

class _KerasLegacyBase(BaseEstimator):
    """Base of `KerasClassifier` / `KerasRegressor`, the tf.keras (and scikeras) spelling.

    Args:
        build_fn: a function returning a Model, compiled (or uncompiled when `loss` is given); it
            receives, by name, the keyword arguments its signature lists (and `meta`, a dict of
            `n_features_in_`, `n_outputs_expected_` and for classifiers `classes_`, `n_classes_`,
            if it has a `meta` parameter). `model=` is accepted as another name for it (scikeras).
        **sk_params: model and training parameters. Each goes, by name, to `build_fn`, to
            `Model.fit` (`epochs`, `batch_size`, `verbose`, `callbacks`, `validation_split`, ...)
            and/or to `Model.predict` (`batch_size`, `verbose`); `optimizer`, `loss`, `metrics`
            compile a model that `build_fn` left uncompiled; the prefixes `model__name` and
            `fit__name` force the route. A name nothing accepts is an error at fit.
        random_state: as `SKLBase`'s: an int seeds neuroflow at each fit (scikit-learn's checks and
            searches set it through `set_params`); it is not routed to build_fn.

    `get_params` / `set_params` see `build_fn` and every sk_param, so `clone` and the searches of
    `sklearn.model_selection` can vary any of them (e.g. `{"n_neurons": [10, 30], "epochs": [5, 10]}`).

    Attributes:
        model_ (also `model`, as in tf.keras): the fitted Model.
        history_: dict of the per-epoch logs of the last fit.
    """

    def __init__(self, build_fn=None, random_state=None, **sk_params):
        _require_sklearn(type(self).__name__)
        self.build_fn = build_fn
        self.random_state = random_state
        # Private: scikit-learn's parameters are the signature's, and these cannot be listed there.
        self._sk_params = dict(sk_params)

    @property
    def sk_params(self):
        """The model and training parameters given besides `build_fn` and `random_state`, as a dict."""
        return self._sk_params

    def __getattr__(self, name):
        # Each sk_param reads as an attribute too (`regressor.epochs`), as scikit-learn parameters do.
        sk_params = self.__dict__.get("_sk_params", {})
        if name in sk_params:
            return sk_params[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_params(self, deep=True):
        """`build_fn`, `random_state` and every sk_param, as given."""
        params = dict(self._sk_params)
        params["build_fn"] = self.build_fn
        params["random_state"] = self.random_state
        return params

    def set_params(self, **params):
        """Sets `build_fn`, `random_state` or any sk_param (new names are allowed: they are routed at fit). Returns self."""
        for name, value in params.items():
            if name in ("build_fn", "random_state"):
                setattr(self, name, value)
            else:
                self._sk_params[name] = value
        return self

    def __sklearn_clone__(self):
        params = {name: value if callable(value) or hasattr(value, "fit") else copy.deepcopy(value)
                  for name, value in self.get_params(deep=False).items()}
        return type(self)(**params)

    def _more_tags(self):
        return {"non_deterministic": True, "poor_score": True}

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__())

    @property
    def model(self):
        """The fitted Model (tf.keras' `KerasRegressor.model`)."""
        if not hasattr(self, "model_"):
            raise AttributeError(f"This {type(self).__name__} is not fitted yet; call fit() first")
        return self.model_

    def _build_function(self):
        build_fn = self.build_fn if self.build_fn is not None else self.sk_params.get("model")
        if build_fn is None and any("__call__" in vars(klass) for klass in type(self).__mro__[:-1]):
            build_fn = self.__call__  # tf.keras: a subclass may define the model in __call__
        if build_fn is None or not callable(build_fn):
            raise ValueError(f"{type(self).__name__} needs build_fn, a function returning a compiled Model; "
                             f"got {build_fn!r}")
        return build_fn

    def _meta(self):
        return {"n_features_in_": self.n_features_in_}

    def _build(self, X, targets):
        build_fn = self._build_function()
        build, compile_args, fit, predict = route_parameters(type(self).__name__, self.sk_params, build_fn,
                                                             self.build_fn is not None)
        build_names, _ = _signature_params(build_fn)
        if "meta" in build_names and "meta" not in build:
            meta = self._meta()
            meta["n_outputs_expected_"] = targets.shape[1] if targets.ndim > 1 else 1
            build["meta"] = meta
        model = build_fn(**build)
        if not getattr(model, "compiled", False) and "loss" in compile_args:
            model.compile(optimizer=compile_args.get("optimizer", "rmsprop"), loss=compile_args["loss"],
                          metrics=compile_args.get("metrics"))
        _check_compiled(model, f"{type(self).__name__}'s build_fn {_name_of(build_fn)}")
        return model, fit, predict

    def fit(self, x, y, **kwargs):
        """Builds a fresh model with `build_fn` and trains it on (x, y).

        Args:
            x: array-like, shape (n_samples, n_features) (or more axes).
            y: targets, shape (n_samples,) or (n_samples, n_outputs).
            **kwargs: keyword arguments for `Model.fit`, over the routed sk_params
                (e.g. `validation_data=(x_val, y_val)`, `callbacks=[EarlyStopping(patience=10)]`).

        Returns:
            self (tf.keras returned the History; scikit-learn's convention is self, and the logs
            are in `history_`).
        """
        x, y = _check_xy(self, x, y)
        targets = self._encode_targets(y, reset=True)
        _seed(self)
        model, fit_kwargs, self._predict_kwargs = self._build(x, targets)
        targets = self._targets_for(model, targets)
        fit_kwargs.update(kwargs)
        fit_kwargs = _encode_validation_data(
            fit_kwargs, lambda y_val: self._targets_for(model, self._encode_targets(numpy.asarray(y_val))))
        history = model.fit(x, targets, **fit_kwargs)
        self.history_ = dict(history.history) if history is not None else {}
        self.model_ = model
        return self

    def _predict_outputs(self, x, **kwargs):
        _check_is_fitted(self)
        x = _check_x(self, x, reset=False)
        kwargs = {"verbose": 0, **self._predict_kwargs, **kwargs}
        return numpy.asarray(self.model_.predict(x, **kwargs))

    def _targets_for(self, model, targets):
        return targets


def _loss_name(loss):
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__


class KerasClassifier(ClassifierMixin, _ClassEncoding, _KerasLegacyBase):
    """tf.keras-style scikit-learn classifier: `KerasClassifier(build_fn=..., epochs=..., batch_size=..., **params)`.

    Labels may be any hashable values (`classes_`, sorted). The network is trained on class indices
    0..n_classes-1, or on one-hot rows when its loss is `categorical_crossentropy`, so
    `sparse_categorical_crossentropy` + softmax, `categorical_crossentropy` + softmax and
    `binary_crossentropy` + one sigmoid unit all work. `predict` returns labels (argmax, or
    p > 0.5 for one unit); `predict_proba` one column per class; `score` the accuracy.

    Args: see `_KerasLegacyBase` (`build_fn`, `**sk_params`).

    Example:

    ```python
    def build_model(hidden=32, learning_rate=1e-3):
        model = models.Sequential([layers.Input((4,)), layers.Dense(hidden, activation="relu"),
                                   layers.Dense(3, activation="softmax")])
        model.compile(optimizer=optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
        return model

    classifier = KerasClassifier(build_fn=build_model, epochs=50, batch_size=16, verbose=0)
    GridSearchCV(classifier, {"hidden": [16, 64]}, cv=3).fit(X, species)
    ```
    """

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__(), classifier=True)

    def _meta(self):
        return {"n_features_in_": self.n_features_in_, "classes_": self.classes_, "n_classes_": len(self.classes_)}

    def _encode_targets(self, y, reset=False):
        return self._fit_classes(y) if reset else self._class_indices(y)

    def _targets_for(self, model, indices):
        # Only categorical cross-entropy wants one-hot rows; the other losses take the class index.
        if _loss_name(model.loss) in ("categorical_crossentropy", "CategoricalCrossentropy"):
            return self._one_hot(indices)
        return indices

    def predict(self, x, **kwargs):
        """Predicted labels for x, values of `classes_` (`kwargs` go to `Model.predict`)."""
        return self._labels(self._predict_outputs(x, **kwargs))

    def predict_proba(self, x, **kwargs):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of `classes_`."""
        return self._probabilities(self._predict_outputs(x, **kwargs))


class KerasRegressor(RegressorMixin, _KerasLegacyBase):
    """tf.keras-style scikit-learn regressor: `KerasRegressor(build_fn=..., epochs=..., batch_size=..., **params)`.

    Predictions of one output come back 1-D. `score` is scikit-learn's R^2 (tf.keras returned
    minus the loss; pass `scoring="neg_mean_squared_error"` to a search for that).

    Args: see `_KerasLegacyBase` (`build_fn`, `**sk_params`).

    Example (Hands-On Machine Learning, chapter 10):

    ```python
    def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[8]):
        model = models.Sequential([layers.InputLayer(input_shape=input_shape)])
        for layer in range(n_hidden):
            model.add(layers.Dense(n_neurons, activation="relu"))
        model.add(layers.Dense(1))
        model.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=learning_rate))
        return model

    keras_reg = KerasRegressor(build_model)
    search = RandomizedSearchCV(keras_reg, {"n_hidden": [0, 1, 2, 3], "n_neurons": numpy.arange(1, 100),
                                            "learning_rate": scipy.stats.reciprocal(3e-4, 3e-2)}, n_iter=10, cv=3)
    search.fit(X_train, y_train, epochs=100, validation_data=(X_valid, y_valid),
               callbacks=[callbacks.EarlyStopping(patience=10)])
    search.best_params_, search.best_estimator_.model
    ```
    """

    def __sklearn_tags__(self):
        return _set_tags(super().__sklearn_tags__(), regressor=True)

    def _encode_targets(self, y, reset=False):
        # Deferred: scikit-learn is an optional extra, imported only once a wrapper is used.
        from sklearn.utils.validation import check_array
        return check_array(y, ensure_2d=False, dtype="numeric", input_name="y")

    def predict(self, x, **kwargs):
        """Predictions for x; shape (n_samples,) for a model with one output unit."""
        outputs = numpy.asarray(self._predict_outputs(x, **kwargs), dtype=numpy.float64)  # as scikit-learn's regressors
        return outputs[:, 0] if outputs.ndim == 2 and outputs.shape[1] == 1 else outputs
