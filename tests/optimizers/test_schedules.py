import math

import numpy as np
import pytest

from neuroflow.optimizers import schedules


@pytest.mark.parametrize("staircase, step, expected", [
    (False, 0, 0.1), (False, 5, 0.1 * 0.5**0.5), (False, 20, 0.025), (True, 15, 0.05), (True, 20, 0.025)])
def test_exponential_decay(staircase, step, expected):
    schedule = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=staircase)
    assert schedule(step) == pytest.approx(expected, rel=1e-12)
    assert isinstance(schedule(step), float)


@pytest.mark.parametrize("staircase, step, expected", [
    (False, 0, 0.1), (False, 3, 0.1 / (1 + 0.5 * 1.5)), (True, 3, 0.1 / 1.5), (True, 4, 0.1 / 2)])
def test_inverse_time_decay(staircase, step, expected):
    schedule = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=staircase)
    assert schedule(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("step, expected", [(0, 1.0), (100, 1.0), (101, 0.5), (110, 0.5), (111, 0.1), (10**6, 0.1)])
def test_piecewise_constant_boundaries_belong_to_the_earlier_interval(step, expected):
    schedule = schedules.PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
    assert schedule(step) == expected


def test_piecewise_constant_checks_lengths():
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])


@pytest.mark.parametrize("step, expected", [
    (0, 0.1), (5, (0.1 - 0.01) * 0.5**2 + 0.01), (10, 0.01), (25, 0.01)])
def test_polynomial_decay(step, expected):
    schedule = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0)
    assert schedule(step) == pytest.approx(expected, rel=1e-12)


def test_polynomial_decay_cycle():
    schedule = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, cycle=True)
    # step 15: decay_steps becomes 20, so (1 - 15/20) * 0.1
    assert schedule(15) == pytest.approx(0.025)
    assert schedule(0) == pytest.approx(0.1)
    assert schedule(10) == pytest.approx(0.0)


@pytest.mark.parametrize("step, expected", [
    (0, 0.1), (50, 0.1 * (0.9 * 0.5 + 0.1)), (100, 0.1 * 0.1), (200, 0.1 * 0.1),
    (25, 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi / 4)) + 0.1))])
def test_cosine_decay(step, expected):
    assert schedules.CosineDecay(0.1, 100, alpha=0.1)(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("step, expected", [(0, 0.0), (5, 0.05), (10, 0.1), (60, 0.05), (110, 0.0), (500, 0.0)])
def test_cosine_decay_with_warmup(step, expected):
    schedule = schedules.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10)
    assert schedule(step) == pytest.approx(expected, abs=1e-12)


def test_cosine_decay_restarts():
    schedule = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    assert schedule(0) == pytest.approx(1.0)
    assert schedule(5) == pytest.approx(0.5)
    assert schedule(10) == pytest.approx(0.5)          # restart 1 starts at m_mul
    assert schedule(20) == pytest.approx(0.5 * 0.5)    # halfway through the 20-step second period
    assert schedules.CosineDecayRestarts(1.0, 10, t_mul=1.0)(15) == pytest.approx(0.5)


def test_bad_decay_steps():
    for cls in (schedules.ExponentialDecay, schedules.InverseTimeDecay):
        with pytest.raises(ValueError, match="decay_steps"):
            cls(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.CosineDecay(0.1, -1)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
    schedules.PiecewiseConstantDecay([10, 20], [0.3, 0.2, 0.1]),
    schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=0.5, cycle=True),
    schedules.CosineDecay(0.1, 100, alpha=0.2, warmup_target=0.5, warmup_steps=5),
    schedules.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.8, alpha=0.1),
])
def test_config_round_trip(schedule):
    serialized = schedules.serialize(schedule)
    assert serialized["class_name"] == type(schedule).__name__
    rebuilt = schedules.deserialize(serialized)
    assert rebuilt.get_config() == schedule.get_config()
    assert [rebuilt(s) for s in (0, 7, 33)] == [schedule(s) for s in (0, 7, 33)]


def test_unknown_schedule_name():
    with pytest.raises(ValueError, match="Did you mean 'CosineDecay'"):
        schedules.deserialize({"class_name": "CosinDecay", "config": {}})


def test_accepts_array_steps():
    assert schedules.ExponentialDecay(1.0, 1, 0.5)(np.int64(2)) == 0.25
