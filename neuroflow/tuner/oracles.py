"""`keras_tuner.oracles`: the oracles under the names KerasTuner exports them."""
from neuroflow.tuner.bayesian import BayesianOptimizationOracle
from neuroflow.tuner.grid_search import GridSearchOracle
from neuroflow.tuner.hyperband import HyperbandOracle
from neuroflow.tuner.random_search import RandomSearchOracle

__all__ = ["BayesianOptimizationOracle", "GridSearchOracle", "HyperbandOracle", "RandomSearchOracle"]
