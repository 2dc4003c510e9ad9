import math

import numpy as np
import pytest

import neuroflow
from neuroflow import backend, initializers
from neuroflow.engine import Variable
from neuroflow.random import SeedGenerator

SHAPE = (400, 500)   # 200k samples: the mean is within ~3e-3 stddev, the stddev within ~0.5%


@pytest.fixture(autouse=True)
def _on_numpy():
    """These tests check the formulas on host arrays against NumPy references, whatever NEUROFLOW_BACKEND
    says; on a device the same code runs inside every model's build (tests/training/test_on_device.py)."""
    previous = backend.backend()
    backend.set_backend("numpy")
    yield
    backend.set_backend(previous)


def test_constants():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.get("ones")((2,)), [1.0, 1.0])
    np.testing.assert_array_equal(initializers.Constant(3.5)((2, 2)), np.full((2, 2), 3.5))
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((2, 2)), [[1.0, 2.0], [1.0, 2.0]])
    assert initializers.Zeros()((2,)).dtype == np.float32
    assert initializers.Ones()((2,), dtype="float64").dtype == np.float64


def test_identity():
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((3, 3)), 2 * np.eye(3))
    np.testing.assert_array_equal(initializers.get("identity")((2, 3)), np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def check_moments(values, mean, stddev):
    values = np.asarray(values, dtype=np.float64)
    assert abs(values.mean() - mean) < 0.01 * stddev + 4 * stddev / math.sqrt(values.size)
    assert values.std() == pytest.approx(stddev, rel=0.01)


def test_random_normal_defaults_and_statistics():
    initializer = initializers.RandomNormal(seed=1)
    assert (initializer.mean, initializer.stddev) == (0.0, 0.05)
    check_moments(initializer(SHAPE), 0.0, 0.05)
    check_moments(initializers.RandomNormal(mean=3.0, stddev=2.0, seed=2)(SHAPE), 3.0, 2.0)


def test_random_uniform_defaults_and_bounds():
    values = initializers.RandomUniform(seed=1)(SHAPE)
    assert values.min() >= -0.05 and values.max() < 0.05
    check_moments(values, 0.0, 0.1 / math.sqrt(12))


def test_truncated_normal_stays_within_two_stddev():
    values = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=1)(SHAPE)
    assert values.min() >= 0.0 and values.max() <= 2.0
    check_moments(values, 1.0, 0.5 * 0.87962566103423978)   # a truncated normal's stddev


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", math.sqrt(6 / (400 + 500))), ("he_uniform", math.sqrt(6 / 400)),
    ("lecun_uniform", math.sqrt(3 / 400))])
def test_uniform_variance_scaling_limits(name, limit):
    values = initializers.get(name)(SHAPE)
    assert values.min() >= -limit and values.max() <= limit
    assert values.max() > 0.99 * limit and values.min() < -0.99 * limit
    check_moments(values, 0.0, limit / math.sqrt(3))


@pytest.mark.parametrize("name, stddev", [
    ("glorot_normal", math.sqrt(2 / (400 + 500))), ("he_normal", math.sqrt(2 / 400)),
    ("lecun_normal", math.sqrt(1 / 400))])
def test_normal_variance_scaling_has_the_target_stddev_after_truncation(name, stddev):
    values = initializers.get(name)(SHAPE)
    check_moments(values, 0.0, stddev)
    # truncated at 2 stddev of the un-truncated normal: stddev / 0.8796...
    assert np.abs(values).max() <= 2 * stddev / 0.87962566103423978


def test_variance_scaling_fans_for_conv_kernels():
    # Conv2D kernel (3, 3, 16, 32): fan_in = 9 * 16, fan_out = 9 * 32.
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans(()) == (1, 1)
    values = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal",
                                          seed=3)((3, 3, 64, 128))
    check_moments(values, 0.0, math.sqrt(2.0 / (9 * 128)))
    values = initializers.VarianceScaling(mode="fan_avg", distribution="uniform", seed=3)((5, 5, 40, 60))
    assert np.abs(values).max() <= math.sqrt(3.0 / (25 * 50))


def test_variance_scaling_validates():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 3, 2, 5)])
def test_orthogonal(shape):
    values = np.asarray(initializers.Orthogonal(gain=1.5, seed=0)(shape), dtype=np.float64)
    assert values.shape == shape
    flat = values.reshape(-1, shape[-1]) / 1.5
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, np.eye(flat.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(flat.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((3,))


def test_seeded_initializer_repeats_and_different_seeds_differ():
    first = initializers.GlorotUniform(seed=7)((20, 30))
    np.testing.assert_array_equal(first, initializers.GlorotUniform(seed=7)((20, 30)))
    np.testing.assert_array_equal(first, initializers.GlorotUniform(seed=7)((20, 30)))
    assert not np.array_equal(first, initializers.GlorotUniform(seed=8)((20, 30)))


def test_unseeded_initializers_follow_set_random_seed():
    neuroflow.set_random_seed(123)
    first = [initializers.get(name)((10, 10)) for name in ("glorot_uniform", "he_normal", "orthogonal")]
    neuroflow.set_random_seed(123)
    second = [initializers.get(name)((10, 10)) for name in ("glorot_uniform", "he_normal", "orthogonal")]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # Two fresh unseeded initializers draw different seeds.
    assert not np.array_equal(initializers.RandomNormal()((10,)), initializers.RandomNormal()((10,)))


def test_seed_generator_gives_new_values_each_call():
    initializer = initializers.RandomNormal(seed=SeedGenerator(5))
    assert not np.array_equal(initializer((10,)), initializer((10,)))
    again = initializers.RandomNormal(seed=SeedGenerator(5))
    np.testing.assert_array_equal(again((10,)), initializers.RandomNormal(seed=SeedGenerator(5))((10,)))


def test_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="lucky")


@pytest.mark.parametrize("name, cls", [("glorot_uniform", "GlorotUniform"), ("GlorotUniform", "GlorotUniform"),
                                       ("he_normal", "HeNormal"), ("zeros", "Zeros"), ("uniform", "RandomUniform"),
                                       ("truncated_normal", "TruncatedNormal"), ("Orthogonal", "Orthogonal")])
def test_get_by_name(name, cls):
    assert type(initializers.get(name)).__name__ == cls


def test_get_other_identifiers():
    instance = initializers.Ones()
    assert initializers.get(instance) is instance
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeUniform), initializers.HeUniform)

    def custom(shape, dtype=None):
        return np.full(shape, 4.0, dtype=dtype)

    assert initializers.get(custom) is custom
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="initializer identifier"):
        initializers.get(5)


@pytest.mark.parametrize("initializer", [
    initializers.Zeros(), initializers.Constant(2.5), initializers.Identity(gain=3.0),
    initializers.RandomNormal(mean=1.0, stddev=2.0, seed=4), initializers.RandomUniform(-1.0, 2.0, seed=4),
    initializers.TruncatedNormal(stddev=0.3, seed=4),
    initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=4),
    initializers.GlorotNormal(seed=4), initializers.HeUniform(seed=4), initializers.LecunNormal(seed=4),
    initializers.Orthogonal(gain=0.5, seed=4)])
def test_config_round_trip(initializer):
    rebuilt = initializers.deserialize(initializers.serialize(initializer))
    assert type(rebuilt) is type(initializer) and rebuilt.get_config() == initializer.get_config()
    np.testing.assert_array_equal(rebuilt((4, 4)), initializer((4, 4)))


def test_variable_accepts_initializer_names():
    variable = Variable("he_uniform", shape=(8, 4))
    assert variable.shape == (8, 4) and variable.dtype == "float32"
    assert np.abs(variable.numpy()).max() <= math.sqrt(6 / 8)


def test_fans_from_input_and_output_axes():
    assert initializers.compute_fans((2, 3, 4), input_axes=[0, 1], output_axes=[2]) == (6, 4)
    assert initializers.compute_fans((2, 3, 4)) == (6, 8)
    by_axes = np.asarray(initializers.GlorotUniform(seed=5, input_axes=[0, 1], output_axes=[2])((2, 3, 4), "float64"))
    default = np.asarray(initializers.GlorotUniform(seed=5)((2, 3, 4), "float64"))
    # Same draws, scaled by sqrt(fan_avg 7 / fan_avg 5).
    np.testing.assert_allclose(by_axes, default * np.sqrt(7 / 5), rtol=1e-12)
    config = initializers.HeNormal(seed=1, input_axes=[0], output_axes=[1, 2]).get_config()
    assert config == {"seed": 1, "input_axes": [0], "output_axes": [1, 2]}
    assert initializers.HeNormal(seed=1).get_config() == {"seed": 1}
    restored = initializers.deserialize(initializers.serialize(initializers.VarianceScaling(input_axes=[1], output_axes=[0], seed=2)))
    assert restored.input_axes == [1] and restored.output_axes == [0]
