"""neuroflow.random's draws: distributions (moments, ranges), shapes, dtypes, seeding, dropout."""
import numpy as np
import pytest

import neuroflow as nf
from neuroflow import random
from neuroflow.engine import GradientTape, Tensor, Variable
from neuroflow.testing import check_gradients

N = 20000


def _values(tensor):
    assert isinstance(tensor, Tensor)
    return tensor.numpy()


def test_normal_moments_shape_dtype():
    values = _values(random.normal((N,), mean=2.0, stddev=3.0, seed=1))
    assert values.shape == (N,) and values.dtype == np.float32
    assert abs(values.mean() - 2.0) < 0.1 and abs(values.std() - 3.0) < 0.1


def test_uniform_range_and_mean():
    values = _values(random.uniform((100, 200), minval=-1.0, maxval=3.0, seed=2))
    assert values.shape == (100, 200)
    assert values.min() >= -1.0 and values.max() < 3.0 and abs(values.mean() - 1.0) < 0.05


def test_truncated_normal_within_two_stddev():
    values = _values(random.truncated_normal((N,), mean=1.0, stddev=0.5, seed=3))
    assert np.all(np.abs(values - 1.0) <= 1.0 + 1e-6)
    assert abs(values.mean() - 1.0) < 0.02
    # the standard deviation of N(0, 1) truncated to [-2, 2] is about 0.88
    assert abs(values.std() / 0.5 - 0.88) < 0.02


def test_randint_range_and_dtype():
    values = _values(random.randint((N,), minval=3, maxval=7, seed=4))
    assert values.dtype == np.int32 and set(np.unique(values)) == {3, 4, 5, 6}
    assert _values(random.randint((2,), 0, 5, dtype="int64", seed=4)).dtype == np.int64


def test_categorical_follows_logits():
    logits = np.log([[0.1, 0.9], [0.7, 0.3]])
    samples = _values(random.categorical(logits, 5000, seed=5))
    assert samples.shape == (2, 5000) and samples.dtype == np.int32
    assert abs(samples[0].mean() - 0.9) < 0.03 and abs(samples[1].mean() - 0.3) < 0.03


def test_gamma_beta_binomial_moments():
    gamma = _values(random.gamma((N,), alpha=3.0, seed=6))
    assert abs(gamma.mean() - 3.0) < 0.1 and abs(gamma.var() - 3.0) < 0.2
    beta = _values(random.beta((N,), alpha=2.0, beta=6.0, seed=7))
    assert beta.min() >= 0 and beta.max() <= 1 and abs(beta.mean() - 0.25) < 0.01
    binomial = _values(random.binomial((N,), counts=10, probabilities=0.3, seed=8))
    assert binomial.dtype == np.float32 and abs(binomial.mean() - 3.0) < 0.05
    assert set(np.unique(binomial)) <= set(range(11))


def test_dtype_follows_floatx_and_argument(float64):
    assert random.normal((2,), seed=1).dtype == "float64"
    assert random.uniform((2,), dtype="float16", seed=1).dtype == "float16"


def test_int_seed_is_deterministic_none_follows_global_seed():
    np.testing.assert_array_equal(_values(random.normal((5,), seed=9)), _values(random.normal((5,), seed=9)))
    assert not np.array_equal(_values(random.normal((5,))), _values(random.normal((5,))))
    nf.set_random_seed(3)
    first = _values(random.uniform((5,)))
    nf.set_random_seed(3)
    np.testing.assert_array_equal(first, _values(random.uniform((5,))))


def test_shuffle_permutes_along_axis():
    x = np.arange(12).reshape(3, 4)
    rows = _values(random.shuffle(x, seed=1))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    columns = _values(random.shuffle(x, axis=1, seed=2))
    order = columns[0]
    assert sorted(order) == [0, 1, 2, 3]
    np.testing.assert_array_equal(columns, x[:, order])  # one permutation of the columns for every row


def test_dropout_rate_and_scaling():
    values = _values(random.dropout(np.ones((N,), "float32"), rate=0.25, seed=1))
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.02
    assert values.dtype == np.float32


def test_dropout_noise_shape_with_none():
    values = _values(random.dropout(np.ones((4, 6, 3), "float32"), rate=0.5, noise_shape=(None, 1, 3), seed=2))
    assert values.shape == (4, 6, 3)
    assert np.all(values == values[:, :1, :])


def test_dropout_gradient_is_the_mask():
    check_gradients(lambda x: random.dropout(x, rate=0.4, seed=11), np.random.default_rng(0).normal(size=(3, 5)))
    x = Variable(np.ones((4, 4)))
    with GradientTape() as tape:
        y = random.dropout(x, 0.5, seed=3)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), y.numpy())


def test_dropout_on_placeholder():
    x = nf.Input((5, 2))
    y = random.dropout(x, 0.3, noise_shape=(None, 1, 2))
    assert y.shape == (None, 5, 2)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="`rate` must be a float in the range"):
        random.dropout(np.ones(3), rate=1.0)
    with pytest.raises(ValueError, match="`seed` must be either an integer or an instance of `SeedGenerator`"):
        random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="`shape` must be a tuple"):
        random.normal((2, None))
    with pytest.raises(ValueError, match="`dtype` must be a float dtype"):
        random.normal((2,), dtype="int32")
    with pytest.raises(ValueError, match="`dtype` must be an integer dtype"):
        random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="`logits` should be a 2-D tensor"):
        random.categorical([0.5, 0.5], 3)
