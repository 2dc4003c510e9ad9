"""What MLPClassifier and MLPRegressor share: parameters, initialization, the three solvers, early stopping.

The control flow is scikit-learn's `BaseMultilayerPerceptron`
(scikit-learn/scikit-learn:sklearn/neural_network/_multilayer_perceptron.py), step for step and
drawing from the random state in the same order (the weights, the validation split, each epoch's
shuffle), so that with the same `random_state` both libraries start from the same weights and see
the same batches. The arithmetic is neuroflow's: `PerceptronNetwork` (Dense layers, the loss from
ops, the gradient from the tape), `StochasticSolver` (optimizers.SGD / Adam) and `minimize_lbfgs`
(scipy's L-BFGS-B on the packed weights).
"""
import warnings
from itertools import chain

# scikit-learn hands over and expects NumPy arrays; the weights between fits are NumPy arrays too.
import numpy
import scipy.sparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor as _SKLearnMLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, validate_data

from neuroflow import backend
from neuroflow.sklearn.lbfgs import minimize_lbfgs
from neuroflow.sklearn.network import PerceptronNetwork, forward
from neuroflow.sklearn.stochastic_solver import StochasticSolver

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's estimators: targets, loss constants and the L-BFGS vector are host arrays"

_STOCHASTIC_SOLVERS = ("sgd", "adam")


def densify(X):
    """scipy sparse input as a dense array: neuroflow's Dense layers multiply dense arrays."""
    return X.toarray() if scipy.sparse.issparse(X) else X


class BaseMultilayerPerceptron(BaseEstimator):
    """Base of MLPClassifier and MLPRegressor; not for direct use. See `MLPClassifier` for the parameters."""

    # scikit-learn's own constraints (ranges, choices) on the parameters: the same checks, the same messages.
    _parameter_constraints = dict(_SKLearnMLPRegressor._parameter_constraints)

    def _init_parameters(self, parameters):
        """Stores each constructor argument as given, under its name (scikit-learn's rule for __init__)."""
        for name, value in parameters.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # ---- fitting ---------------------------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fits the model to X and y.

        Args:
            X: array-like or sparse matrix, shape (n_samples, n_features).
            y: targets: class labels (classifier; a 0/1 indicator matrix for multi-label) or real
                values (regressor), shape (n_samples,) or (n_samples, n_outputs).
            sample_weight: optional array, shape (n_samples,).

        Returns:
            self.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. {self.solver} is not "
                                 "stochastic.")
        return True

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden_layer_sizes = self.hidden_layer_sizes
        if not hasattr(hidden_layer_sizes, "__iter__"):
            hidden_layer_sizes = [hidden_layer_sizes]
        hidden_layer_sizes = list(hidden_layer_sizes)
        if numpy.any(numpy.array(hidden_layer_sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden_layer_sizes}.")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)

        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        X = densify(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        y = y.astype(X.dtype)  # the classifier's bool indicator rows, the regressor's targets, in X's dtype
        self.n_outputs_ = y.shape[1]
        layer_units = [X.shape[1]] + hidden_layer_sizes + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)

        self._network = self._network_for(incremental)
        if self.solver in _STOCHASTIC_SOLVERS:
            self._fit_stochastic(X, y, sample_weight, incremental)
        else:
            self._fit_lbfgs(X, y, sample_weight)
        if not all(numpy.isfinite(w).all() for w in chain(self.coefs_, self.intercepts_)):
            raise ValueError("Solver produced non-finite parameter weights. The input data may contain large values "
                             "and need to be preprocessed.")
        return self

    def _network_for(self, incremental):
        """The layers to train, holding `coefs_` / `intercepts_` (kept across partial_fit for the optimizer's slots)."""
        network = getattr(self, "_network", None)
        shapes = [c.shape for c in self.coefs_]
        if (incremental and network is not None and [k.value.shape for k in network.kernels] == shapes
                and network.kernels[0].value.dtype == self.coefs_[0].dtype):
            network.assign(self.coefs_, self.intercepts_)
            return network
        self.__dict__.pop("_optimizer", None)  # new Variables need a new optimizer
        return PerceptronNetwork(self.coefs_, self.intercepts_, self.activation, self.out_activation_, self.alpha)

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype)
            self.coefs_.append(coef)
            self.intercepts_.append(intercept)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [i.copy() for i in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -numpy.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = numpy.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _init_coef(self, fan_in, fan_out, dtype):
        # Glorot's uniform bound (sqrt(2 / ...) for the logistic activation), drawn as scikit-learn draws it.
        factor = 2.0 if self.activation == "logistic" else 6.0
        bound = numpy.sqrt(factor / (fan_in + fan_out))
        coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = self._random_state.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _take_weights(self):
        """coefs_ / intercepts_ as the network's current values: NumPy arrays, as scikit-learn's attributes are
        (copied from the device on a GPU backend; fresh arrays, so later updates do not move them)."""
        self.coefs_ = [numpy.array(backend.to_numpy(value)) for value in self._network.coefs()]
        self.intercepts_ = [numpy.array(backend.to_numpy(value)) for value in self._network.intercepts()]

    def _fit_lbfgs(self, X, y, sample_weight):
        network = self._network

        def loss():
            objective = network.objective(X, y, sample_weight)
            return objective, network.reported_loss(objective, y, sample_weight)

        result = minimize_lbfgs(loss, network.variables, max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol)
        self.n_iter_ = min(result.nit, self.max_iter)
        if result.status != 0:
            message = (f"lbfgs failed to converge after {self.n_iter_} iteration(s) (status={result.status}):\n"
                       f"{result.message}\n")
            if self.n_iter_ == self.max_iter:
                message += f"\nIncrease the number of iterations to improve the convergence (max_iter={self.max_iter})."
            warnings.warn(message, ConvergenceWarning, stacklevel=3)
        self.loss_ = float(result.fun)
        self._take_weights()

    def _fit_stochastic(self, X, y, sample_weight, incremental):
        network = self._network
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = StochasticSolver(self)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        if early_stopping:
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None  # not for multi-label
            arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
            split = train_test_split(*arrays, random_state=self._random_state, test_size=self.validation_fraction,
                                     stratify=stratify)
            X_train, X_val, y_train, y_val = split[:4]
            sample_weight_train, sample_weight_val = (None, None) if sample_weight is None else split[4:]
            if X_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your "
                                 "dataset.")
            if is_classifier(self):
                y_val = self._label_binarizer.inverse_transform(y_val)
        else:
            X_train, y_train, sample_weight_train = X, y, sample_weight
            X_val = y_val = sample_weight_val = None

        n_samples = X_train.shape[0]
        sample_index = numpy.arange(n_samples, dtype=int)
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
            batch_size = int(numpy.clip(self.batch_size, 1, n_samples))

        try:
            self.n_iter_ = 0
            for _ in range(self.max_iter):
                if self.shuffle:
                    # sklearn.utils.shuffle(sample_index, random_state=...) draws exactly this permutation;
                    # done here, it skips that function's per-call parameter validation.
                    order = numpy.arange(n_samples)
                    self._random_state.shuffle(order)
                    sample_index = sample_index[order]
                accumulated_loss = 0.0
                for start in range(0, n_samples, batch_size):
                    batch = slice(start, min(start + batch_size, n_samples))  # sklearn.utils.gen_batches' slices
                    batch_index = sample_index[batch] if self.shuffle else batch
                    weights = None if sample_weight_train is None else sample_weight_train[batch_index]
                    batch_loss, gradients = network.loss_and_gradients(X_train[batch_index], y_train[batch_index],
                                                                       weights)
                    accumulated_loss += batch_loss * (batch.stop - batch.start)
                    self._optimizer.update(gradients, network.variables)
                self.n_iter_ += 1
                self.loss_ = accumulated_loss / n_samples
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
                self._update_no_improvement_count(early_stopping, X_val, y_val, sample_weight_val)
                self._optimizer.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    if early_stopping:
                        message = (f"Validation score did not improve more than tol={self.tol:f} for "
                                   f"{self.n_iter_no_change} consecutive epochs.")
                    else:
                        message = (f"Training loss did not improve more than tol={self.tol:f} for "
                                   f"{self.n_iter_no_change} consecutive epochs.")
                    if self._optimizer.trigger_stopping(message, self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                                  "optimization hasn't converged yet.", ConvergenceWarning)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        self._take_weights()
        if early_stopping:
            self.coefs_ = self._best_coefs
            self.intercepts_ = self._best_intercepts
            network.assign(self.coefs_, self.intercepts_)

    def _update_no_improvement_count(self, early_stopping, X_val, y_val, sample_weight_val):
        if early_stopping:
            self._take_weights()
            score = self._score(X_val, y_val, sample_weight=sample_weight_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [i.copy() for i in self.intercepts_]
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    # ---- predicting --------------------------------------------------------------------------------------

    def _forward_pass_fast(self, X, check_input=True):
        """The output activations for X, from `coefs_` / `intercepts_`."""
        if check_input:
            X = self._validate_predict_input(X)
        return forward(X, self.coefs_, self.intercepts_, self.activation, self.out_activation_)

    def _validate_predict_input(self, X):
        return densify(validate_data(self, X, accept_sparse=["csr", "csc"], reset=False))

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if numpy.issubdtype(y_pred.dtype, numpy.floating) and not numpy.isfinite(y_pred).all():
            return numpy.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

