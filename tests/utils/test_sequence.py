import numpy
import pytest

from neuroflow.utils import multi_hot_sequences, pad_sequences

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


def test_pad_sequences_keras_examples():
    pre = pad_sequences(SEQUENCES)
    numpy.testing.assert_array_equal(pre, [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    assert pre.dtype == numpy.int32
    numpy.testing.assert_array_equal(pad_sequences(SEQUENCES, value=-1), [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    numpy.testing.assert_array_equal(pad_sequences(SEQUENCES, padding="post"), [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    numpy.testing.assert_array_equal(pad_sequences(SEQUENCES, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    numpy.testing.assert_array_equal(
        pad_sequences(SEQUENCES, maxlen=2, truncating="post", padding="post"), [[1, 0], [2, 3], [4, 5]]
    )


def test_pad_sequences_dtypes_empty_and_sample_shapes():
    floats = pad_sequences([[0.5], []], maxlen=2, dtype="float32", value=-1.0)
    numpy.testing.assert_array_equal(floats, [[-1.0, 0.5], [-1.0, -1.0]])
    assert floats.dtype == numpy.float32
    vectors = pad_sequences([[[1, 2]], [[3, 4], [5, 6]]])
    assert vectors.shape == (2, 2, 2) and vectors[0].tolist() == [[0, 0], [1, 2]]
    words = pad_sequences([["a"], ["b", "c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["<pad>", "a"], ["b", "c"]]
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences([]).shape == (0, 0)
    # Works on what imdb.load_data returns: an object array of lists.
    ragged = numpy.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2, 3], [4]
    numpy.testing.assert_array_equal(pad_sequences(ragged, maxlen=2), [[2, 3], [0, 4]])


@pytest.mark.parametrize(
    "kwargs, message",
    [({"padding": "middle"}, "padding"), ({"truncating": "both"}, "truncating"),
     ({"maxlen": -1}, "maxlen"), ({"value": "x"}, "string padding value")],
)
def test_pad_sequences_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pad_sequences(SEQUENCES, **kwargs)


def test_pad_sequences_bad_items():
    with pytest.raises(ValueError, match="item 1"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="shape"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])


def test_multi_hot_sequences_worked_example():
    result = multi_hot_sequences([[1, 3, 3], [], [0]], num_tokens=5)
    numpy.testing.assert_array_equal(result, [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    assert result.dtype == numpy.float32
    assert multi_hot_sequences([[2]], 3, dtype="float64").dtype == numpy.float64


def test_multi_hot_sequences_matches_the_books_loop():
    rng = numpy.random.default_rng(0)
    sequences = [rng.integers(0, 50, rng.integers(0, 20)).tolist() for _ in range(30)]
    expected = numpy.zeros((30, 50))
    for i, sequence in enumerate(sequences):
        for j in sequence:
            expected[i, j] = 1.0
    numpy.testing.assert_array_equal(multi_hot_sequences(sequences, 50), expected)


def test_multi_hot_sequences_bad_tokens():
    with pytest.raises(ValueError, match="token 7 in sequence 1, outside 0..4"):
        multi_hot_sequences([[1], [2, 7]], num_tokens=5)
    with pytest.raises(ValueError, match="token -1"):
        multi_hot_sequences([[-1]], num_tokens=5)
    with pytest.raises(ValueError, match="num_tokens"):
        multi_hot_sequences([[1]], num_tokens=0)
