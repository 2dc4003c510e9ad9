"""MLPRegressor: scikit-learn's multi-layer perceptron regressor on neuroflow's layers, optimizers and tape."""
# scikit-learn hands over and expects NumPy arrays.
import numpy
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from neuroflow.sklearn.perceptron_base import BaseMultilayerPerceptron


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron regressor, drop-in for `sklearn.neural_network.MLPRegressor`.

    Identity outputs trained on half the squared error (loss='squared_error'), or exp outputs on
    half the Poisson deviance (loss='poisson'), plus 0.5 * alpha * ||W||^2 / n_samples. Several
    target columns are several outputs; `predict` returns 1-D predictions for one.

    Args:
        loss: 'squared_error' (default) or 'poisson'.
        The others: as `MLPClassifier`'s (hidden_layer_sizes, activation, solver, alpha, batch_size,
        learning_rate, learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
        warm_start, momentum, nesterovs_momentum, early_stopping (scored by R^2),
        validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun), same defaults.

    Attributes:
        loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_, coefs_,
        intercepts_, n_features_in_, feature_names_in_, n_iter_, n_layers_, n_outputs_,
        out_activation_: as in scikit-learn.

    Example:

    ```python
    from neuroflow.sklearn import MLPRegressor
    regressor = MLPRegressor(hidden_layer_sizes=(50,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
    regressor.score(X_test, y_test)   # R^2
    ```
    """

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5,
                 max_iter=200, shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000):
        self._init_parameters(locals())

    def _output_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                             dtype=(numpy.float64, numpy.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def predict(self, X):
        """Predicted values, shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight=sample_weight, score_function=r2_score)

    @available_if(lambda estimator: estimator._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y) (sgd and adam only). Returns self."""
        if not hasattr(self, "coefs_"):
            self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
