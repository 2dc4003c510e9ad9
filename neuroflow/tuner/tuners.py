"""`keras_tuner.tuners`: the tuners under the names KerasTuner exports them."""
from neuroflow.tuner.bayesian import BayesianOptimization
from neuroflow.tuner.grid_search import GridSearch
from neuroflow.tuner.hyperband import Hyperband
from neuroflow.tuner.random_search import RandomSearch

__all__ = ["BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch"]
