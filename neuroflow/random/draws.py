"""Keras' random draws (`keras.random.normal`, `uniform`, ...) on NumPy Generators.

Each draw takes `seed`: an int gives the same values every call, a `SeedGenerator` new values each
call (reproducible from its seed), None draws from neuroflow's global generator, which
`set_random_seed` seeds. The values are NumPy's: they cannot match JAX's or torch's bit for bit,
only in distribution. Every draw returns a Tensor of `dtype` (default `backend.floatx()`).
"""
import numbers

import numpy

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import noise as noise_ops
from neuroflow.random.seed_generator import draw_generator

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "draws with the host generator, then moves the values to the device once"


def _shape(shape, argument="shape"):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"`{argument}` must be a tuple of non-negative integers. Received: {argument}={shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"`{argument}` must be a tuple of non-negative integers. Received: {argument}={shape!r}")
    return shape


def _float_dtype(dtype, function):
    dtype = numpy.dtype(dtype or backend.floatx())
    if dtype.kind != "f":
        raise ValueError(f"`{function}` draws floats: `dtype` must be a float dtype. Received: dtype={dtype.name!r}")
    return dtype


def _tensor(values, dtype):
    return Tensor(backend.xp.asarray(numpy.asarray(values).astype(dtype, copy=False)))


def _value(x):
    """A NumPy array of `x` (a Tensor, an array, a Python value)."""
    return backend.to_numpy(x.value if isinstance(x, Tensor) else x)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution N(mean, stddev^2)."""
    dtype = _float_dtype(dtype, "normal")
    return _tensor(draw_generator(seed).normal(_value(mean), _value(stddev), size=_shape(shape)), dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from [minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    return _tensor(draw_generator(seed).uniform(_value(minval), _value(maxval), size=_shape(shape)), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2), each value beyond two standard deviations drawn again."""
    dtype = _float_dtype(dtype, "truncated_normal")
    generator = draw_generator(seed)
    values = generator.normal(size=_shape(shape))
    outside = numpy.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.normal(size=int(outside.sum()))
        outside = numpy.abs(values) > 2.0
    return _tensor(values * _value(stddev) + _value(mean), dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Samples integers uniformly from [minval, maxval)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind not in "iu":
        raise ValueError(f"`randint` draws integers: `dtype` must be an integer dtype. Received: dtype={dtype.name!r}")
    return _tensor(draw_generator(seed).integers(_value(minval), _value(maxval), size=_shape(shape)), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draws `num_samples` class indices per row of `logits` (batch_size, num_classes).

    Returns:
        An integer Tensor of shape (batch_size, num_samples).
    """
    logits = numpy.asarray(_value(logits), dtype="float64")
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits.shape={logits.shape}")
    # The Gumbel-max trick: argmax(logits + Gumbel noise) is a draw from softmax(logits).
    gumbel = draw_generator(seed).gumbel(size=(logits.shape[0], int(num_samples), logits.shape[1]))
    return _tensor(numpy.argmax(logits[:, None, :] + gumbel, axis=-1), numpy.dtype(dtype))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from a Gamma(alpha, 1) distribution."""
    dtype = _float_dtype(dtype, "gamma")
    return _tensor(draw_generator(seed).gamma(_value(alpha), 1.0, size=_shape(shape)), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples the number of successes of `counts` trials of success probability `probabilities`."""
    dtype = _float_dtype(dtype, "binomial")
    counts = numpy.asarray(_value(counts)).astype("int64")
    return _tensor(draw_generator(seed).binomial(counts, _value(probabilities), size=_shape(shape)), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from a Beta(alpha, beta) distribution, in [0, 1]."""
    dtype = _float_dtype(dtype, "beta")
    return _tensor(draw_generator(seed).beta(_value(alpha), _value(beta), size=_shape(shape)), dtype)


def shuffle(x, axis=0, seed=None):
    """`x` with its entries along `axis` in a random order."""
    values = _value(x)
    order = draw_generator(seed).permutation(values.shape[axis])
    return Tensor(backend.xp.asarray(numpy.take(values, order, axis=axis)))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each entry of `inputs` with probability `rate` and scales the rest by 1 / (1 - rate).

    Differentiable in `inputs` (the gradient is the mask; none flows through the mask itself).

    Args:
        inputs: a Tensor, array or placeholder.
        rate: the drop probability, in [0, 1).
        noise_shape: the mask's shape, broadcast against `inputs`; None entries take `inputs`' size.
        seed: an int, a `SeedGenerator` or None.
    """
    if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"`rate` must be a float in the range [0, 1). Received: rate={rate!r}")
    if isinstance(inputs, (list, tuple, numbers.Number)):
        inputs = numpy.asarray(inputs, dtype=backend.floatx())
    if noise_shape is not None:
        noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
    return noise_ops.dropout(inputs, rate=float(rate), noise_shape=noise_shape, generator=draw_generator(seed))
