"""neuroflow.tuner: hyperparameter search with KerasTuner's API (`import neuroflow.tuner as kt`).

    def build_model(hp):
        model = neuroflow.Sequential([neuroflow.layers.Input((784,)),
                                      neuroflow.layers.Dense(hp.Int("units", 32, 512, step=32), activation="relu"),
                                      neuroflow.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=neuroflow.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=10, directory="tuning",
                            project_name="mnist")
    tuner.search(x_train, y_train, epochs=5, validation_split=0.2)      # or cross_validation=5
    tuner.results_summary()
    best_hp = tuner.get_best_hyperparameters()[0]

Files: hyperparameter.py (Int, Float, Choice, Boolean, Fixed), hyperparameters.py (the container),
conditions.py, objective.py, metrics_tracking.py, trial.py, oracle.py (the base oracle and the files on
disk), hypermodel.py, executor.py (where trials run), base_tuner.py (the search loop), tuner.py (models,
checkpoints, executions, cross-validation: cross_validation.py), one file per algorithm: random_search.py,
grid_search.py, hyperband.py, bayesian.py.
"""
from neuroflow.tuner import oracles, tuners
from neuroflow.tuner.base_tuner import BaseTuner
from neuroflow.tuner.bayesian import BayesianOptimization, BayesianOptimizationOracle
from neuroflow.tuner.executor import FuturesExecutor, SerialExecutor
from neuroflow.tuner.grid_search import GridSearch, GridSearchOracle
from neuroflow.tuner.hyperband import Hyperband, HyperbandOracle
from neuroflow.tuner.hypermodel import HyperModel
from neuroflow.tuner.hyperparameters import HyperParameters
from neuroflow.tuner.objective import Objective
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.random_search import RandomSearch, RandomSearchOracle
from neuroflow.tuner.trial import Trial, TrialStatus
from neuroflow.tuner.tuner import Tuner
