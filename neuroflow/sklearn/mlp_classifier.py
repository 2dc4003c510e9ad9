"""MLPClassifier: scikit-learn's multi-layer perceptron classifier on neuroflow's layers, optimizers and tape."""
# scikit-learn hands over and expects NumPy arrays.
import numpy
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from neuroflow.sklearn.perceptron_base import BaseMultilayerPerceptron

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's estimators: targets, loss constants and the L-BFGS vector are host arrays"


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron classifier, drop-in for `sklearn.neural_network.MLPClassifier`.

    The same parameters with the same defaults, the same attributes, and the same training: with
    the same `random_state` it starts from scikit-learn's weights and follows its loss curve.
    It minimizes the log-loss (softmax outputs for multiclass, logistic outputs for binary and
    multi-label targets) plus 0.5 * alpha * ||W||^2 / n_samples with L-BFGS (scipy) or mini-batch
    SGD / Adam (neuroflow's optimizers); gradients come from neuroflow's GradientTape.

    Args:
        hidden_layer_sizes: units of each hidden layer (default (100,)).
        activation: hidden activation, 'identity', 'logistic', 'tanh' or 'relu' (default).
        solver: 'lbfgs', 'sgd' or 'adam' (default).
        alpha: strength of the L2 penalty (default 1e-4), divided by the batch's sample count.
        batch_size: minibatch size for sgd / adam; 'auto' is min(200, n_samples).
        learning_rate: sgd's schedule: 'constant', 'invscaling' (learning_rate_init / (t + 1)^power_t,
            t = samples seen) or 'adaptive' (divide by 5 when the loss stalls).
        learning_rate_init: initial step size (sgd, adam; default 1e-3).
        power_t: exponent of 'invscaling' (default 0.5).
        max_iter: epochs for sgd / adam, iterations for lbfgs (default 200).
        shuffle: reshuffle the samples each epoch (default True).
        random_state: int, RandomState or None: initial weights, shuffling, validation split.
        tol: the loss (or validation score) must improve by tol within n_iter_no_change epochs;
            lbfgs's gradient tolerance (default 1e-4).
        verbose: print the loss of each epoch.
        warm_start: continue from the previous fit's weights.
        momentum, nesterovs_momentum: sgd's momentum (default 0.9) and Nesterov's variant (default True).
        early_stopping: hold out validation_fraction (default 0.1) of the data and stop when its
            accuracy stops improving; the best weights are kept.
        beta_1, beta_2, epsilon: Adam's (defaults 0.9, 0.999, 1e-8).
        n_iter_no_change: epochs without improvement before stopping (default 10).
        max_fun: lbfgs's limit on loss evaluations (default 15000).

    Attributes:
        classes_, loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_,
        coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_, n_layers_, n_outputs_,
        out_activation_: as in scikit-learn.

    Example:

    ```python
    from neuroflow.sklearn import MLPClassifier
    classifier = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0).fit(X_train, y_train)
    classifier.score(X_test, y_test), classifier.predict_proba(X_test[:2])
    ```
    """

    loss = "log_loss"  # scikit-learn's attribute; the classifier has no loss parameter

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000):
        self._init_parameters(locals())

    _parameter_constraints = {name: constraint for name, constraint in BaseMultilayerPerceptron._parameter_constraints.items()
                              if name != "loss"}

    def _output_activation(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(numpy.float64, numpy.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in the previous "
                                     f"call to fit. Previously got {self.classes_}, `y` has {classes}")
            elif len(numpy.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                                 f"'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(bool)

    def predict(self, X):
        """Predicted classes, shape (n_samples,) (or (n_samples, n_classes) indicators for multi-label)."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight=sample_weight, score_function=accuracy_score)

    @available_if(lambda estimator: estimator._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y) (sgd and adam only).

        Args:
            X, y, sample_weight: as for `fit`.
            classes: every class of all the calls (required on the first call, e.g. `numpy.unique(y_all)`).

        Returns:
            self.
        """
        if _check_partial_fit_first_call(self, classes):
            self._validate_params()
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict_log_proba(self, X):
        """log(predict_proba(X))."""
        probabilities = self.predict_proba(X)
        return numpy.log(probabilities, out=probabilities)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of `classes_`."""
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return numpy.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
