"""The hyperparameter types: their values, KerasTuner's prob <-> value maps, and the sampling distributions."""
import math

import numpy
import pytest

from neuroflow.tuner import hyperparameter as hp_types

DRAWS = 20000


def _draws(hyperparameter, count=DRAWS, seed=0):
    generator = numpy.random.default_rng(seed)
    return numpy.array([hyperparameter.random_sample(generator) for _ in range(count)])


def _assert_uniform(samples, low, high):
    """Deciles of `samples` match those of U(low, high) within the sampling error of 20000 draws."""
    expected = low + (high - low) * numpy.linspace(0.1, 0.9, 9)
    assert numpy.allclose(numpy.quantile(samples, numpy.linspace(0.1, 0.9, 9)), expected, atol=0.015 * (high - low))


def test_linear_float_is_uniform_on_its_range():
    samples = _draws(hp_types.Float("x", -2.0, 6.0))
    assert samples.min() >= -2.0 and samples.max() <= 6.0
    _assert_uniform(samples, -2.0, 6.0)


def test_log_float_is_uniform_in_the_logarithm():
    samples = _draws(hp_types.Float("lr", 1e-4, 1e-1, sampling="log"))
    assert samples.min() >= 1e-4 and samples.max() <= 1e-1
    _assert_uniform(numpy.log10(samples), -4.0, -1.0)
    # A linear draw would put 90% of the mass above 1e-2; the log draw puts a third there.
    assert abs(numpy.mean(samples > 1e-2) - 1 / 3) < 0.015


def test_reverse_log_float_crowds_the_top_of_the_range():
    low, high = 0.001, 0.999
    samples = _draws(hp_types.Float("momentum", low, high, sampling="reverse_log"))
    # KerasTuner's map: value = max + min - min * (max / min) ** (1 - prob), so max + min - value is log-uniform.
    _assert_uniform(numpy.log(high + low - samples), math.log(low), math.log(high))
    assert numpy.median(samples) > 0.9


def test_int_without_step_takes_every_integer_equally_often_max_included():
    samples = _draws(hp_types.Int("n", 3, 7))
    counts = numpy.bincount(samples.astype(int), minlength=8)[3:]
    assert counts.sum() == DRAWS and numpy.allclose(counts / DRAWS, 0.2, atol=0.015)


def test_log_int_without_step_is_uniform_in_the_logarithm():
    samples = _draws(hp_types.Int("units", 1, 63, sampling="log"))
    assert samples.min() >= 1 and samples.max() <= 63
    # Drawn log-uniformly on [1, 64) and truncated: each octave [2**k, 2**(k+1)) gets a sixth of the draws.
    octaves = numpy.bincount(numpy.floor(numpy.log2(samples)).astype(int), minlength=6)
    assert numpy.allclose(octaves / DRAWS, 1 / 6, atol=0.015)


def test_int_values_with_steps_match_keras_tuner_examples():
    assert hp_types.Int("n", 6, 12).values == (6, 7, 8, 9, 10, 11, 12)
    assert hp_types.Int("n", 6, 13, step=3).values == (6, 9, 12)
    assert hp_types.Int("batch", 2, 32, step=2, sampling="log").values == (2, 4, 8, 16, 32)
    assert hp_types.Float("d", 0, 1, step=0.2).values == pytest.approx((0, 0.2, 0.4, 0.6, 0.8, 1.0))
    assert hp_types.Float("lr", 0.001, 10, step=10, sampling="log").values == pytest.approx((0.001, 0.01, 0.1, 1, 10))


def test_stepped_draws_are_uniform_over_the_steps():
    hyperparameter = hp_types.Int("batch", 2, 32, step=2, sampling="log")
    samples = _draws(hyperparameter)
    values, counts = numpy.unique(samples, return_counts=True)
    assert values.tolist() == [2, 4, 8, 16, 32]
    assert numpy.allclose(counts / DRAWS, 0.2, atol=0.015)


def test_float_without_step_offers_ten_values_to_a_grid():
    values = hp_types.Float("x", 0.0, 1.0).values
    assert values == pytest.approx([0.05 + 0.1 * i for i in range(10)])


def test_choice_and_boolean_draws_are_uniform():
    samples = _draws(hp_types.Choice("act", ["relu", "tanh", "sigmoid"]))
    for value in ("relu", "tanh", "sigmoid"):
        assert abs(numpy.mean(samples == value) - 1 / 3) < 0.015
    assert abs(numpy.mean(_draws(hp_types.Boolean("flag"))) - 0.5) < 0.015
    assert set(_draws(hp_types.Fixed("f", 7), count=10)) == {7}


@pytest.mark.parametrize("hyperparameter, value", [
    (hp_types.Float("x", -1, 3), 0.7),
    (hp_types.Float("lr", 1e-5, 1e-1, sampling="log"), 3e-3),
    (hp_types.Float("m", 0.1, 0.99, sampling="reverse_log"), 0.9),
    (hp_types.Int("u", 16, 512, step=16), 128),
    (hp_types.Int("u", 2, 64, step=2, sampling="log"), 16),
    (hp_types.Int("n", 1, 10), 4),
    (hp_types.Choice("c", [0.1, 0.5, 0.9]), 0.5),
    (hp_types.Boolean("b"), True),
])
def test_value_to_prob_inverts_prob_to_value(hyperparameter, value):
    prob = hyperparameter.value_to_prob(value)
    assert 0.0 <= prob < 1.0
    assert hyperparameter.prob_to_value(prob) == pytest.approx(value)


def test_defaults_follow_keras_tuner():
    assert hp_types.Int("n", 3, 9).default == 3
    assert hp_types.Float("x", 0.5, 2).default == 0.5
    assert hp_types.Choice("c", ["a", "b"]).default == "a"
    assert hp_types.Boolean("b").default is False
    assert hp_types.Choice("c", [1, 2]).ordered and not hp_types.Choice("c", ["a", "b"]).ordered


@pytest.mark.parametrize("make, message", [
    (lambda: hp_types.Int("n", 5, 1), "min_value 5 is greater than max_value 1"),
    (lambda: hp_types.Float("lr", 0.0, 1.0, sampling="log"), "needs min_value > 0"),
    (lambda: hp_types.Float("x", 0.0, 1.0, sampling="cubic"), "sampling must be one of"),
    (lambda: hp_types.Int("n", 1, 32, step=1, sampling="log"), "must be > 1"),
    (lambda: hp_types.Int("n", 1.5, 3), "min_value must be an integer"),
    (lambda: hp_types.Choice("c", []), "non-empty"),
    (lambda: hp_types.Choice("c", [1, 2], default=3), "default must be one of the values"),
])
def test_bad_arguments_are_refused_naming_the_hyperparameter(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_mixed_choice_types_are_refused():
    with pytest.raises(TypeError, match="one type"):
        hp_types.Choice("c", [1, "a"])


@pytest.mark.parametrize("hyperparameter", [
    hp_types.Int("u", 16, 512, step=16, default=64), hp_types.Float("lr", 1e-4, 1e-1, sampling="log"),
    hp_types.Choice("c", ["a", "b"], default="b"), hp_types.Boolean("b", default=True), hp_types.Fixed("f", "x"),
])
def test_config_round_trip(hyperparameter):
    restored = hp_types.deserialize(hp_types.serialize(hyperparameter))
    assert type(restored) is type(hyperparameter) and restored.get_config() == hyperparameter.get_config()
    assert restored.default == hyperparameter.default
