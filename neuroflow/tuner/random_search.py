"""Random search: each trial's values drawn at random from the space (KerasTuner's `RandomSearch`)."""
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.trial import TrialStatus
from neuroflow.tuner.tuner import Tuner


class RandomSearchOracle(Oracle):
    """Draws every active hyperparameter uniformly in its `prob` coordinate (log-uniform for sampling='log').

    Values already tried are drawn again (up to 20 times); when nothing new comes up the space is taken as
    exhausted and the search stops. Arguments: see `Oracle`; `max_trials` defaults to 10.
    """

    def __init__(self, objective=None, max_trials=10, seed=None, hyperparameters=None, allow_new_entries=True,
                 tune_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3):
        super().__init__(objective=objective, max_trials=max_trials, hyperparameters=hyperparameters,
                         allow_new_entries=allow_new_entries, tune_new_entries=tune_new_entries, seed=seed,
                         max_retries_per_trial=max_retries_per_trial,
                         max_consecutive_failed_trials=max_consecutive_failed_trials)

    def populate_space(self, trial_id):
        values = self._random_values()
        if values is None:
            # Nothing new to draw; a running trial may still declare new hyperparameters (a space built
            # inside run_trial), so wait for it before calling the space exhausted.
            return {"status": TrialStatus.IDLE if self.ongoing_trials else TrialStatus.STOPPED, "values": None}
        return {"status": TrialStatus.RUNNING, "values": values}


class RandomSearch(Tuner):
    """The random search tuner.

    Args:
        hypermodel: a `HyperModel` or a `build(hp)` function.
        objective: a metric name, an `Objective`, or None (the float `HyperModel.fit` returns, minimized).
        max_trials: how many trials (default 10).
        seed: the seed of the draws.
        hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: see `Oracle`.
        **kwargs: the `Tuner`'s (directory, project_name, overwrite, executions_per_trial, executor, ...).

    Example:

    ```python
    tuner = neuroflow.tuner.RandomSearch(build_model, objective="val_accuracy", max_trials=10,
                                         directory="tuning", project_name="mnist")
    tuner.search(x_train, y_train, epochs=5, validation_split=0.2)
    best_model = tuner.get_best_models(1)[0]
    ```
    """

    def __init__(self, hypermodel=None, objective=None, max_trials=10, seed=None, hyperparameters=None,
                 tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0,
                 max_consecutive_failed_trials=3, **kwargs):
        self.seed = seed
        oracle = RandomSearchOracle(objective=objective, max_trials=max_trials, seed=seed,
                                    hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
                                    allow_new_entries=allow_new_entries, max_retries_per_trial=max_retries_per_trial,
                                    max_consecutive_failed_trials=max_consecutive_failed_trials)
        super().__init__(oracle, hypermodel, **kwargs)
