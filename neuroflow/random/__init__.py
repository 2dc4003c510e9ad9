"""Keras' `keras.random`: seeded draws and `SeedGenerator`, plus neuroflow's one seeded generator.

`set_random_seed`, `generator` and `make_seed` (neuroflow/seeding.py) are the generator that
initializers, dropout layers and data shuffling draw from; the draws below take Keras' `seed`.
"""
from neuroflow.random.draws import (
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from neuroflow.random.seed_generator import SeedGenerator, draw_generator
from neuroflow.seeding import generator, make_seed, set_random_seed

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "draw_generator", "dropout", "gamma", "generator",
           "make_seed", "normal", "randint", "set_random_seed", "shuffle", "truncated_normal", "uniform"]
