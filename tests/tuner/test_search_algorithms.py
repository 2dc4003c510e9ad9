"""Each tuner finds the known-best configuration of a synthetic objective, in the order its algorithm prescribes."""
import math

import pytest

import neuroflow
import neuroflow.tuner as kt
from neuroflow import layers
from neuroflow.tuner import HyperModel, Objective
from tests.tuner.synthetic import ContinuousHyperModel, DiscreteHyperModel, tiny_model

SCORE = Objective("score", direction="max")


def test_grid_search_walks_every_combination_in_keras_tuner_order(tmp_path):
    hypermodel = DiscreteHyperModel()
    tuner = kt.GridSearch(hypermodel, objective=SCORE, directory=tmp_path, project_name="grid")
    tuner.search(verbose=0)
    visited = [(values["optimizer"], values["units"]) for values in hypermodel.fitted]
    # Defaults first, the last declared hyperparameter moving fastest, then stopped: the whole grid once.
    assert visited == [(o, u) for o in ("sgd", "adam", "rmsprop") for u in (8, 16, 24, 32)]
    assert tuner.get_best_hyperparameters()[0].values == {"optimizer": "adam", "units": 24}
    assert tuner.oracle.get_best_trials()[0].score == pytest.approx(1.0)


def test_grid_search_with_max_trials_stops_early(tmp_path):
    tuner = kt.GridSearch(DiscreteHyperModel(), objective=SCORE, max_trials=5, directory=tmp_path)
    tuner.search(verbose=0)
    assert len(tuner.oracle.trials) == 5


def test_grid_search_skips_inactive_conditional_hyperparameters(tmp_path):
    class Conditional(HyperModel):
        def build(self, hp):
            kind = hp.Choice("kind", ["linear", "mlp"])
            with hp.conditional_scope("kind", ["mlp"]):
                if kind == "mlp":
                    hp.Int("units", 1, 3)
            return tiny_model()

        def fit(self, hp, model, *args, **kwargs):
            return float(hp.get("units") if "units" in hp else 0)

    tuner = kt.GridSearch(Conditional(), directory=tmp_path)
    tuner.search(verbose=0)
    values = [tuner.oracle.trials[trial_id].hyperparameters.values for trial_id in tuner.oracle.start_order]
    # The scope hidden behind `if kind == "mlp"` was explored before the search, so the grid knew `units`.
    assert values == [{"kind": "linear"}, {"kind": "mlp", "units": 1}, {"kind": "mlp", "units": 2},
                      {"kind": "mlp", "units": 3}]


def test_random_search_finds_the_best_and_never_repeats(tmp_path):
    hypermodel = DiscreteHyperModel()
    tuner = kt.RandomSearch(hypermodel, objective=SCORE, max_trials=40, seed=7, directory=tmp_path)
    tuner.search(verbose=0)
    visited = [(values["optimizer"], values["units"]) for values in hypermodel.fitted]
    # 12 combinations exist: drawn once each, then the space counts as exhausted and the search stops.
    assert len(visited) == len(set(visited)) == 12
    assert tuner.get_best_hyperparameters()[0].values == {"optimizer": "adam", "units": 24}


def test_random_search_runs_max_trials_and_is_seeded(tmp_path):
    runs = []
    for name in ("a", "b"):
        hypermodel = ContinuousHyperModel()
        tuner = kt.RandomSearch(hypermodel, max_trials=4, seed=11, directory=tmp_path, project_name=name)
        tuner.search(verbose=0)
        runs.append([trial.hyperparameters.values for trial in tuner.oracle.trials.values()])
    assert len(runs[0]) == 4 and runs[0] == runs[1]
    assert tuner.remaining_trials == 0


def test_bayesian_optimization_closes_in_on_the_minimum(tmp_path):
    class Bowl(HyperModel):
        def build(self, hp):
            hp.Float("x", 0.0, 1.0)
            return tiny_model()

        def fit(self, hp, model, *args, **kwargs):
            return (hp["x"] - 0.7) ** 2

    tuner = kt.BayesianOptimization(Bowl(), max_trials=8, num_initial_points=3, seed=2, directory=tmp_path)
    tuner.search(verbose=0)
    trials = [tuner.oracle.trials[trial_id] for trial_id in tuner.oracle.start_order]
    best_random = min(trial.score for trial in trials[:3])
    best = tuner.oracle.get_best_trials()[0]
    # Five proposals from the Gaussian process land far closer than the three random starts.
    assert abs(best.hyperparameters["x"] - 0.7) < 0.02 and best.score < best_random / 10


def test_bayesian_optimization_handles_log_ranges_steps_and_maximizing(tmp_path):
    class Mixed(HyperModel):
        def build(self, hp):
            hp.Float("lr", 1e-4, 1e-1, sampling="log")
            hp.Int("units", 16, 128, step=16)
            return tiny_model()

        def fit(self, hp, model, *args, **kwargs):
            return {"score": -((math.log10(hp["lr"]) + 2.5) ** 2) - ((hp["units"] - 48) / 64) ** 2}

    tuner = kt.BayesianOptimization(Mixed(), objective=SCORE, max_trials=10, num_initial_points=4, seed=0,
                                    directory=tmp_path)
    tuner.search(verbose=0)
    best = tuner.get_best_hyperparameters()[0]
    assert abs(math.log10(best["lr"]) + 2.5) < 0.3 and best["units"] in (32, 48, 64)
    trials = [tuner.oracle.trials[trial_id] for trial_id in tuner.oracle.start_order]
    assert tuner.oracle.get_best_trials()[0].score > max(trial.score for trial in trials[:4])


class EpochHyperModel(HyperModel):
    """Score grows with the epochs trained; 'c' is the best kind. Records each fit's epochs."""

    QUALITY = {"a": 0.2, "b": 0.5, "c": 1.0, "d": 0.4}

    def __init__(self):
        super().__init__()
        self.fits = []

    def build(self, hp):
        hp.Choice("kind", list(self.QUALITY))
        hp.Float("noise", 0.0, 1.0)
        return tiny_model()

    def fit(self, hp, model, *args, epochs=1, initial_epoch=0, **kwargs):
        self.fits.append((hp["kind"], initial_epoch, epochs, hp.values.get("tuner/trial_id")))
        return {"score": self.QUALITY[hp["kind"]] * (1 - 0.5 ** epochs) + 0.01 * hp["noise"]}


def test_hyperband_schedule_and_best_configuration(tmp_path):
    hypermodel = EpochHyperModel()
    tuner = kt.Hyperband(hypermodel, objective=SCORE, max_epochs=9, factor=3, seed=1, directory=tmp_path)
    tuner.search(verbose=0)
    trials = [tuner.oracle.trials[trial_id] for trial_id in tuner.oracle.start_order]
    schedule = [(t.hyperparameters["tuner/bracket"], t.hyperparameters["tuner/round"],
                 t.hyperparameters["tuner/initial_epoch"], t.hyperparameters["tuner/epochs"]) for t in trials]
    # max_epochs 9, factor 3: brackets 2, 1, 0 of 9 + 3 + 1, 5 + 2 and 3 trials (KerasTuner's sizes).
    expected = ([(2, 0, 0, 1)] * 9 + [(2, 1, 1, 3)] * 3 + [(2, 2, 3, 9)] + [(1, 0, 0, 3)] * 5 + [(1, 1, 3, 9)] * 2
                + [(0, 0, 0, 9)] * 3)
    assert schedule == expected
    # Each promoted trial continues the best not yet promoted of the round before, with its values.
    for trial in trials:
        parent_id = trial.hyperparameters.values.get("tuner/trial_id")
        if parent_id is not None:
            parent = tuner.oracle.trials[parent_id]
            assert parent.hyperparameters["kind"] == trial.hyperparameters["kind"]
            assert parent.hyperparameters["tuner/round"] == trial.hyperparameters["tuner/round"] - 1
    first_round = trials[:9]
    promoted = {t.hyperparameters["tuner/trial_id"] for t in trials[9:12]}
    assert promoted == {t.trial_id for t in sorted(first_round, key=lambda t: -t.score)[:3]}
    best = tuner.get_best_hyperparameters()[0]
    assert best["kind"] == "c" and best["tuner/epochs"] == 9


def test_hyperband_continues_a_real_model_from_its_parent_checkpoint(tmp_path, rng):
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    initial_epochs = []

    def build(hp):
        model = kt_model(hp.Int("units", 2, 8, step=2))
        return model

    class Recording(kt.Hyperband):
        def _build_hypermodel(self, hp):
            model = super()._build_hypermodel(hp)
            initial_epochs.append((hp.values.get("tuner/trial_id"), [w.copy() for w in model.get_weights()]))
            return model

    tuner = Recording(build, objective="val_loss", max_epochs=3, factor=3, seed=0, directory=tmp_path)
    tuner.search(x, y, validation_split=0.25, verbose=0)
    continued = [(parent, weights) for parent, weights in initial_epochs if parent is not None]
    assert len(continued) == 1
    parent, weights = continued[0]
    best_of_parent = tuner.load_model(tuner.oracle.trials[parent]).get_weights()
    assert all((a == b).all() for a, b in zip(weights, best_of_parent))
    trial = [t for t in tuner.oracle.trials.values() if t.hyperparameters.values.get("tuner/trial_id") == parent][0]
    # Trained from epoch 1 to 3: the reported steps are epochs 1 and 2.
    assert [step for step, _ in trial.metrics.get_history("val_loss")] == [1, 2]


def kt_model(units):
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(units, activation="relu"),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
