"""Rosenblatt's perceptron: a threshold unit trained by the perceptron learning rule.

    from neuroflow.classic import Perceptron
    and_gate = Perceptron().fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])
    and_gate.converged_, and_gate.errors_   # True, misclassifications per epoch

The lectures' first model and its limit: AND and OR are linearly separable, so the rule converges
in a few epochs (Rosenblatt's convergence theorem); XOR is not, so no line separates it and the
rule cycles for ever. `fit` then stops after `max_epochs` without raising and says so in
`converged_` and `status_`.
"""
import numpy

HOST_NUMPY = "Rosenblatt's perceptron is a NumPy estimator on the user's host arrays (scikit-learn style), not tensors"


class Perceptron:
    """A single threshold unit, `y = 1 if w . x + b >= 0 else 0`, with labels 0 and 1.

    Training visits the samples in order, epoch after epoch, and after each sample applies the
    perceptron learning rule

        w <- w + eta * (t - y) * x,    b <- b + eta * (t - y)

    which changes the weights only when the sample was misclassified (t - y is 0, 1 or -1).
    Training stops after the first epoch with no error, or after `max_epochs`.

    Args:
        learning_rate: eta, the step of the rule (> 0).
        max_epochs: passes over the data at most (a positive integer).
        random_state: None starts from zero weights, as Rosenblatt's rule does; an integer seed
            draws the starting weights and bias from N(0, 0.01^2) instead.

    Attributes (after `fit`):
        weights_: the weight vector w, shape (features,).
        bias_: the bias b (the threshold is -b).
        errors_: misclassified samples in each epoch, a list of ints.
        converged_: True when the last epoch made no error.
        status_: one sentence saying whether and when training converged.
    """

    def __init__(self, learning_rate=0.1, max_epochs=100, random_state=None):
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or learning_rate <= 0:
            raise ValueError(f"Perceptron: learning_rate must be a positive number, got {learning_rate!r}")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, numpy.integer)) or max_epochs < 1:
            raise ValueError(f"Perceptron: max_epochs must be a positive integer, got {max_epochs!r}")
        self.learning_rate = float(learning_rate)
        self.max_epochs = int(max_epochs)
        self.random_state = random_state

    def __repr__(self):
        return (f"Perceptron(learning_rate={self.learning_rate!r}, max_epochs={self.max_epochs!r}, "
                f"random_state={self.random_state!r})")

    def fit(self, X, y):
        """Trains the unit by the perceptron rule.

        Args:
            X: samples, shape (samples, features).
            y: labels 0 or 1, shape (samples,).

        Returns:
            self, with `weights_`, `bias_`, `errors_`, `converged_` and `status_` set.

        Raises:
            ValueError: for X that is not 2-D, labels other than 0 and 1, or lengths that differ.
        """
        X = self._check_samples(X, "fit")
        y = numpy.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"Perceptron.fit expects y of shape ({len(X)},), one label per sample of X; "
                             f"got shape {y.shape}")
        if not numpy.isin(y, (0, 1)).all():
            raise ValueError(f"Perceptron.fit expects labels 0 and 1; got {sorted(set(numpy.unique(y).tolist()))}")
        y = y.astype(numpy.float64)
        if self.random_state is None:
            self.weights_, self.bias_ = numpy.zeros(X.shape[1]), 0.0
        else:
            rng = numpy.random.default_rng(self.random_state)
            self.weights_, self.bias_ = rng.normal(0.0, 0.01, X.shape[1]), float(rng.normal(0.0, 0.01))
        self.errors_ = []
        for _ in range(self.max_epochs):
            errors = 0
            for sample, target in zip(X, y):
                update = self.learning_rate * (target - self._step(sample @ self.weights_ + self.bias_))
                if update:
                    self.weights_ = self.weights_ + update * sample
                    self.bias_ += update
                    errors += 1
            self.errors_.append(errors)
            if errors == 0:
                break
        self.converged_ = self.errors_[-1] == 0
        epochs = len(self.errors_)
        if self.converged_:
            self.status_ = f"converged: epoch {epochs} classified every sample correctly"
        else:
            self.status_ = (f"did not converge in {epochs} epochs: {self.errors_[-1]} of {len(X)} samples were still "
                            "misclassified in the last epoch (no line separates the classes if the data are not "
                            "linearly separable, as for XOR)")
        return self

    def decision_function(self, X):
        """The net input w . x + b of each sample, shape (samples,)."""
        self._check_fitted("decision_function")
        return self._check_samples(X, "decision_function") @ self.weights_ + self.bias_

    def predict(self, X):
        """Labels 0 or 1: the step function of the net input, shape (samples,)."""
        return self._step(self.decision_function(X)).astype(numpy.int64)

    def score(self, X, y):
        """The fraction of samples of X whose predicted label equals y."""
        return float(numpy.mean(self.predict(X) == numpy.asarray(y)))

    @staticmethod
    def _step(net):
        # From zero weights, w and b are sums of eta-multiples of the inputs, so on 0/1 data the net
        # input is often exactly 0 in exact arithmetic; float sums (0.1 + 0.2 - 0.3 = 5.6e-17) would
        # decide those ties at random. Rounding keeps a tie a tie, and a tie fires (net >= 0).
        return numpy.where(numpy.round(net, 12) >= 0.0, 1.0, 0.0)

    def _check_fitted(self, method):
        if not hasattr(self, "weights_"):
            raise RuntimeError(f"Perceptron.{method} needs a fitted perceptron; call fit(X, y) first")

    def _check_samples(self, X, method):
        X = numpy.asarray(X, dtype=numpy.float64)
        if X.ndim != 2:
            raise ValueError(f"Perceptron.{method} expects X of shape (samples, features); got shape {X.shape}")
        if hasattr(self, "weights_") and method != "fit" and X.shape[1] != len(self.weights_):
            raise ValueError(f"Perceptron.{method} expects {len(self.weights_)} features, as in fit; "
                             f"got X of shape {X.shape}")
        return X
