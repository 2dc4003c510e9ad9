"""The oracle: proposes the hyperparameter values of each trial and keeps the record of the search (KerasTuner's `Oracle`).

A subclass writes `populate_space(trial_id)`, returning `{"status": "RUNNING", "values": {...}}` (or
"IDLE" when it must wait for running trials, "STOPPED" when the search is over). The base class numbers
the trials, records what they report, scores them, and keeps the whole state on disk:

    <directory>/<project_name>/oracle.json           the oracle's state (space, random state, its own)
    <directory>/<project_name>/trial_<id>/trial.json  one trial (values, metrics, status, score)

Each file is rewritten atomically after every change, so a search killed at any moment (SIGKILL
included) leaves a consistent record. Reloading it, trials that were running when the search died are
handed out again first and rerun from scratch; completed trials are kept.
"""
import glob
import hashlib
import json
import os

import numpy

from neuroflow.tuner.hyperparameters import HyperParameters
from neuroflow.tuner.objective import MultiObjective, create_objective, infer_metric_direction
from neuroflow.tuner.trial import Trial, TrialStatus, write_json

HOST_NUMPY = "hyperparameter-search bookkeeping on host numbers"  # numpy here works on host data (tests/test_backend_seam.py)


class Oracle:
    """The base of the search algorithms.

    Args:
        objective: a metric name (direction inferred), an `Objective`, a list of them, or None (the float
            `run_trial` / `HyperModel.fit` returns is minimized).
        max_trials: the most trials to run; None: until the algorithm stops.
        hyperparameters: a `HyperParameters` declaring (or overriding) part of the space in advance.
        allow_new_entries: whether the hypermodel may declare hyperparameters not in `hyperparameters`.
        tune_new_entries: whether those new hyperparameters are tuned (else they keep their default).
        seed: the seed of the oracle's random draws; None: drawn once and recorded.
        max_retries_per_trial: how many times a trial that raised is run again.
        max_consecutive_failed_trials: the search stops with an error after this many failed trials in a row.
    """

    def __init__(self, objective=None, max_trials=None, hyperparameters=None, allow_new_entries=True,
                 tune_new_entries=True, seed=None, max_retries_per_trial=0, max_consecutive_failed_trials=3):
        self.objective = create_objective(objective)
        if max_trials is not None and int(max_trials) < 1:
            raise ValueError(f"max_trials must be a positive integer or None; received {max_trials!r}")
        self.max_trials = None if max_trials is None else int(max_trials)
        if hyperparameters is None and not (tune_new_entries and allow_new_entries):
            raise ValueError("With tune_new_entries=False or allow_new_entries=False, declare the search space in "
                             "the `hyperparameters` argument")
        self.hyperparameters = HyperParameters() if hyperparameters is None else hyperparameters.copy()
        self.allow_new_entries = allow_new_entries
        self.tune_new_entries = tune_new_entries
        self.max_retries_per_trial = int(max_retries_per_trial)
        self.max_consecutive_failed_trials = int(max_consecutive_failed_trials)
        self.seed = int(numpy.random.SeedSequence().entropy % 10000) if seed is None else int(seed)
        self._generator = numpy.random.default_rng(self.seed)
        # trial_id -> Trial; tuner_id -> the Trial that tuner runs.
        self.trials = {}
        self.ongoing_trials = {}
        self.start_order, self.end_order = [], []
        # Hashes of the values proposed so far, so that random proposals do not repeat.
        self._tried_so_far = set()
        self._max_collisions = 20
        # Trials found running when the record was reloaded (their process died): rerun first.
        self._interrupted = []
        self._retry_queue = []
        self._run_times = {}
        self._directory = None
        self._project_name = None

    # ---- what subclasses write --------------------------------------------------------------

    def populate_space(self, trial_id):
        """The next trial's values: {"status": "RUNNING", "values": {...}}, or status "IDLE" / "STOPPED"."""
        raise NotImplementedError(f"{type(self).__name__} must implement populate_space(trial_id)")

    def score_trial(self, trial):
        """Sets a completed trial's score: the objective's best value over the steps."""
        trial.score = trial.metrics.get_best_value(self.objective.name)
        trial.best_step = trial.metrics.get_best_step(self.objective.name)

    def get_state(self):
        """The oracle's state beyond the trials (each trial has its own file). Subclasses add their own."""
        return {"objective": self.objective.get_config(), "max_trials": self.max_trials,
                "hyperparameters": self.hyperparameters.get_config(), "seed": self.seed,
                "generator": self._generator.bit_generator.state, "tried_so_far": sorted(self._tried_so_far),
                # Whole trials, not ids: oracle.json is written before a new trial's own file, so a search
                # killed between the two writes still knows the trial it had started.
                "ongoing_trials": {tuner_id: trial.get_state() for tuner_id, trial in self.ongoing_trials.items()},
                "start_order": self.start_order, "end_order": self.end_order, "retry_queue": self._retry_queue,
                "run_times": self._run_times}

    def set_state(self, state):
        self.hyperparameters = HyperParameters.from_config(state["hyperparameters"])
        self.seed = state["seed"]
        self._generator.bit_generator.state = state["generator"]
        self._tried_so_far = set(state["tried_so_far"])
        self.start_order, self.end_order = list(state["start_order"]), list(state["end_order"])
        self._retry_queue = list(state["retry_queue"])
        self._run_times = dict(state["run_times"])
        # Whoever ran these is gone: they are handed out again, to any tuner that asks. A trial whose own
        # file says it completed (the search died before oracle.json was rewritten) stays completed.
        self.ongoing_trials = {}
        self._interrupted = []
        for trial_state in state["ongoing_trials"].values():
            trial = self.trials.setdefault(trial_state["trial_id"], Trial.from_state(trial_state))
            if trial.status == TrialStatus.RUNNING:
                self._interrupted.append(trial.trial_id)
            elif trial.trial_id not in self.end_order:
                self.end_order.append(trial.trial_id)

    # ---- the search ------------------------------------------------------------------------------

    def _next_trial_id(self):
        width = len(str(self.max_trials - 1)) if self.max_trials and self.max_trials > 1 else 2
        return str(len(self.trials)).zfill(max(width, 2))

    def create_trial(self, tuner_id):
        """A new trial for the tuner `tuner_id` (its running trial if it has one).

        The returned trial's status is RUNNING (run it), IDLE (ask again once a running trial ends) or
        STOPPED (the search is over).
        """
        if tuner_id in self.ongoing_trials:
            return self.ongoing_trials[tuner_id]
        for queue in (self._interrupted, self._retry_queue):
            if queue:
                trial = self.trials[queue.pop(0)]
                trial.status, trial.message = TrialStatus.RUNNING, None
                trial.metrics = type(trial.metrics)()
                return self._start(tuner_id, trial)
        trial_id = self._next_trial_id()
        if self.max_trials and len(self.trials) >= self.max_trials:
            response = {"status": TrialStatus.STOPPED}
        else:
            response = self.populate_space(trial_id)
        status = response["status"]
        hyperparameters = self.hyperparameters.copy()
        hyperparameters.values = dict(response.get("values") or {})
        trial = Trial(hyperparameters, trial_id=trial_id, status=status)
        if status != TrialStatus.RUNNING:
            return trial
        self.trials[trial_id] = trial
        self.start_order.append(trial_id)
        return self._start(tuner_id, trial)

    def _start(self, tuner_id, trial):
        self.ongoing_trials[tuner_id] = trial
        self.save()
        self._save_trial(trial)
        return trial

    def update_trial(self, trial_id, metrics, step=0):
        """Records one step of a running trial's metrics (a dict of name -> float). Returns its status."""
        trial = self.trials[trial_id]
        names = list(self.objective.name_to_direction) if isinstance(self.objective, MultiObjective) else [
            self.objective.name]
        missing = [name for name in names if name not in metrics]
        if missing:
            raise ValueError(f"The objective {missing} is missing from the metrics of trial {trial_id}: "
                             f"{sorted(metrics)}; pass an objective among these names")
        for name, value in metrics.items():
            if not trial.metrics.exists(name):
                trial.metrics.register(name, direction=self._direction_of(name))
            trial.metrics.update(name, float(value), step=step)
        if isinstance(self.objective, MultiObjective):
            trial.metrics.update(self.objective.name, self.objective.get_value(metrics), step=step)
        return trial.status

    def _direction_of(self, name):
        if name == self.objective.name:
            return self.objective.direction
        if isinstance(self.objective, MultiObjective) and name in self.objective.name_to_direction:
            return self.objective.name_to_direction[name]
        return infer_metric_direction(name) or "min"

    def end_trial(self, trial):
        """Ends a running trial whose `status` the tuner set (COMPLETED or FAILED); scores and saves it.

        Raises:
            RuntimeError: after `max_consecutive_failed_trials` failed trials in a row.
        """
        for tuner_id, ongoing in list(self.ongoing_trials.items()):
            if ongoing.trial_id == trial.trial_id:
                del self.ongoing_trials[tuner_id]
                break
        else:
            raise ValueError(f"Trial {trial.trial_id} is not running")
        recorded = self.trials[trial.trial_id]
        # The trial may come back from another process (an executor's worker): take what it carries.
        recorded.status, recorded.message, recorded.metrics = trial.status, trial.message, trial.metrics
        recorded.hyperparameters = trial.hyperparameters
        self.update_space(trial.hyperparameters)
        self._run_times[recorded.trial_id] = self._run_times.get(recorded.trial_id, 0) + 1
        if recorded.status == TrialStatus.COMPLETED:
            self.score_trial(recorded)
        elif self._run_times[recorded.trial_id] <= self.max_retries_per_trial:
            self._retry_queue.append(recorded.trial_id)
        self.end_order.append(recorded.trial_id)
        self._save_trial(recorded)
        self.save()
        self._check_consecutive_failures()

    def _check_consecutive_failures(self):
        streak = 0
        for trial_id in reversed(self.end_order):
            if self.trials[trial_id].status != TrialStatus.FAILED or trial_id in self._retry_queue:
                break
            streak += 1
        if streak >= self.max_consecutive_failed_trials:
            last = self.trials[self.end_order[-1]]
            raise RuntimeError(f"{streak} consecutive trials failed (max_consecutive_failed_trials="
                               f"{self.max_consecutive_failed_trials}); the last one's error:\n{last.message}")

    # ---- the space ---------------------------------------------------------------------------------

    def get_space(self):
        """A copy of the search space."""
        return self.hyperparameters.copy()

    def update_space(self, hyperparameters):
        """Adds the hyperparameters a build declared that the space does not hold yet.

        Raises:
            RuntimeError: for new hyperparameters when `allow_new_entries` is False.
        """
        new = [hp for hp in hyperparameters.space if not self.hyperparameters._exists(hp.name, hp.conditions)]
        if new and not self.allow_new_entries:
            raise RuntimeError(f"allow_new_entries is False, but the hypermodel declared new hyperparameters: "
                               f"{[hp.name for hp in new]}")
        if new and self.tune_new_entries:
            self.hyperparameters.merge(new)

    def _random_values(self):
        """Values drawn at random for every active hyperparameter, not proposed before; None when exhausted."""
        space = self.hyperparameters.space
        for _ in range(self._max_collisions + 1):
            values = {}
            for hyperparameter in space:
                if self.hyperparameters._conditions_hold(hyperparameter.conditions, values):
                    values[hyperparameter.name] = hyperparameter.random_sample(self._generator)
            key = self._values_hash(values)
            if key not in self._tried_so_far:
                self._tried_so_far.add(key)
                return values
        return None

    @staticmethod
    def _values_hash(values):
        text = "".join(f"{name}={values[name]!r}" for name in sorted(values))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    # ---- results ---------------------------------------------------------------------------------

    def get_trial(self, trial_id):
        return self.trials[trial_id]

    def get_best_trials(self, num_trials=1):
        """The completed trials with the best scores, best first."""
        completed = [trial for trial in self.trials.values()
                     if trial.status == TrialStatus.COMPLETED and trial.score is not None
                     and not numpy.isnan(trial.score)]
        ordered = sorted(completed, key=lambda trial: (self.objective.sign() * trial.score, int(trial.trial_id)))
        return ordered[:num_trials]

    def remaining_trials(self):
        return None if self.max_trials is None else self.max_trials - len(self.trials)

    # ---- files -------------------------------------------------------------------------------

    def _set_project_dir(self, directory, project_name, overwrite=False):
        """Points the oracle at its folder and reloads the record found there (unless `overwrite`)."""
        self._directory, self._project_name = directory, project_name
        if not overwrite and os.path.exists(self._oracle_path()):
            self.reload()

    @property
    def _project_dir(self):
        path = os.path.join(str(self._directory), str(self._project_name))
        os.makedirs(path, exist_ok=True)
        return path

    def _oracle_path(self):
        return os.path.join(str(self._directory), str(self._project_name), "oracle.json")

    def _trial_dir(self, trial_id):
        path = os.path.join(self._project_dir, f"trial_{trial_id}")
        os.makedirs(path, exist_ok=True)
        return path

    def _save_trial(self, trial):
        if self._directory is not None:
            trial.save(os.path.join(self._trial_dir(trial.trial_id), "trial.json"))

    def save(self):
        if self._directory is not None:
            state = {"oracle_class": type(self).__name__, "state": self.get_state()}
            write_json(os.path.join(self._project_dir, "oracle.json"), state)

    def reload(self):
        """Reads the trials and the oracle's state back from the project folder.

        Raises:
            RuntimeError: when the folder holds another kind of search.
        """
        with open(self._oracle_path(), encoding="utf-8") as handle:
            saved = json.load(handle)
        if saved.get("oracle_class") != type(self).__name__:
            raise RuntimeError(f"The project at {self._project_dir} holds a {saved.get('oracle_class')} search, not "
                               f"a {type(self).__name__} one; pass overwrite=True or another project_name")
        self.trials = {}
        for path in glob.glob(os.path.join(self._project_dir, "trial_*", "trial.json")):
            trial = Trial.load(path)
            self.trials[trial.trial_id] = trial
        self.set_state(saved["state"])
