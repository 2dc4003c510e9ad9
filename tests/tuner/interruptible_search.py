"""A search run in a child process by test_resume.py, which kills it with SIGKILL in the middle of a trial.

    python -m tests.tuner.interruptible_search DIRECTORY LOG [KILL_AT READY]

Every fit appends a line to LOG. With KILL_AT, the KILL_AT-th fit touches READY and waits to be killed.
At the end it prints the trials as JSON: {trial_id: [values, score, status]}.
"""
import json
import math
import os
import sys
import time

import neuroflow.tuner as kt
from tests.tuner.synthetic import tiny_model


class LoggedHyperModel(kt.HyperModel):
    def __init__(self, log, kill_at=None, ready=None):
        super().__init__()
        self.log, self.kill_at, self.ready = log, kill_at, ready

    def build(self, hp):
        hp.Float("x", -1.0, 1.0)
        hp.Int("units", 1, 64, sampling="log")
        return tiny_model()

    def fit(self, hp, model, *args, **kwargs):
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(hp.values) + "\n")
        with open(self.log, encoding="utf-8") as handle:
            fits = len(handle.readlines())
        if self.kill_at is not None and fits == self.kill_at:
            open(self.ready, "w").close()
            time.sleep(120)  # killed here, mid-trial
        return (hp["x"] - 0.25) ** 2 + abs(math.log2(hp["units"]) - 3)


def run(directory, log, kill_at=None, ready=None):
    tuner = kt.RandomSearch(LoggedHyperModel(log, kill_at, ready), max_trials=8, seed=123, directory=directory,
                            project_name="resumable")
    tuner.search(verbose=0)
    return {trial_id: [trial.hyperparameters.values, trial.score, trial.status]
            for trial_id, trial in sorted(tuner.oracle.trials.items())}


if __name__ == "__main__":
    arguments = sys.argv[1:]
    kill_at = int(arguments[2]) if len(arguments) > 2 else None
    result = run(arguments[0], arguments[1], kill_at, arguments[3] if len(arguments) > 3 else None)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)
