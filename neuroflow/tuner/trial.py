"""One trial: a set of hyperparameter values, its status, what it measured and its score (KerasTuner's `Trial`)."""
import json

from neuroflow.saving.files import write_atomically
from neuroflow.tuner.hyperparameters import HyperParameters
from neuroflow.tuner.metrics_tracking import MetricsTracker


class TrialStatus:
    """The states of a trial, as KerasTuner names them."""

    RUNNING = "RUNNING"  # handed to a worker and not finished (or interrupted: it reruns on resume)
    IDLE = "IDLE"  # the oracle waits for running trials before it can propose the next one
    INVALID = "INVALID"  # legacy name of FAILED
    STOPPED = "STOPPED"  # the search is over
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"  # every attempt raised


class Trial:
    """A trial of the search.

    Attributes:
        trial_id: its id ('00', '01', ...), also its folder's name (`trial_00`).
        hyperparameters: a `HyperParameters` holding the space and this trial's `values`.
        status: a `TrialStatus`.
        metrics: a `MetricsTracker` of everything the executions reported.
        score: the objective's best value (None until completed).
        best_step: the step (epoch) of that value.
        message: the error of a failed trial.
    """

    def __init__(self, hyperparameters, trial_id=None, status=TrialStatus.RUNNING, message=None):
        self.hyperparameters = hyperparameters
        self.trial_id = trial_id
        self.status = status
        self.message = message
        self.metrics = MetricsTracker()
        self.score = None
        self.best_step = None

    def summary(self, print_fn=print):
        """Prints the trial's hyperparameters and score, as `results_summary` shows them."""
        print_fn(f"Trial {self.trial_id} summary")
        print_fn("Hyperparameters:")
        for name, value in self.hyperparameters.values.items():
            print_fn(f"{name}: {value}")
        if self.score is not None:
            print_fn(f"Score: {self.score}")
        if self.message is not None:
            print_fn(self.message)

    def display_hyperparameters(self):
        return dict(self.hyperparameters.values)

    def get_state(self):
        return {"trial_id": self.trial_id, "hyperparameters": self.hyperparameters.get_config(),
                "metrics": self.metrics.get_config(), "score": self.score, "best_step": self.best_step,
                "status": self.status, "message": self.message}

    def set_state(self, state):
        self.trial_id = state["trial_id"]
        self.hyperparameters = HyperParameters.from_config(state["hyperparameters"])
        self.metrics = MetricsTracker.from_config(state["metrics"])
        self.score, self.best_step = state["score"], state["best_step"]
        self.status, self.message = state["status"], state.get("message")

    @classmethod
    def from_state(cls, state):
        trial = cls(HyperParameters())
        trial.set_state(state)
        return trial

    def save(self, filepath):
        """Writes `trial.json` atomically: a search killed while writing leaves the previous file whole."""
        write_json(filepath, self.get_state())

    @classmethod
    def load(cls, filepath):
        with open(filepath, encoding="utf-8") as handle:
            return cls.from_state(json.load(handle))

    def __repr__(self):
        return (f"Trial(trial_id={self.trial_id!r}, status={self.status!r}, score={self.score}, "
                f"values={self.hyperparameters.values})")


def write_json(filepath, data):
    """Writes `data` as JSON through a temporary file and a rename (saving/files.py `write_atomically`)."""
    def write(path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)

    write_atomically(filepath, write)
