"""The search loop shared by every tuner: trials from the oracle, run by an executor, results back (KerasTuner's `BaseTuner`).

`search(*fit_args, **fit_kwargs)`:

1. (already at construction) builds the hypermodel once with default values, and once more for each
   conditional scope that was not active, so that the oracle knows the whole space before the first trial;
2. asks the oracle for trials and submits each to the executor (`executor.py`), keeping up to
   `executor.max_in_flight` running;
3. records each finished trial's metrics in the oracle (every step of every execution) and ends it:
   COMPLETED, or FAILED with its traceback (rerun `max_retries_per_trial` times).

Each trial runs under a generator of its own (`trial_seed`: the oracle's seed and the trial id), so what
a trial draws (initial weights, dropout, shuffling) does not depend on which trials ran before it, in which
order, or beside it: a parallel search gives the serial search's scores.

Everything is on disk under `directory/project_name` after each step, so `search` called again on the same
project (by a new process after a crash, say) continues where the last one stopped.
"""
import copy
import numbers
import os
import time
import traceback

import numpy

from neuroflow import seeding
from neuroflow.tuner.executor import SerialExecutor
from neuroflow.tuner.hypermodel import get_hypermodel
from neuroflow.tuner.objective import DefaultObjective
from neuroflow.tuner.trial import TrialStatus

HOST_NUMPY = "numpy.random.SeedSequence derives each trial's seed; no arrays"

# Building the space explores at most this many conditional scopes (each costs one build).
_MAX_EXPLORED_SCOPES = 100


def trial_seed(search_seed, trial_id):
    """The seed of one trial's draws: a `SeedSequence` child of the search seed, keyed by the trial id.

    The same (search seed, trial id) always gives the same seed, and different trial ids give
    independent streams, whatever process or thread runs the trial and whatever ran before it.
    """
    key = int(trial_id) if str(trial_id).isdigit() else int.from_bytes(str(trial_id).encode("utf-8"), "little")
    return numpy.random.SeedSequence(entropy=int(search_seed), spawn_key=(key,))


class BaseTuner:
    """The base of tuners: an oracle, a hypermodel, a project folder and an executor.

    Args:
        oracle: the `Oracle` proposing the trials.
        hypermodel: a `HyperModel` or a `build(hp)` function; may be None when `run_trial` is overridden.
        directory: the folder of the project folders (default: the current folder).
        project_name: the project's folder name (default 'untitled_project').
        overwrite: False (the default) reloads and continues a search found in the project folder; True
            starts afresh.
        executor: where trials run (`executor.SerialExecutor()` by default; see `executor.py`).
        tuner_id: the name of this tuner in the oracle's record (default 'tuner0').
    """

    def __init__(self, oracle, hypermodel=None, directory=None, project_name=None, overwrite=False, executor=None,
                 tuner_id=None, logger=None):
        if logger is not None:
            raise NotImplementedError("KerasTuner's `logger` (a monitoring service) is not supported; pass logger=None")
        if hypermodel is None and type(self).run_trial is BaseTuner.run_trial:
            raise ValueError("Received hypermodel=None: give a hypermodel, or subclass the tuner and override "
                             "run_trial(trial, *args, **kwargs)")
        self.oracle = oracle
        self.hypermodel = get_hypermodel(hypermodel)
        self.directory = directory or "."
        self.project_name = project_name or "untitled_project"
        self.tuner_id = tuner_id or "tuner0"
        self.executor = executor or SerialExecutor()
        self.verbose = 1
        # executor slot -> the trial running there
        self._trials_in_flight = {}
        self.oracle._set_project_dir(self.directory, self.project_name, overwrite=overwrite)
        # As KerasTuner does: the space is known from the start, so search_space_summary() can show it.
        self._populate_initial_space()

    def __getstate__(self):
        # An executor ships the tuner to its workers with the trial (pickled, for processes or Dask): the
        # executor itself (a pool, a client) and the loop's bookkeeping stay behind.
        state = dict(self.__dict__)
        state["executor"] = SerialExecutor()
        state["_trials_in_flight"] = {}
        return state

    @property
    def project_dir(self):
        return self.oracle._project_dir

    @property
    def remaining_trials(self):
        """Trials left before max_trials (None without a limit): what a resumed search has still to run."""
        return self.oracle.remaining_trials()

    def get_trial_dir(self, trial_id):
        return self.oracle._trial_dir(trial_id)

    # ---- the loop ------------------------------------------------------------------------------

    def search(self, *fit_args, **fit_kwargs):
        """Runs trials until the oracle stops; `fit_args` / `fit_kwargs` go to each trial's `run_trial`.

        `verbose` (also passed on to `fit`) sets how much the search prints: 0 nothing, 1 one block per trial.
        """
        if "verbose" in fit_kwargs:
            self.verbose = fit_kwargs["verbose"]
        self.on_search_begin()
        slots = [self.tuner_id] + [f"{self.tuner_id}_{index}" for index in range(1, self.executor.max_in_flight)]
        in_flight = {}
        stopped = False
        # The data goes to the executor's workers once for the whole search, not once per trial.
        shared_args, shared_kwargs = self.executor.share(fit_args), self.executor.share(fit_kwargs)
        while True:
            busy = set(in_flight.values())
            for slot in slots:
                if stopped or slot in busy:
                    continue
                trial = self.oracle.create_trial(slot)
                if trial.status == TrialStatus.STOPPED:
                    stopped = True
                    break
                if trial.status == TrialStatus.IDLE:
                    if not in_flight:
                        raise RuntimeError(f"{type(self.oracle).__name__} is waiting for running trials, but none "
                                           "is running")
                    break
                self.on_trial_begin(trial)
                future = self.executor.submit(self._execute_trial, trial, shared_args, shared_kwargs)
                in_flight[future] = slot
                self._trials_in_flight[slot] = trial
            if not in_flight:
                break
            for future in self.executor.wait_any(list(in_flight)):
                slot = in_flight.pop(future)
                self._finish_trial(self._trials_in_flight.pop(slot), future)
        self.on_search_end()

    def _execute_trial(self, trial, fit_args, fit_kwargs):
        """What an executor runs: one trial, returning its records and the (possibly grown) space."""
        with seeding.thread_generator(trial_seed(self.oracle.seed, trial.trial_id)):
            results = self.run_trial(trial, *fit_args, **copy.copy(fit_kwargs))
        return {"records": self._records(results), "hyperparameters": trial.hyperparameters.get_config()}

    def _finish_trial(self, trial, future):
        try:
            outcome = future.result()
        except Exception:  # a failing trial is recorded with its traceback; the oracle decides what follows
            trial.status = TrialStatus.FAILED
            trial.message = traceback.format_exc()
            if self.verbose:
                print(f"Trial {trial.trial_id} failed:\n{trial.message}")
        else:
            trial.hyperparameters = type(trial.hyperparameters).from_config(outcome["hyperparameters"])
            for step, metrics in outcome["records"]:
                self.oracle.update_trial(trial.trial_id, metrics, step=step)
            trial.status = TrialStatus.COMPLETED
        self.oracle.end_trial(trial)
        self.on_trial_end(self.oracle.get_trial(trial.trial_id))

    def _records(self, results, caller="run_trial"):
        """[(step, {metric: value}), ...] from what `run_trial` returned (History, dict, float or a list of them)."""
        objective = self.oracle.objective
        if isinstance(results, (list, tuple)):
            return [record for entry in results for record in self._records(entry, caller)]
        if isinstance(results, numbers.Real) and not isinstance(results, bool):
            return [(0, {objective.name: float(results)})]
        if isinstance(results, dict):
            if isinstance(objective, DefaultObjective) and objective.name not in results:
                raise TypeError(f"{caller} returned a dict, {sorted(results)}, but no objective was given: pass "
                                "`objective=` to the tuner, or return the single float to minimize")
            return [(0, {name: float(value) for name, value in results.items()})]
        history = getattr(results, "history", None)
        if isinstance(history, dict):
            if isinstance(objective, DefaultObjective):
                raise TypeError(f"{caller} returned a History, but no objective was given: pass `objective=` to "
                                f"the tuner (one of {sorted(history)})")
            epochs = list(getattr(results, "epoch", None) or range(len(next(iter(history.values()), []))))
            return [(epoch, {name: float(values[index]) for name, values in history.items() if index < len(values)})
                    for index, epoch in enumerate(epochs)]
        raise TypeError(f"{caller} must return a History, a dict of metrics, a float or a list of these; received "
                        f"{type(results).__name__}")

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        """Evaluates one trial's hyperparameters (`trial.hyperparameters`); returns History / dict / float / list.

        Override it to tune anything: `return (trial.hyperparameters.Float("x", -2, 2) - 1) ** 2` is a search.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement run_trial")

    def _populate_initial_space(self):
        """Builds the hypermodel with default values, then once per conditional scope never active."""
        if self.hypermodel is None:
            return
        hp = self.oracle.get_space()
        explored, seen_active = [], []
        for _ in range(_MAX_EXPLORED_SCOPES):
            self.hypermodel.declare_hyperparameters(hp)
            self.hypermodel.build(hp)
            self.oracle.update_space(hp)
            seen_active += [scope for scope in hp.active_scopes if scope not in seen_active]
            pending = [scope for scope in hp.inactive_scopes if scope not in seen_active and scope not in explored]
            if not pending:
                break
            scope = pending[0]
            explored.append(scope)
            hp = self.oracle.get_space()
            for condition in scope:
                hp.values[condition.name] = condition.values[0]
            hp.ensure_active_values()
        self.oracle.save()

    # ---- hooks ---------------------------------------------------------------------------------

    def on_search_begin(self):
        self._search_start = time.time()

    def on_trial_begin(self, trial):
        self._trial_start = time.time()
        if self.verbose:
            print(f"\nSearch: Running Trial #{int(trial.trial_id) + 1}\n")
            best = self.oracle.get_best_trials()
            best_values = best[0].hyperparameters.values if best else {}
            print(f"{'Value':<18}|{'Best Value So Far':<18}|Hyperparameter")
            for name, value in trial.hyperparameters.values.items():
                print(f"{_format(value):<18}|{_format(best_values.get(name, '?')):<18}|{name}")
            print()

    def on_trial_end(self, trial):
        if not self.verbose:
            return
        elapsed = time.strftime("%Hh %Mm %Ss", time.gmtime(time.time() - getattr(self, "_trial_start", time.time())))
        outcome = "Complete" if trial.status == TrialStatus.COMPLETED else trial.status.capitalize()
        print(f"Trial {int(trial.trial_id) + 1} {outcome} [{elapsed}]")
        if trial.score is not None:
            print(f"{self.oracle.objective.name}: {trial.score}")
        best = self.oracle.get_best_trials()
        print(f"\nBest {self.oracle.objective.name} So Far: {best[0].score if best else None}")
        total = time.strftime("%Hh %Mm %Ss", time.gmtime(time.time() - getattr(self, "_search_start", time.time())))
        print(f"Total elapsed time: {total}")

    def on_search_end(self):
        pass

    # ---- results -------------------------------------------------------------------------------

    def get_best_hyperparameters(self, num_trials=1):
        """The `HyperParameters` of the best completed trials, best first."""
        return [trial.hyperparameters for trial in self.oracle.get_best_trials(num_trials)]

    def get_best_models(self, num_models=1):
        """The best trials' models with their best checkpoint's weights, best first."""
        return [self.load_model(trial) for trial in self.oracle.get_best_trials(num_models)]

    def load_model(self, trial):
        raise NotImplementedError(f"{type(self).__name__} keeps no models; use get_best_hyperparameters")

    def search_space_summary(self, extended=False, print_fn=print):
        """Prints the search space: each hyperparameter's name, type and range."""
        space = self.oracle.get_space().space
        print_fn("Search space summary")
        print_fn(f"Default search space size: {len(space)}")
        for hyperparameter in space:
            config = hyperparameter.get_config()
            name = config.pop("name")
            print_fn(f"{name} ({type(hyperparameter).__name__})")
            print_fn(str(config))

    def results_summary(self, num_trials=10, print_fn=print):
        """Prints the best `num_trials` trials: hyperparameters and score."""
        print_fn("Results summary")
        print_fn(f"Results in {os.path.join(self.directory, self.project_name)}")
        print_fn(f"Showing {num_trials} best trials")
        print_fn(str(self.oracle.objective))
        for trial in self.oracle.get_best_trials(num_trials):
            print_fn("")
            trial.summary(print_fn=print_fn)


def _format(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.5g}"
    text = str(value)
    return text if len(text) <= 18 else text[:15] + "..."
