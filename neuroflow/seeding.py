"""One seeded generator for everything random in neuroflow: initializers, dropout, shuffling.

This module sits on the floor of `backend`; `neuroflow.random` (Keras' `keras.random`) builds its
draws and `SeedGenerator` on it, above the engine.

`set_random_seed(s)` reseeds it (and Python's and NumPy's global generators, as Keras does), so
the same seed gives bit-identical weights and training histories.
"""
import random as _python_random

import numpy

HOST_NUMPY = "the one seeded NumPy generator lives on the host"  # numpy here works on host data (tests/test_backend_seam.py)

_generator = numpy.random.default_rng()


def set_random_seed(seed):
    """Seeds neuroflow's generator and Python's and NumPy's global ones.

    Args:
        seed: a non-negative integer.
    """
    global _generator
    if not isinstance(seed, (int, numpy.integer)) or seed < 0:
        raise ValueError(f"set_random_seed expects a non-negative integer, got {seed!r}")
    seed = int(seed)
    _generator = numpy.random.default_rng(seed)
    _python_random.seed(seed)
    numpy.random.seed(seed % (2**32))


def generator(seed=None):
    """The package generator, or a fresh one made from `seed` when a seed is given."""
    if seed is None:
        return _generator
    return numpy.random.default_rng(seed)


def make_seed():
    """Draws an integer from the package generator, to seed a component that owns its own stream."""
    return int(_generator.integers(0, 2**31 - 1))
