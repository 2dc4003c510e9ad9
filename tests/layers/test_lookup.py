"""Vocabulary and encoding layers. Reference values marked "Keras 3.15" were produced by keras 3.15.1
(torch backend) for the same inputs; the lookup layers need TensorFlow in Keras, so their expected values
follow Keras' documented index layout and adapt ordering (index_lookup.py: lexsort by count, then token)."""
import numpy
import pytest

from neuroflow import layers, models

IDS = numpy.array([[0, 1], [0, 0], [1, 2], [3, 1]])


@pytest.mark.parametrize("mode, expected", [
    # keras.layers.CategoryEncoding(4, output_mode=mode)(IDS)
    ("multi_hot", [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]),
    ("count", [[1, 1, 0, 0], [2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]),
    ("one_hot", [[[1, 0, 0, 0], [0, 1, 0, 0]], [[1, 0, 0, 0], [1, 0, 0, 0]], [[0, 1, 0, 0], [0, 0, 1, 0]],
                 [[0, 0, 0, 1], [0, 1, 0, 0]]]),
])
def test_category_encoding_matches_keras(mode, expected):
    out = layers.CategoryEncoding(4, output_mode=mode)(IDS)
    assert out.dtype == "float32"
    numpy.testing.assert_array_equal(out.numpy(), expected)


def test_category_encoding_rank1_and_weights():
    # Keras 3.15: a rank-1 input is one sample for multi_hot / count; one_hot encodes each id.
    numpy.testing.assert_array_equal(layers.CategoryEncoding(4, "count")(numpy.array([3, 2, 3, 1])).numpy(),
                                     [0, 1, 1, 2])
    numpy.testing.assert_array_equal(layers.CategoryEncoding(4, "one_hot")(numpy.array([[3], [2]])).numpy(),
                                     [[0, 0, 0, 1], [0, 0, 1, 0]])
    weights = numpy.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]])
    out = layers.CategoryEncoding(4, output_mode="count")(IDS, count_weights=weights).numpy()
    # keras CategoryEncoding(4, "count")(IDS, count_weights=weights)
    numpy.testing.assert_allclose(out, [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]],
                                  rtol=1e-6)


def test_category_encoding_errors():
    with pytest.raises(ValueError, match="CategoryEncoding.*range"):
        layers.CategoryEncoding(4)(numpy.array([[5, 1]]))
    with pytest.raises(ValueError, match="sparse"):
        layers.CategoryEncoding(4, sparse=True)
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3)(numpy.array([[1]]), count_weights=numpy.array([[1.0]]))


def test_string_lookup_adapt_orders_by_count_then_descending_token():
    lookup = layers.StringLookup()
    lookup.adapt(numpy.array(["b", "a", "c", "a", "b", "d", "a"]))
    # a: 3, then b: 2, then the ties c, d by descending token: d before c.
    assert lookup.get_vocabulary() == ["[UNK]", "a", "b", "d", "c"]
    assert lookup.get_vocabulary(include_special_tokens=False) == ["a", "b", "d", "c"]
    assert lookup.vocabulary_size() == 5
    out = lookup([["a", "zebra"], ["c", "b"]])
    assert out.dtype == "int64"
    numpy.testing.assert_array_equal(out.numpy(), [[1, 0], [4, 2]])
    ties = layers.StringLookup(max_tokens=3)
    ties.adapt(["x", "y", "z", "y"])
    assert ties.get_vocabulary() == ["[UNK]", "y", "z"]   # max_tokens counts the OOV index


def test_string_lookup_mask_oov_and_modes():
    lookup = layers.StringLookup(mask_token="", vocabulary=["a", "b", "c"])
    assert lookup.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    numpy.testing.assert_array_equal(lookup([["a", "", "q"]]).numpy(), [[2, 0, 1]])
    # In the encoding modes the mask token has no index and is dropped.
    multi = layers.StringLookup(mask_token="", vocabulary=["a", "b", "c"], output_mode="multi_hot")
    assert multi.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    numpy.testing.assert_array_equal(multi([["a", "", "q", "a"], ["c", "c", "", ""]]).numpy(),
                                     [[1, 1, 0, 0], [0, 0, 0, 1]])
    count = layers.StringLookup(vocabulary=["a", "b"], output_mode="count", pad_to_max_tokens=True, max_tokens=5)
    numpy.testing.assert_array_equal(count([["a", "a", "z"]]).numpy(), [[1, 2, 0, 0, 0]])
    one_hot = layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    numpy.testing.assert_array_equal(one_hot(["b", "x"]).numpy(), [[0, 0, 1], [1, 0, 0]])
    strict = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    numpy.testing.assert_array_equal(strict(["a"]).numpy(), [0])
    with pytest.raises(ValueError, match="StringLookup.*num_oov_indices=0.*'b'"):
        strict(["a", "b"])


def test_string_lookup_invert_and_vocabulary_with_special_tokens():
    vocabulary = ["", "[UNK]", "a", "b"]
    lookup = layers.StringLookup(mask_token="", vocabulary=vocabulary)
    assert lookup.get_vocabulary() == vocabulary   # special tokens in front are recognized, not repeated
    inverse = layers.StringLookup(mask_token="", vocabulary=["a", "b"], invert=True)
    assert inverse(numpy.array([[2, 3, 1, 0, 9]])).tolist() == [["a", "b", "[UNK]", "", "[UNK]"]]


def test_string_lookup_tf_idf():
    lookup = layers.StringLookup(output_mode="tf_idf")
    lookup.adapt(numpy.array([["a", "b"], ["a", "c"], ["a", "a"]]))
    assert lookup.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    # idf = log(1 + documents / (1 + documents with the token)); OOV gets the mean idf.
    idf = numpy.log(1 + 3 / (1 + numpy.array([3.0, 1.0, 1.0])))
    expected_weights = numpy.concatenate([[idf.mean()], idf])
    out = lookup([["a", "a", "b", "z"]]).numpy()
    numpy.testing.assert_allclose(out, [[expected_weights[0], 2 * idf[0], 0, idf[2]]], rtol=1e-6)


def test_string_lookup_errors():
    with pytest.raises(NotImplementedError, match="num_oov_indices"):
        layers.StringLookup(num_oov_indices=2)
    with pytest.raises(ValueError, match="output_mode"):
        layers.StringLookup(output_mode="multi")
    with pytest.raises(ValueError, match="repeats"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="max_tokens"):
        layers.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(ValueError, match="adapt"):
        layers.StringLookup(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match="StringLookup.*adapt"):
        layers.StringLookup(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="IntegerLookup"):
        layers.StringLookup(vocabulary=["a"])(numpy.array([1, 2]))


def test_integer_lookup():
    lookup = layers.IntegerLookup()
    lookup.adapt(numpy.array([12, 36, 12, 1138, 36, 12, 7]))
    assert lookup.get_vocabulary() == [-1, 12, 36, 1138, 7]
    numpy.testing.assert_array_equal(lookup(numpy.array([[12, 1138], [42, 7]])).numpy(), [[1, 3], [0, 4]])
    # Several OOV indices: an unknown id goes to index id mod num_oov_indices (Keras' floormod).
    hashed = layers.IntegerLookup(vocabulary=[5, 6], num_oov_indices=3, mask_token=0)
    assert hashed.get_vocabulary() == [0, -1, -1, -1, 5, 6]
    numpy.testing.assert_array_equal(hashed(numpy.array([6, 0, 7, 9, 11])).numpy(), [5, 0, 2, 1, 3])
    inverse = layers.IntegerLookup(vocabulary=[5, 6], invert=True)
    numpy.testing.assert_array_equal(inverse(numpy.array([2, 1, 0, 8])).numpy(), [6, 5, -1, -1])
    multi = layers.IntegerLookup(vocabulary=[5, 6], output_mode="multi_hot")
    numpy.testing.assert_array_equal(multi(numpy.array([[5.0, 6.0], [9.0, 9.0]])).numpy(), [[0, 1, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="IntegerLookup.*integer"):
        multi(numpy.array([[0.5]]))


def test_lookups_as_first_layers_of_a_model_and_saved(tmp_path):
    ids = numpy.array([[3], [10], [3], [7], [99]])
    lookup = layers.IntegerLookup(output_mode="one_hot")
    lookup.adapt(ids[:4])
    inputs = layers.Input(shape=(1,), dtype="int64")
    encoded = lookup(inputs)
    outputs = layers.Dense(2)(encoded)
    model = models.Model(inputs, outputs)
    assert encoded.shape == (None, 4)
    # 3 (twice), then the ties 10 and 7 by descending value; 99 is OOV.
    assert lookup.get_vocabulary() == [-1, 3, 10, 7]
    numpy.testing.assert_array_equal(lookup(ids).numpy(), [[0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0],
                                                           [0, 0, 0, 1], [1, 0, 0, 0]])
    model.save(tmp_path / "m.nfz")
    loaded = models.load_model(tmp_path / "m.nfz")
    numpy.testing.assert_array_equal(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0))
    sequential = models.Sequential([layers.Input(shape=(2,)), layers.CategoryEncoding(5), layers.Dense(1)])
    sequential.compile(optimizer="sgd", loss="mse")
    sequential.fit(numpy.array([[0, 4], [1, 1]]), numpy.array([[1.0], [0.0]]), epochs=1, verbose=0)
    assert sequential.predict(numpy.array([[0, 4]]), verbose=0).shape == (1, 1)


@pytest.mark.parametrize("make", [
    lambda: layers.CategoryEncoding(6, output_mode="count"),
    lambda: layers.StringLookup(vocabulary=["x", "y"], mask_token="", output_mode="multi_hot"),
    lambda: layers.IntegerLookup(vocabulary=[4, 9], num_oov_indices=2),
    lambda: layers.StringLookup(vocabulary=["x", "y"], output_mode="tf_idf", idf_weights=[0.5, 0.25]),
    lambda: layers.TextVectorization(max_tokens=10, ngrams=2, vocabulary=["a", "b"], output_mode="count"),
    lambda: layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot"),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_adapted_state_survives_config():
    lookup = layers.StringLookup()
    lookup.adapt(["p", "q", "q"])
    clone = layers.StringLookup.from_config(lookup.get_config())
    assert clone.get_vocabulary() == ["[UNK]", "q", "p"]
    text = layers.TextVectorization()
    text.adapt(["Hello world", "hello"])
    assert layers.TextVectorization.from_config(text.get_config()).get_vocabulary() == \
        ["", "[UNK]", "hello", "world"]
    bins = layers.Discretization(num_bins=3)
    bins.adapt(numpy.arange(10.0))
    assert layers.Discretization.from_config(bins.get_config()).bin_boundaries == bins.bin_boundaries


def test_text_vectorization_int():
    text = layers.TextVectorization(output_sequence_length=6)
    text.adapt(["The cat sat.", "The dog, the CAT!", "a Bird"])
    # the: 3, cat: 2, then the count-1 tokens by descending token.
    assert text.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
    out = text(["the bird sat on the mat", "Cat"])
    assert out.dtype == "int64"
    numpy.testing.assert_array_equal(out.numpy(), [[2, 6, 4, 1, 2, 1], [3, 0, 0, 0, 0, 0]])
    ragged = layers.TextVectorization(vocabulary=["a", "b"])
    numpy.testing.assert_array_equal(ragged(numpy.array([["a b a"], ["b"]])).numpy(), [[2, 3, 2], [3, 0, 0]])
    limited = layers.TextVectorization(max_tokens=4)
    limited.adapt(["x y y z z z"])
    assert limited.get_vocabulary() == ["", "[UNK]", "z", "y"]


def test_text_vectorization_encodings_and_ngrams():
    text = layers.TextVectorization(output_mode="count", ngrams=2)
    text.adapt(["The cat sat.", "The dog, the CAT!"])
    assert text.get_vocabulary() == ["[UNK]", "the", "the cat", "cat", "the dog", "sat", "dog the", "dog",
                                     "cat sat"]
    numpy.testing.assert_array_equal(text(["the cat sat the", "x"]).numpy(),
                                     [[1, 2, 1, 1, 0, 1, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 0, 0]])
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=["a", "b"], pad_to_max_tokens=True,
                                     max_tokens=5, standardize=None, split="character")
    numpy.testing.assert_array_equal(multi(["aAb"]).numpy(), [[1, 1, 1, 0, 0]])
    with pytest.raises(ValueError, match="one_hot"):
        layers.TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="TextVectorization.*rank"):
        layers.TextVectorization(vocabulary=["a"])(numpy.array([["a", "b"]]))


def test_discretization_matches_keras():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = layer(numpy.array([[-1.5, 1.0, 2.0], [0.5, 0.0, 3.0]]))
    # keras Discretization(bin_boundaries=[0., 1., 2.]) -> int32 [[0, 2, 3], [1, 1, 3]]
    assert out.dtype == "int32"
    numpy.testing.assert_array_equal(out.numpy(), [[0, 2, 3], [1, 1, 3]])
    # keras Discretization(bin_boundaries=[0., 1.], output_mode=...)([[-1., 0.5, 2.0, 0.7]])
    x = numpy.array([[-1.0, 0.5, 2.0, 0.7]])
    numpy.testing.assert_array_equal(layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")(x).numpy(),
                                     [[1, 2, 1]])
    numpy.testing.assert_array_equal(
        layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="multi_hot")(x).numpy(), [[1, 1, 1]])
    numpy.testing.assert_array_equal(
        layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")(numpy.array([-1.0, 0.5])).numpy(),
        [[1, 0, 0], [0, 1, 0]])


def test_discretization_adapt_matches_keras_quantiles():
    # Keras 3.15 Discretization(num_bins=...) update_state + finalize_state on the same data.
    layer = layers.Discretization(num_bins=3)
    layer.adapt(numpy.arange(10.0))
    numpy.testing.assert_allclose(layer.bin_boundaries, [2.3333332538604736, 5.666666507720947])
    layer = layers.Discretization(num_bins=4)
    layer.adapt(numpy.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.0, 2.5]]))
    numpy.testing.assert_allclose(layer.bin_boundaries, [0.0, 1.0, 2.5])
    layer = layers.Discretization(num_bins=5)
    layer.adapt(numpy.random.default_rng(0).normal(size=(500, 1)).astype("float32"))
    numpy.testing.assert_allclose(layer.bin_boundaries, [-0.8579270243644714, -0.31630071997642517,
                                                         0.21878577768802643, 0.8448885083198547], rtol=1e-6)
    with pytest.raises(ValueError, match="Discretization.*both"):
        layers.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="Discretization.*adapt"):
        layers.Discretization(num_bins=2)(numpy.array([1.0]))
