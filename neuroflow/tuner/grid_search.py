"""Grid search: every combination of the hyperparameters' values, in order (KerasTuner's `GridSearch`).

The combinations are walked like an odometer: the first trial takes every default; then the last declared
hyperparameter moves through its values first, the first declared one last. Each hyperparameter's values
start with its default, then follow `values` (a Choice's list, a stepped Int / Float's steps, True / False).
An Int or Float without a step contributes 10 evenly spread values. Conditional hyperparameters take part
only while active. With `hp.Choice("optimizer", ["sgd", "adam"])` then `hp.Choice("lr", [0.01, 0.1])` the
trials are (sgd, 0.01), (sgd, 0.1), (adam, 0.01), (adam, 0.1).
"""
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.trial import TrialStatus
from neuroflow.tuner.tuner import Tuner


class GridSearchOracle(Oracle):
    """Proposes the combinations in odometer order until all are tried (or `max_trials`, default None, is reached)."""

    def __init__(self, objective=None, max_trials=None, seed=None, hyperparameters=None, allow_new_entries=True,
                 tune_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3):
        super().__init__(objective=objective, max_trials=max_trials, hyperparameters=hyperparameters,
                         allow_new_entries=allow_new_entries, tune_new_entries=tune_new_entries, seed=seed,
                         max_retries_per_trial=max_retries_per_trial,
                         max_consecutive_failed_trials=max_consecutive_failed_trials)

    def populate_space(self, trial_id):
        if not self.start_order:
            hps = self.get_space()
            hps.values = {}
            hps.ensure_active_values()
            values = hps.values
        else:
            values = self._next_combination(self.trials[self.start_order[-1]].hyperparameters.values)
        # A combination already tried (a space that grew during the search) is skipped.
        while values is not None and self._values_hash(values) in self._tried_so_far:
            values = self._next_combination(values)
        if values is None:
            return {"status": TrialStatus.STOPPED, "values": None}
        self._tried_so_far.add(self._values_hash(values))
        return {"status": TrialStatus.RUNNING, "values": values}

    def _next_combination(self, values):
        """The combination after `values` in odometer order, or None after the last one."""
        hps = self.get_space()
        ordered = {}
        for hyperparameter in hps.space:
            rest = [value for value in hyperparameter.values if value != hyperparameter.default]
            ordered[hyperparameter.name] = [hyperparameter.default, *rest]
        hps.values = dict(values)
        # From the last declared: values inside a conditional scope move before the value that opens it.
        for hyperparameter in reversed(hps.space):
            name = hyperparameter.name
            if hps.is_active(hyperparameter) and name in hps.values:
                choices = ordered[name]
                index = choices.index(hps.values[name]) if hps.values[name] in choices else len(choices) - 1
                if index + 1 < len(choices):
                    hps.values[name] = choices[index + 1]
                    hps.ensure_active_values()
                    return hps.values
            hps.values[name] = hyperparameter.default
        return None


class GridSearch(Tuner):
    """The grid search tuner: every combination of the values (see the module's description of the order).

    Args:
        hypermodel: a `HyperModel` or a `build(hp)` function.
        objective: a metric name, an `Objective`, or None (the float `HyperModel.fit` returns, minimized).
        max_trials: the most trials (default None: the whole grid).
        seed, hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: see `Oracle`.
        **kwargs: the `Tuner`'s (directory, project_name, overwrite, executions_per_trial, executor, ...).
    """

    def __init__(self, hypermodel=None, objective=None, max_trials=None, seed=None, hyperparameters=None,
                 tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0,
                 max_consecutive_failed_trials=3, **kwargs):
        self.seed = seed
        oracle = GridSearchOracle(objective=objective, max_trials=max_trials, seed=seed,
                                  hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
                                  allow_new_entries=allow_new_entries, max_retries_per_trial=max_retries_per_trial,
                                  max_consecutive_failed_trials=max_consecutive_failed_trials)
        super().__init__(oracle, hypermodel, **kwargs)
