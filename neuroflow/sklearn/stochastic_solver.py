"""scikit-learn's 'sgd' and 'adam' solvers as neuroflow optimizers, with scikit-learn's learning-rate rules.

The updates are neuroflow's `optimizers.SGD` and `optimizers.Adam`, which are scikit-learn's
(scikit-learn/scikit-learn:sklearn/neural_network/_stochastic_optimizers.py) term for term:

    sgd:   v = momentum * v - lr * g;  w += momentum * v - lr * g (nesterov)  or  w += v
    adam:  m = beta_1 m + (1 - beta_1) g;  v = beta_2 v + (1 - beta_2) g^2
           w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)

What scikit-learn adds around them lives here: 'invscaling' sets lr = learning_rate_init /
(t + 1)^power_t after each epoch (t = samples seen), and 'adaptive' divides lr by 5 instead of
stopping when the loss stalls, until lr <= 1e-6.
"""
from neuroflow.optimizers import SGD, Adam


class StochasticSolver:
    """One neuroflow optimizer plus scikit-learn's epoch-end learning-rate rules.

    Args:
        estimator: the MLP whose solver parameters (solver, learning_rate_init, learning_rate,
            momentum, nesterovs_momentum, power_t, beta_1, beta_2, epsilon) it reads once.
    """

    def __init__(self, estimator):
        self.solver = estimator.solver
        self.learning_rate_init = float(estimator.learning_rate_init)
        self.schedule = estimator.learning_rate if self.solver == "sgd" else "constant"
        self.power_t = estimator.power_t
        if self.solver == "sgd":
            self.optimizer = SGD(learning_rate=self.learning_rate_init, momentum=estimator.momentum,
                                 nesterov=estimator.nesterovs_momentum)
        else:
            self.optimizer = Adam(learning_rate=self.learning_rate_init, beta_1=estimator.beta_1,
                                  beta_2=estimator.beta_2, epsilon=estimator.epsilon)

    @property
    def learning_rate(self):
        return float(self.optimizer.learning_rate)

    def update(self, gradients, variables):
        self.optimizer.apply(gradients, variables)

    def iteration_ends(self, samples_seen):
        if self.schedule == "invscaling":
            self.optimizer.learning_rate = self.learning_rate_init / (samples_seen + 1) ** self.power_t

    def trigger_stopping(self, message, verbose):
        """True when training should stop; with 'adaptive' it first lowers the learning rate."""
        if self.schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.optimizer.learning_rate = self.learning_rate / 5.0
        if verbose:
            print(message + " Setting learning rate to %f" % self.learning_rate)
        return False
