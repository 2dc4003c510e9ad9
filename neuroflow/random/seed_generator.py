"""`SeedGenerator`: a seed state held in a Variable, as Keras' `keras.random.SeedGenerator`.

Keras' random draws are stateless: the same integer seed gives the same values. A SeedGenerator
turns that into a stream: each `next()` returns its state `[seed, counter]` and advances the
counter, so passing it as `seed=` gives new values at every call, reproducibly from its seed.
Its state is a non-trainable Variable: a layer holding the generator lists it in `variables`, and
assigning a saved state back replays the same draws.

neuroflow's built-in layers (Dropout, noise, augmentation) draw from `rng`, a NumPy Generator seeded
once from the same seed: one stream per layer without a new Generator per step (the training path).
"""
import numbers

import numpy

from neuroflow import backend, seeding
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.utils.naming import unique_name

HOST_NUMPY = "the seed state and its NumPy stream live on the host"  # numpy here works on host data (tests/test_backend_seam.py)


class SeedGenerator:
    """A stateful source of seeds for `neuroflow.random` draws.

    Args:
        seed: an int, or None for one drawn from neuroflow's generator (reproducible under
            `set_random_seed`).
        name: a readable name (default an automatic `seed_generator_N`).

    Example:
        ```python
        gen = SeedGenerator(seed=42)
        a = neuroflow.random.normal((2, 3), seed=gen)
        b = neuroflow.random.normal((2, 3), seed=gen)   # different from a
        ```
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras' alternative-backend hook: neuroflow has one array backend
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.name = name or unique_name("seed_generator")
        self._initial_seed = seed
        self.seed = seed
        value = seeding.make_seed() if seed is None else int(seed)
        self.state = SeedState(numpy.array([value, 0], dtype="int64"))
        self.state.path = f"{self.name}/seed_generator_state"
        self.rng = numpy.random.default_rng(value)

    def next(self, ordered=True):
        """Returns the current state (a copy, an array of the backend) and advances it.

        Args:
            ordered: True (default) counts the second entry up by one; False scrambles both entries
                as Keras does ((state + 1) * 5387 % 933199).
        """
        return backend.to_device(self.next_on_host(ordered))

    def next_on_host(self, ordered=True):
        """`next()` as a NumPy array: the state the host's generators seed from, without reading the device."""
        current = self.state.host_value()
        self.state.assign(current + numpy.array([0, 1], dtype=current.dtype) if ordered else (current + 1) * 5387 % 933199)
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}, state={self.state.host_value().tolist()}>"


class SeedState(Variable):
    """A SeedGenerator's state: a non-trainable int64 Variable [seed, counter], with a host copy.

    Every draw seeds a NumPy generator from the state, on the host. On a device, reading the state
    back at each draw would make the host wait for the device; instead `assign` keeps the host copy
    of what it writes (a host value; a device value is read back once, at the next draw). Code that
    writes `state.value` in place, bypassing `assign`, must call `assign` instead.
    """

    __slots__ = ("_host",)

    def __init__(self, value):
        super().__init__(value, dtype="int64", trainable=False, name="seed_generator_state")
        self._host = numpy.array(value, dtype="int64")

    def assign(self, value):
        super().assign(value)
        host = value.value if isinstance(value, Tensor) else value
        self._host = numpy.array(host, dtype="int64").reshape(self.shape) if isinstance(host, numpy.ndarray) else None
        return self

    def assign_add(self, delta):
        self._host = None
        return super().assign_add(delta)

    def assign_sub(self, delta):
        self._host = None
        return super().assign_sub(delta)

    def host_value(self):
        """The state as a NumPy array (a copy), read from the device only after a device value was assigned."""
        if self._host is None:
            self._host = backend.to_numpy(self.value).astype("int64")
        return self._host.copy()


def draw_generator(seed):
    """A NumPy Generator for one draw: fixed for an int seed, the next of a SeedGenerator's, or
    neuroflow's global one for None.

    Raises:
        ValueError: for any other seed.
    """
    if seed is None:
        return seeding.generator()
    if isinstance(seed, SeedGenerator):
        return numpy.random.default_rng([int(v) % 2**63 for v in seed.next_on_host()])
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return numpy.random.default_rng(int(seed) % 2**63)
    raise ValueError("Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
                     f"Received: seed={seed!r} (of type {type(seed)})")
