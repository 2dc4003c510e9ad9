"""One seeded generator for everything random in neuroflow: initializers, dropout, shuffling.

This module sits on the floor of `backend`; `neuroflow.random` (Keras' `keras.random`) builds its
draws and `SeedGenerator` on it, above the engine.

`set_random_seed(s)` reseeds it (and Python's and NumPy's global generators, as Keras does), so
the same seed gives bit-identical weights and training histories.

`thread_generator(seed)` gives the calling thread a generator of its own for a while: the tuner runs
each trial under one seeded by the search seed and the trial id, so trials running side by side in
threads (a thread pool, Dask workers in one process) draw the same numbers as they would alone.
"""
import contextlib
import random as _python_random
import threading

import numpy

HOST_NUMPY = "the one seeded NumPy generator lives on the host"  # numpy here works on host data (tests/test_backend_seam.py)

_generator = numpy.random.default_rng()
# The generators that threads inside `thread_generator` use instead of `_generator`.
_thread_state = threading.local()


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
    """The package generator (this thread's, inside `thread_generator`), or a fresh one made from `seed`."""
    if seed is None:
        return getattr(_thread_state, "generator", None) or _generator
    return numpy.random.default_rng(seed)


def make_seed():
    """Draws an integer from the package generator, to seed a component that owns its own stream."""
    return int(generator().integers(0, 2**31 - 1))


@contextlib.contextmanager
def thread_generator(seed):
    """Within the block, neuroflow's draws in this thread come from a generator made from `seed`.

    Other threads, and this one after the block, keep the package generator; Python's and NumPy's global
    generators are not touched.

    Args:
        seed: anything `numpy.random.default_rng` takes (an integer, a `SeedSequence`).
    """
    previous = getattr(_thread_state, "generator", None)
    _thread_state.generator = numpy.random.default_rng(seed)
    try:
        yield _thread_state.generator
    finally:
        _thread_state.generator = previous
