"""Bayesian optimization with a Gaussian process (KerasTuner's `BayesianOptimization`).

After `num_initial_points` random trials, each trial fits scikit-learn's `GaussianProcessRegressor`
(a constant times a Matern 5/2 kernel with one length scale per hyperparameter,
normalized targets, noise `alpha`) to the completed trials, in the `prob` coordinates
of the hyperparameters (each in [0, 1], see `hyperparameter.py`), and proposes the point minimizing the
lower confidence bound

    mu(x) - beta * sigma(x)      (mu, sigma: the process's mean and deviation of the score to minimize)

found by L-BFGS-B (scipy) from the 3 best of 2000 random points. A maximized objective is negated first. A proposal that
maps to values already tried (a discrete space) is replaced by a random draw.
"""
import warnings

import numpy

from neuroflow.tuner.hyperparameter import Fixed
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.trial import TrialStatus
from neuroflow.tuner.tuner import Tuner

HOST_NUMPY = "hyperparameter-search bookkeeping on host numbers"  # numpy here works on host data (tests/test_backend_seam.py)

_CANDIDATES = 2000
_RESTARTS = 3


class BayesianOptimizationOracle(Oracle):
    """The Gaussian-process oracle.

    Args:
        objective: a metric name, an `Objective`, or None.
        max_trials: how many trials (default 10).
        num_initial_points: random trials before the process is used; None: 3 per hyperparameter (at least 3).
        alpha: the noise added to the kernel's diagonal (the scores' expected variance).
        beta: the weight of exploration in the lower confidence bound.
        seed, hyperparameters, allow_new_entries, tune_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: see `Oracle`.
    """

    def __init__(self, objective=None, max_trials=10, num_initial_points=None, alpha=1e-4, beta=2.6, seed=None,
                 hyperparameters=None, allow_new_entries=True, tune_new_entries=True, max_retries_per_trial=0,
                 max_consecutive_failed_trials=3):
        super().__init__(objective=objective, max_trials=max_trials, hyperparameters=hyperparameters,
                         allow_new_entries=allow_new_entries, tune_new_entries=tune_new_entries, seed=seed,
                         max_retries_per_trial=max_retries_per_trial,
                         max_consecutive_failed_trials=max_consecutive_failed_trials)
        self.num_initial_points = num_initial_points
        self.alpha, self.beta = float(alpha), float(beta)

    def _tuned(self):
        return [hp for hp in self.hyperparameters.space if not isinstance(hp, Fixed)]

    def populate_space(self, trial_id):
        tuned = self._tuned()
        completed = [trial for trial in self.trials.values()
                     if trial.status == TrialStatus.COMPLETED and trial.score is not None]
        initial = self.num_initial_points or max(3 * len(tuned), 3)
        if not tuned or len(completed) < initial:
            return self._random_response()
        values = self._proposal(tuned, completed)
        key = self._values_hash(values)
        if key in self._tried_so_far:
            return self._random_response()
        self._tried_so_far.add(key)
        return {"status": TrialStatus.RUNNING, "values": values}

    def _random_response(self):
        values = self._random_values()
        if values is None:
            # Nothing new to draw; a running trial may still declare new hyperparameters (a space built
            # inside run_trial), so wait for it before calling the space exhausted.
            return {"status": TrialStatus.IDLE if self.ongoing_trials else TrialStatus.STOPPED, "values": None}
        return {"status": TrialStatus.RUNNING, "values": values}

    def _vector(self, tuned, values):
        # An inactive hyperparameter sits at its default's coordinate, so that every trial is a full point.
        return [hp.value_to_prob(values[hp.name] if hp.name in values else hp.default) for hp in tuned]

    def _proposal(self, tuned, completed):
        # scikit-learn and scipy are optional extras (`neuroflow[tuner]`): imported only when the process runs.
        from scipy.optimize import minimize
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern

        x = numpy.array([self._vector(tuned, trial.hyperparameters.values) for trial in completed])
        y = numpy.array([self.objective.sign() * trial.score for trial in completed])
        x, y = numpy.nan_to_num(x, posinf=0.0, neginf=0.0), numpy.nan_to_num(y, posinf=0.0, neginf=0.0)
        # One length scale per hyperparameter; in [0, 1] coordinates a scale below 0.01 or above 100 means
        # nothing, and bounding it keeps the fit from wandering there on few points.
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=numpy.full(len(tuned), 0.5),
                                                           length_scale_bounds=(1e-2, 1e2), nu=2.5)
        process = GaussianProcessRegressor(kernel=kernel, alpha=self.alpha, normalize_y=True,
                                           n_restarts_optimizer=1, random_state=int(self._generator.integers(2**31)))
        with warnings.catch_warnings():
            # On a handful of points the kernel's fit often ends at a bound of its parameters; scikit-learn
            # warns each time, and the process is still the best model of the scores at hand.
            warnings.simplefilter("ignore", ConvergenceWarning)
            process.fit(x, y)

        def lower_confidence_bound(points):
            mean, deviation = process.predict(numpy.atleast_2d(points), return_std=True)
            return mean - self.beta * deviation

        # The bound is scored on many random points in one call, and the best few are polished by
        # L-BFGS-B: as good as many local searches from random starts, at a fraction of their cost.
        candidates = self._generator.uniform(0.0, 1.0, size=(_CANDIDATES, len(tuned)))
        starts = candidates[numpy.argsort(lower_confidence_bound(candidates))[:_RESTARTS]]
        bounds = [(0.0, 1.0)] * len(tuned)
        best_value, best_point = numpy.inf, None
        for start in starts:
            result = minimize(lambda point: float(lower_confidence_bound(point)[0]), x0=start, bounds=bounds,
                              method="L-BFGS-B", options={"maxiter": 50})
            if result.fun < best_value:
                best_value, best_point = result.fun, result.x
        return self._values_from_vector(tuned, best_point)

    def _values_from_vector(self, tuned, vector):
        hps = self.get_space()
        values = {}
        for hyperparameter in hps.space:
            if not hps._conditions_hold(hyperparameter.conditions, values):
                continue
            if isinstance(hyperparameter, Fixed):
                values[hyperparameter.name] = hyperparameter.value
            else:
                prob = float(numpy.clip(vector[[hp.name for hp in tuned].index(hyperparameter.name)], 0.0, 1.0))
                values[hyperparameter.name] = hyperparameter.prob_to_value(min(prob, 1.0 - 1e-12))
        return values

    def get_state(self):
        state = super().get_state()
        state.update(num_initial_points=self.num_initial_points, alpha=self.alpha, beta=self.beta)
        return state

    def set_state(self, state):
        super().set_state(state)
        self.num_initial_points, self.alpha, self.beta = state["num_initial_points"], state["alpha"], state["beta"]


class BayesianOptimization(Tuner):
    """The Bayesian optimization tuner (a Gaussian process from scikit-learn; needs `neuroflow[tuner]`).

    Args:
        hypermodel: a `HyperModel` or a `build(hp)` function.
        objective: a metric name, an `Objective`, or None.
        max_trials: how many trials (default 10).
        num_initial_points, alpha, beta: see `BayesianOptimizationOracle`.
        seed, hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: see `Oracle`.
        **kwargs: the `Tuner`'s.
    """

    def __init__(self, hypermodel=None, objective=None, max_trials=10, num_initial_points=None, alpha=1e-4, beta=2.6,
                 seed=None, hyperparameters=None, tune_new_entries=True, allow_new_entries=True,
                 max_retries_per_trial=0, max_consecutive_failed_trials=3, **kwargs):
        oracle = BayesianOptimizationOracle(objective=objective, max_trials=max_trials,
                                            num_initial_points=num_initial_points, alpha=alpha, beta=beta, seed=seed,
                                            hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
                                            allow_new_entries=allow_new_entries,
                                            max_retries_per_trial=max_retries_per_trial,
                                            max_consecutive_failed_trials=max_consecutive_failed_trials)
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
