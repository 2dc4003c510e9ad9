"""Hyperband: many models trained briefly, the best trained longer (KerasTuner's `Hyperband`).

Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel Bandit-Based Approach to
Hyperparameter Optimization", JMLR 18 (2018). One iteration runs brackets b = B-1, ..., 0 (B is the number of
times `max_epochs` divides by `factor` down to 1). Bracket b starts ceil(s * factor**b) random trials of
ceil(max_epochs / factor**b) epochs, s = ceil(1 + log_factor(max_epochs)) / (b + 1); each round keeps the best
1/factor of them and trains those on, from their best checkpoint, to factor times the epochs, until
`max_epochs`. Bracket 0 is plain random search at full length. A trial's values carry the schedule:
'tuner/epochs', 'tuner/initial_epoch', 'tuner/bracket', 'tuner/round' and, when continued, 'tuner/trial_id'.
"""
import math
import os

from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.trial import TrialStatus
from neuroflow.tuner.tuner import Tuner


class HyperbandOracle(Oracle):
    """The Hyperband schedule. Arguments: `max_epochs`, `factor`, `hyperband_iterations`, and see `Oracle`."""

    def __init__(self, objective=None, max_epochs=100, factor=3, hyperband_iterations=1, seed=None,
                 hyperparameters=None, allow_new_entries=True, tune_new_entries=True, max_retries_per_trial=0,
                 max_consecutive_failed_trials=3):
        super().__init__(objective=objective, max_trials=None, hyperparameters=hyperparameters,
                         allow_new_entries=allow_new_entries, tune_new_entries=tune_new_entries, seed=seed,
                         max_retries_per_trial=max_retries_per_trial,
                         max_consecutive_failed_trials=max_consecutive_failed_trials)
        if int(factor) < 2:
            raise ValueError(f"Hyperband's factor must be an integer >= 2; received {factor!r}")
        if int(max_epochs) < 1 or int(hyperband_iterations) < 1:
            raise ValueError(f"Hyperband needs max_epochs >= 1 and hyperband_iterations >= 1; received "
                             f"max_epochs={max_epochs!r}, hyperband_iterations={hyperband_iterations!r}")
        self.max_epochs, self.factor = int(max_epochs), int(factor)
        self.hyperband_iterations = int(hyperband_iterations)
        self.min_epochs = 1
        self._current_iteration = 0
        self._current_bracket = self._get_num_brackets() - 1
        self._brackets = []
        self._start_new_bracket()

    def populate_space(self, trial_id):
        self._remove_completed_brackets()
        for bracket in self._brackets:
            number, rounds = bracket["bracket_num"], bracket["rounds"]
            if len(rounds[0]) < self._get_size(number, 0):
                return self._random_trial(trial_id, bracket)
            for round_number in range(1, len(rounds)):
                promoted = self._promote(trial_id, bracket, round_number)
                if promoted is not None:
                    return promoted
        if self._current_bracket == 0 and self._current_iteration + 1 >= self.hyperband_iterations:
            # No bracket left to open: wait for the running trials, whose results may promote others.
            if self.ongoing_trials:
                return {"status": TrialStatus.IDLE}
            return {"status": TrialStatus.STOPPED}
        self._increment_bracket_num()
        self._start_new_bracket()
        return self._random_trial(trial_id, self._brackets[-1])

    def _promote(self, trial_id, bracket, round_number):
        """The next trial of round `round_number`: the best unpromoted one of the round before, continued."""
        number, rounds = bracket["bracket_num"], bracket["rounds"]
        current, previous = rounds[round_number], rounds[round_number - 1]
        size, previous_size = self._get_size(number, round_number), self._get_size(number, round_number - 1)
        if len(current) >= size:
            return None
        promoted = {entry["past_id"] for entry in current}
        candidates = [self.trials[entry["id"]] for entry in previous if entry["id"] not in promoted]
        candidates = [trial for trial in candidates if trial.status == TrialStatus.COMPLETED and trial.score is not None]
        # Promote only once more results are in than will be thrown away: the best is then certain.
        if len(candidates) <= previous_size - size:
            return None
        best = sorted(candidates, key=lambda trial: self.objective.sign() * trial.score)[0]
        values = dict(best.hyperparameters.values)
        values.update({"tuner/trial_id": best.trial_id, "tuner/epochs": self._get_epochs(number, round_number),
                       "tuner/initial_epoch": self._get_epochs(number, round_number - 1),
                       "tuner/bracket": number, "tuner/round": round_number})
        current.append({"past_id": best.trial_id, "id": trial_id})
        return {"status": TrialStatus.RUNNING, "values": values}

    def _random_trial(self, trial_id, bracket):
        values = self._random_values()
        if values is None:
            return {"status": TrialStatus.IDLE if self.ongoing_trials else TrialStatus.STOPPED}
        number = bracket["bracket_num"]
        values.update({"tuner/epochs": self._get_epochs(number, 0), "tuner/initial_epoch": 0,
                       "tuner/bracket": number, "tuner/round": 0})
        bracket["rounds"][0].append({"past_id": None, "id": trial_id})
        return {"status": TrialStatus.RUNNING, "values": values}

    def _start_new_bracket(self):
        rounds = [[] for _ in range(self._get_num_rounds(self._current_bracket))]
        self._brackets.append({"bracket_num": self._current_bracket, "rounds": rounds})

    def _increment_bracket_num(self):
        self._current_bracket -= 1
        if self._current_bracket < 0:
            self._current_bracket = self._get_num_brackets() - 1
            self._current_iteration += 1

    def _remove_completed_brackets(self):
        def incomplete(bracket):
            last = len(bracket["rounds"]) - 1
            return len(bracket["rounds"][last]) < self._get_size(bracket["bracket_num"], last)

        self._brackets = [bracket for bracket in self._brackets if incomplete(bracket)]

    def _get_size(self, bracket_num, round_num):
        """Trials in a round: brackets are sized to cost about the same number of epochs."""
        bracket0_end_size = math.ceil(1 + math.log(self.max_epochs, self.factor))
        return math.ceil(bracket0_end_size / (bracket_num + 1) * self.factor ** (bracket_num - round_num))

    def _get_epochs(self, bracket_num, round_num):
        return math.ceil(self.max_epochs / self.factor ** (bracket_num - round_num))

    def _get_num_rounds(self, bracket_num):
        return bracket_num + 1

    def _get_num_brackets(self):
        epochs, brackets = self.max_epochs, 0
        while epochs >= self.min_epochs:
            epochs /= self.factor
            brackets += 1
        return brackets

    def get_state(self):
        state = super().get_state()
        state.update(hyperband_iterations=self.hyperband_iterations, max_epochs=self.max_epochs,
                     min_epochs=self.min_epochs, factor=self.factor, brackets=self._brackets,
                     current_bracket=self._current_bracket, current_iteration=self._current_iteration)
        return state

    def set_state(self, state):
        super().set_state(state)
        self.hyperband_iterations, self.max_epochs = state["hyperband_iterations"], state["max_epochs"]
        self.min_epochs, self.factor = state["min_epochs"], state["factor"]
        self._brackets = state["brackets"]
        self._current_bracket, self._current_iteration = state["current_bracket"], state["current_iteration"]


class Hyperband(Tuner):
    """The Hyperband tuner.

    Args:
        hypermodel: a `HyperModel` or a `build(hp)` function.
        objective: a metric name or an `Objective`.
        max_epochs: the most epochs one model is trained (a little above the epochs to convergence; use
            EarlyStopping in `callbacks`).
        factor: the reduction factor of the number of models and increase of their epochs (default 3).
        hyperband_iterations: how many times the whole schedule runs (default 1; about
            max_epochs * log_factor(max_epochs) ** 2 epochs each).
        seed, hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: see `Oracle`.
        **kwargs: the `Tuner`'s.
    """

    def __init__(self, hypermodel=None, objective=None, max_epochs=100, factor=3, hyperband_iterations=1, seed=None,
                 hyperparameters=None, tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0,
                 max_consecutive_failed_trials=3, **kwargs):
        oracle = HyperbandOracle(objective, max_epochs=max_epochs, factor=factor,
                                 hyperband_iterations=hyperband_iterations, seed=seed, hyperparameters=hyperparameters,
                                 tune_new_entries=tune_new_entries, allow_new_entries=allow_new_entries,
                                 max_retries_per_trial=max_retries_per_trial,
                                 max_consecutive_failed_trials=max_consecutive_failed_trials)
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        values = trial.hyperparameters.values
        if "tuner/epochs" in values:
            fit_kwargs["epochs"] = values["tuner/epochs"]
            fit_kwargs["initial_epoch"] = values["tuner/initial_epoch"]
        return super().run_trial(trial, *fit_args, **fit_kwargs)

    def _build_hypermodel(self, hp):
        model = super()._build_hypermodel(hp)
        if "tuner/trial_id" in hp.values:
            # Continue from the best epoch of the trial this one was promoted from (a trial whose fit
            # never called model.fit, a custom HyperModel.fit returning a score, saved no checkpoint).
            checkpoint = self._checkpoint_path(hp.values["tuner/trial_id"])
            if os.path.exists(checkpoint):
                model.load_weights(checkpoint)
        return model
