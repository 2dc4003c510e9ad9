"""row_starts: the flat start of each row, made once per shape and never writable."""
import numpy
import pytest

from neuroflow.ops import row_index
from neuroflow.ops.row_index import row_starts


def test_row_starts_pick_one_entry_per_row():
    array = numpy.arange(12.0).reshape(4, 3)
    columns = numpy.array([2, 0, 1, 2])
    picked = array.reshape(-1)[row_starts(4, 3) + columns]
    numpy.testing.assert_array_equal(picked, array[numpy.arange(4), columns])
    assert row_starts(4, 3).dtype == numpy.int64 and row_starts(0, 5).shape == (0,)


def test_row_starts_are_shared_per_shape_and_read_only():
    first = row_starts(7, 10)
    assert row_starts(7, 10) is first
    with pytest.raises(ValueError, match="read-only"):
        first += 1
    numpy.testing.assert_array_equal(row_starts(7, 10), numpy.arange(0, 70, 10))


def test_row_starts_cache_stays_small_under_many_shapes():
    for rows in range(1, 3 * row_index._MOST_SHAPES):
        numpy.testing.assert_array_equal(row_starts(rows, 4), numpy.arange(0, 4 * rows, 4))
    assert len(row_index._STARTS) <= row_index._MOST_SHAPES
