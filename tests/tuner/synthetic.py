"""Hypermodels whose score the tests control: the known best configuration is known in advance."""
import math
import os
import signal

import pytest

import neuroflow
from neuroflow import layers
from neuroflow.callbacks import Callback
from neuroflow.tuner import HyperModel, RandomSearchOracle

OPTIMIZER_QUALITY = {"sgd": 0.0, "adam": 1.0, "rmsprop": 0.5}


def tiny_model():
    model = neuroflow.Sequential([layers.Input((1,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


class DiscreteHyperModel(HyperModel):
    """optimizer x units (3 x 4 = 12 combinations); the best is adam with 24 units, score 1.0."""

    def __init__(self):
        super().__init__()
        self.fitted = []

    def build(self, hp):
        hp.Choice("optimizer", ["sgd", "adam", "rmsprop"])
        hp.Int("units", 8, 32, step=8)
        return tiny_model()

    def fit(self, hp, model, *args, **kwargs):
        self.fitted.append(dict(hp.values))
        return {"score": OPTIMIZER_QUALITY[hp["optimizer"]] - abs(hp["units"] - 24) / 100}


class ContinuousHyperModel(HyperModel):
    """A smooth bowl over x in [0, 1] and a log-scale learning rate; minimum 0 at x=0.7, lr=10**-2.5."""

    def build(self, hp):
        hp.Float("x", 0.0, 1.0)
        hp.Float("lr", 1e-4, 1e-1, sampling="log")
        return tiny_model()

    @staticmethod
    def loss(x, lr):
        return (x - 0.7) ** 2 + ((math.log10(lr) + 2.5) / 3) ** 2

    def fit(self, hp, model, *args, **kwargs):
        return self.loss(hp["x"], hp["lr"])


class TrainedHyperModel(HyperModel):
    """A real model trained by `model.fit`: its scores depend on the trial's initial weights and shuffling."""

    def build(self, hp):
        model = neuroflow.Sequential([layers.Input((4,)), layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
                                      layers.Dense(1)])
        model.compile(optimizer=neuroflow.optimizers.SGD(hp.Float("lr", 1e-3, 1e-1, sampling="log")), loss="mse")
        return model


class KillWorkerOnce(Callback):
    """Kills the process it runs in (SIGKILL) at the end of the first epoch, once per marker file.

    The marker is created atomically before the kill, so exactly one training run in the whole search dies,
    and never in the process `spared_pid` (the test's own).
    """

    def __init__(self, marker, spared_pid):
        super().__init__()
        self.marker, self.spared_pid = marker, spared_pid

    def on_epoch_end(self, epoch, logs=None):
        if epoch != 0 or os.getpid() == self.spared_pid:
            return
        try:
            descriptor = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        os.kill(os.getpid(), signal.SIGKILL)


class KillingHyperModel(TrainedHyperModel):
    """TrainedHyperModel whose first training run outside the test's process kills its worker mid-trial."""

    def __init__(self, marker):
        super().__init__()
        self.marker, self.spared_pid = str(marker), os.getpid()

    def fit(self, hp, model, *args, callbacks=None, **kwargs):
        callbacks = list(callbacks or []) + [KillWorkerOnce(self.marker, self.spared_pid)]
        return model.fit(*args, callbacks=callbacks, **kwargs)


class CoordinatorOnlyOracle(RandomSearchOracle):
    """A RandomSearchOracle that refuses to write the search's files from any process but its creator's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinator_pid = os.getpid()

    def _check_process(self):
        if os.getpid() != self.coordinator_pid:
            raise RuntimeError(f"process {os.getpid()} wrote the search state; only {self.coordinator_pid} may")

    def save(self):
        self._check_process()
        super().save()

    def _save_trial(self, trial):
        self._check_process()
        super()._save_trial(trial)


def results_table(tuner):
    """{trial id: (status, values, best step, score, every metric's history)}: what a search found."""
    return {trial_id: (trial.status, trial.hyperparameters.values, trial.best_step, trial.score,
                       {name: trial.metrics.get_history(name) for name in sorted(trial.metrics.metrics)})
            for trial_id, trial in sorted(tuner.oracle.trials.items())}


def assert_same_results(table, expected):
    """The two tables agree: the same trials, values and statuses, and scores and metrics to float rounding.

    Rounding, not bits: a Dask worker process runs its BLAS on one thread (Dask's default), the test's
    process may use several, and the summation order of a product may differ.
    """
    assert list(table) == list(expected)
    for trial_id, (status, values, best_step, score, metrics) in table.items():
        expected_status, expected_values, expected_step, expected_score, expected_metrics = expected[trial_id]
        assert (status, values, best_step) == (expected_status, expected_values, expected_step), trial_id
        assert score == pytest.approx(expected_score, rel=1e-6), trial_id
        assert list(metrics) == list(expected_metrics), trial_id
        for name, history in metrics.items():
            assert [step for step, _ in history] == [step for step, _ in expected_metrics[name]], (trial_id, name)
            assert [values for _, values in history] == [pytest.approx(values, rel=1e-6)
                                                         for _, values in expected_metrics[name]], (trial_id, name)
