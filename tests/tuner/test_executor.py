"""The executor seam: trials handed to a concurrent.futures pool run side by side, and the record stays whole."""
import concurrent.futures
import threading
import time

import pytest

import neuroflow.tuner as kt
from neuroflow.tuner import FuturesExecutor, SerialExecutor
from tests.tuner.synthetic import DiscreteHyperModel


class ConcurrentSearch(kt.RandomSearch):
    """A black-box search (run_trial overridden, no models) that notes how many trials overlap."""

    lock = threading.Lock()

    def run_trial(self, trial, *args, **kwargs):
        with self.lock:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return (trial.hyperparameters.Float("x", -1.0, 1.0) - 0.5) ** 2


def test_trials_run_in_parallel_on_a_thread_pool(tmp_path):
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        tuner = ConcurrentSearch(max_trials=9, seed=0, directory=tmp_path, executor=FuturesExecutor(pool, 3))
        tuner.running = tuner.most_running = 0
        tuner.search(verbose=0)
    trials = tuner.oracle.trials
    assert tuner.most_running == 3
    assert len(trials) == 9 and all(trial.status == "COMPLETED" for trial in trials.values())
    assert tuner.oracle.ongoing_trials == {}
    assert tuner.oracle.get_best_trials()[0].score == min(trial.score for trial in trials.values())


def test_the_serial_executor_runs_one_at_a_time(tmp_path):
    tuner = ConcurrentSearch(max_trials=3, directory=tmp_path)
    tuner.running = tuner.most_running = 0
    assert isinstance(tuner.executor, SerialExecutor)
    tuner.search(verbose=0)
    assert tuner.most_running == 1 and len(tuner.oracle.trials) == 3


def test_max_in_flight_must_be_positive():
    with pytest.raises(ValueError, match="max_in_flight must be at least 1"):
        FuturesExecutor(None, 0)


def test_trials_run_in_other_processes(tmp_path):
    """The tuner travels to the workers by pickle (its executor stays home); results come back by value."""
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        tuner = kt.GridSearch(DiscreteHyperModel(), objective=kt.Objective("score", "max"), directory=tmp_path,
                              executor=FuturesExecutor(pool, 2))
        tuner.search(verbose=0)
    assert len(tuner.oracle.trials) == 12 and all(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
    assert tuner.get_best_hyperparameters()[0].values == {"optimizer": "adam", "units": 24}
