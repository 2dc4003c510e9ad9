"""The network behind MLPClassifier / MLPRegressor: Dense layers, scikit-learn's loss, the tape's gradient.

scikit-learn's multi-layer perceptron is a stack of affine layers with one hidden activation and an
output activation fixed by the task (softmax, logistic, identity or exp). Here each affine layer is
a neuroflow `layers.Dense`; the loss is built from neuroflow ops so that `GradientTape` gives the
gradient scikit-learn's hand-written backprop gives:

    loss = data_loss + 0.5 * alpha * sum_l ||W_l||^2 / sum(sample_weight)

with the data loss the (weighted) mean over samples of, per sample,

    softmax outputs:   -sum_k y_k log softmax(z)_k          (categorical cross-entropy)
    logistic outputs:  sum_k [max(z_k, 0) - z_k y_k + log(1 + exp(-|z_k|))]   (binary, per output)
    identity outputs:  0.5 * sum_k (z_k - y_k)^2
    exp outputs:       sum_k [exp(z_k) - y_k z_k + y_k log y_k - y_k]   (half Poisson deviance)

Each has the gradient (activation(z) - y) / sum(sample_weight) at the output's logits, scikit-learn's
`deltas[last]`. Intercepts are not penalized. scikit-learn reports the squared error averaged over the
outputs too (its gradient is not); `reported_loss` reproduces that number.
"""
# Host-side bookkeeping (the packed weight vector of L-BFGS, y as float rows): numpy, not backend.xp.
import numpy
from scipy.special import xlogy

from neuroflow import ops
from neuroflow.engine.tape import GradientTape
from neuroflow.layers import Dense

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "scikit-learn's estimators: targets, loss constants and the L-BFGS vector are host arrays"

# scikit-learn's activation names -> neuroflow's.
HIDDEN_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "softmax": "softmax", "exp": "exp"}


class PerceptronNetwork:
    """Dense layers holding `coefs` / `intercepts` as Variables, with scikit-learn's loss and its gradient.

    Args:
        coefs: list of arrays (fan_in, fan_out), one per layer (copied into the layers' kernels).
        intercepts: list of arrays (fan_out,).
        activation: scikit-learn's hidden activation name ('identity', 'logistic', 'tanh', 'relu').
        out_activation: 'softmax', 'logistic', 'identity' or 'exp'.
        alpha: the L2 penalty.
    """

    def __init__(self, coefs, intercepts, activation, out_activation, alpha):
        self.out_activation = out_activation
        self.alpha = alpha
        dtype = str(coefs[0].dtype)
        self.layers = []
        for index, coef in enumerate(coefs):
            last = index == len(coefs) - 1
            # The output layer stays linear: the loss reads its logits (fused, stable cross-entropies).
            layer = Dense(coef.shape[1], activation="linear" if last else HIDDEN_ACTIVATIONS[activation], dtype=dtype)
            layer.build((None, coef.shape[0]))
            self.layers.append(layer)
        self.kernels = [layer.kernel for layer in self.layers]
        self.biases = [layer.bias for layer in self.layers]
        self.variables = self.kernels + self.biases  # scikit-learn's order: coefs_ then intercepts_
        self.assign(coefs, intercepts)

    def assign(self, coefs, intercepts):
        for variable, value in zip(self.variables, list(coefs) + list(intercepts)):
            variable.assign(value)

    def coefs(self):
        return [kernel.value for kernel in self.kernels]

    def intercepts(self):
        return [bias.value for bias in self.biases]

    def _logits(self, X):
        outputs = X
        for layer in self.layers:
            # Dense.call, not Dense.__call__: X was checked and cast once, where it entered fit.
            outputs = layer.call(outputs)
        return outputs

    def objective(self, X, y, sample_weight=None):
        """The loss scikit-learn differentiates, as a Tensor recorded on any open tape."""
        logits = self._logits(X)
        if self.out_activation == "softmax":
            per_sample = ops.softmax_cross_entropy(y, logits)
        elif self.out_activation == "logistic":
            per_sample = ops.sum(ops.sigmoid_cross_entropy(y, logits), axis=1)
        elif self.out_activation == "identity":
            per_sample = ops.multiply(0.5, ops.sum(ops.square(ops.subtract(logits, y)), axis=1))
        else:  # exp: half Poisson deviance without its constant y log y - y (added in reported_loss)
            per_sample = ops.sum(ops.subtract(ops.exp(logits), ops.multiply(y, logits)), axis=1)
        if sample_weight is None:
            weight_sum = X.shape[0]
            data_loss = ops.mean(per_sample)
        else:
            weight_sum = float(sample_weight.sum())
            data_loss = ops.divide(ops.sum(ops.multiply(per_sample, sample_weight)), weight_sum)
        squares = [ops.sum(ops.square(kernel)) for kernel in self.kernels]
        penalty = ops.multiply(0.5 * self.alpha / weight_sum, _total(squares))
        return ops.add(data_loss, penalty)

    def reported_loss(self, objective, y, sample_weight=None):
        """scikit-learn's `loss_` from the objective's value (the same number, but for two of its conventions)."""
        loss = float(objective)
        if self.out_activation == "identity" and y.shape[1] > 1:
            # scikit-learn averages the squared error over the outputs in the value, not in the gradient.
            data = float(objective) - self._penalty_value(sample_weight, y.shape[0])
            loss = data / y.shape[1] + self._penalty_value(sample_weight, y.shape[0])
        elif self.out_activation == "exp":
            constant = numpy.sum(numpy.average(xlogy(y, y) - y, weights=sample_weight, axis=0))
            loss += float(constant)
        return loss

    def _penalty_value(self, sample_weight, n_samples):
        weight_sum = n_samples if sample_weight is None else float(sample_weight.sum())
        return 0.5 * self.alpha * sum(float(numpy.vdot(k.value, k.value)) for k in self.kernels) / weight_sum

    def loss_and_gradients(self, X, y, sample_weight=None):
        """(scikit-learn's loss value, gradients of its objective for `variables`) on one batch."""
        with GradientTape() as tape:
            objective = self.objective(X, y, sample_weight)
        gradients = tape.gradient(objective, self.variables)
        return self.reported_loss(objective, y, sample_weight), gradients


def forward(X, coefs, intercepts, activation, out_activation):
    """The network's output for X from plain weight arrays (predictions read `coefs_` as the user left them)."""
    outputs = X
    last = len(coefs) - 1
    for index, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        name = OUTPUT_ACTIVATIONS[out_activation] if index == last else HIDDEN_ACTIVATIONS[activation]
        if name in ("softmax", "exp"):
            outputs = ops.dense(outputs, coef, intercept)
            outputs = ops.softmax(outputs, axis=-1) if name == "softmax" else ops.exp(outputs)
        else:
            outputs = ops.dense(outputs, coef, intercept, activation=name)
    return ops.convert_to_numpy(outputs)


def _total(tensors):
    total = tensors[0]
    for tensor in tensors[1:]:
        total = ops.add(total, tensor)
    return total

