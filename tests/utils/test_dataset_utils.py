"""pack_x_y_sample_weight / unpack_x_y_sample_weight / split_dataset."""
import numpy
import pytest

from neuroflow.utils import pack_x_y_sample_weight, split_dataset, unpack_x_y_sample_weight


def test_pack_and_unpack_are_inverse():
    x, y, w = numpy.ones(3), numpy.zeros(3), numpy.full(3, 2.0)
    assert pack_x_y_sample_weight(x) is x
    assert pack_x_y_sample_weight([x, x]) == ([x, x],)
    assert unpack_x_y_sample_weight(pack_x_y_sample_weight(x, y)) == (x, y, None)
    assert unpack_x_y_sample_weight(pack_x_y_sample_weight(x, y, w)) == (x, y, w)
    assert unpack_x_y_sample_weight(x) == (x, None, None)
    assert unpack_x_y_sample_weight([x]) == (x, None, None)
    with pytest.raises(ValueError, match="sample_weight"):
        unpack_x_y_sample_weight((x, y, w, w))


def test_split_arrays_fractions_and_counts():
    x = numpy.arange(10)
    left, right = split_dataset(x, left_size=0.8)
    numpy.testing.assert_array_equal(left, numpy.arange(8))
    numpy.testing.assert_array_equal(right, [8, 9])
    left, right = split_dataset(x, right_size=3)
    assert len(left) == 7 and len(right) == 3
    left, right = split_dataset(x)
    assert len(left) == len(right) == 5
    left, right = split_dataset(x, left_size=2, right_size=3)
    assert len(left) == 2 and len(right) == 3


def test_split_tuples_dicts_and_shuffle():
    x, y = numpy.arange(20).reshape(10, 2), numpy.arange(10)
    (lx, ly), (rx, ry) = split_dataset((x, y), left_size=0.6, shuffle=True, seed=2)
    assert lx.shape == (6, 2) and ry.shape == (4,)
    numpy.testing.assert_array_equal(lx[:, 0] // 2, ly)  # rows stay paired
    assert sorted(ly.tolist() + ry.tolist()) == list(range(10))
    left, right = split_dataset({"a": x, "b": y}, left_size=4)
    assert set(left) == {"a", "b"} and len(right["b"]) == 6
    samples = [(i, str(i)) for i in range(5)]
    left, right = split_dataset(samples, left_size=2)
    assert left == samples[:2] and right == samples[2:]


@pytest.mark.parametrize("kwargs, match", [
    ({"left_size": 1.5}, "left_size"),
    ({"right_size": 0}, "right_size"),
    ({"left_size": 8, "right_size": 5}, "greater than the total"),
])
def test_split_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        split_dataset(numpy.arange(10), **kwargs)
    with pytest.raises(TypeError, match="left_size"):
        split_dataset(numpy.arange(10), left_size="half")
    with pytest.raises(ValueError, match="same number of samples"):
        split_dataset((numpy.arange(3), numpy.arange(4)))
