"""Embedding: lookups, the scatter-add gradient, mask_zero, configs and saving."""
import numpy
import pytest

import neuroflow
from neuroflow import backend, layers
from neuroflow.engine.tape import GradientTape
from neuroflow.ops.embedding import scatter_add_rows as _device_scatter_add_rows
from neuroflow.testing import check_layer_gradients


def scatter_add_rows(rows, indices, values):
    """The kernel on the backend's arrays (a device under NEUROFLOW_BACKEND=cupy), its result back on the host."""
    return backend.to_numpy(_device_scatter_add_rows(rows, backend.xp.asarray(indices), backend.xp.asarray(values)))


def test_lookup_returns_rows(rng):
    layer = layers.Embedding(6, 3)
    indices = numpy.array([[0, 5, 2], [2, 2, 1]])
    out = layer(indices)
    matrix = layer.embeddings.numpy()
    assert out.shape == (2, 3, 3) and out.dtype == "float32"
    numpy.testing.assert_array_equal(out.numpy(), matrix[indices])
    # Default 'uniform' initializer: U(-0.05, 0.05).
    assert numpy.abs(matrix).max() <= 0.05
    assert [w.name for w in layer.weights] == ["embeddings"]


def test_gradient_wrt_matrix_accumulates_repeated_indices(float64, rng):
    layer = layers.Embedding(5, 2)
    indices = numpy.array([[1, 1, 3], [4, 1, 0]])
    check_layer_gradients(layer, indices)
    with GradientTape() as tape:
        loss = neuroflow.ops.sum(layer(indices))
    grad = tape.gradient(loss, layer.embeddings).numpy()
    # Row v receives one unit per occurrence of v: counts 1, 3, 0, 1, 1.
    numpy.testing.assert_array_equal(grad, numpy.array([[1, 1], [3, 3], [0, 0], [1, 1], [1, 1]], float))


def test_scatter_add_rows_matches_add_at(rng):
    indices = rng.integers(0, 50, size=1000)
    values = rng.normal(size=(1000, 7))
    expected = numpy.zeros((60, 7))
    numpy.add.at(expected, indices, values)
    numpy.testing.assert_allclose(scatter_add_rows(60, indices, values), expected, atol=1e-12)
    assert scatter_add_rows(4, numpy.zeros(0, int), numpy.zeros((0, 7))).shape == (4, 7)


def test_float_indices_are_accepted_and_out_of_range_rejected():
    layer = layers.Embedding(4, 2)
    numpy.testing.assert_array_equal(layer(numpy.array([[1.0, 3.0]])).numpy(), layer(numpy.array([[1, 3]])).numpy())
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        layer(numpy.array([[1, 4]]))
    with pytest.raises(ValueError, match="integer"):
        layer(numpy.array([[0.5]]))


def test_mask_zero():
    indices = numpy.array([[3, 1, 0, 0], [2, 0, 0, 0]])
    plain, masking = layers.Embedding(5, 2), layers.Embedding(5, 2, mask_zero=True)
    assert plain(indices)._keras_mask is None
    numpy.testing.assert_array_equal(masking(indices)._keras_mask.numpy(), indices != 0)
    numpy.testing.assert_array_equal(masking.compute_mask(indices).numpy(), indices != 0)
    assert plain.compute_mask(indices) is None


def test_arguments_and_errors():
    with pytest.warns(UserWarning, match="input_length"):
        layer = layers.Embedding(5, 2, input_length=10)
    assert "input_length" not in layer.get_config()
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 2)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(3, -1)
    weights = numpy.arange(6, dtype="float32").reshape(3, 2)
    fixed = layers.Embedding(3, 2, weights=[weights])
    numpy.testing.assert_array_equal(fixed(numpy.array([2, 0])).numpy(), weights[[2, 0]])


def test_config_round_trip():
    layer = layers.Embedding(7, 3, mask_zero=True, embeddings_regularizer="l2", embeddings_initializer="ones",
                             name="words")
    config = layer.get_config()
    clone = layers.Embedding.from_config(config)
    assert clone.get_config() == config and clone.mask_zero


def test_summary_and_save_load(tmp_path, rng):
    model = neuroflow.Sequential([neuroflow.Input(shape=(5,)), layers.Embedding(9, 4), layers.Flatten(),
                                  layers.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    assert "(None, 5, 4)" in "\n".join(lines) and model.layers[0].count_params() == 36
    x = rng.integers(0, 9, size=(3, 5))
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "embedding.nfz")
    numpy.testing.assert_allclose(neuroflow.models.load_model(tmp_path / "embedding.nfz").predict(x, verbose=0),
                                  expected, rtol=1e-6)


def test_scatter_add_rows_float32_repeated_indices_and_trailing_axes():
    # Every index repeated: the flat add.at must accumulate, keep float32 and the trailing shape.
    indices = numpy.array([2, 0, 2, 2, 1, 0])
    values = numpy.arange(36, dtype=numpy.float32).reshape(6, 2, 3)
    grad = scatter_add_rows(4, indices, values)
    assert grad.dtype == numpy.float32 and grad.shape == (4, 2, 3)
    numpy.testing.assert_array_equal(grad[2], values[0] + values[2] + values[3])
    numpy.testing.assert_array_equal(grad[0], values[1] + values[5])
    numpy.testing.assert_array_equal(grad[1], values[4])
    numpy.testing.assert_array_equal(grad[3], numpy.zeros((2, 3)))
    assert grad.base is None  # a fresh array: the tape hands it out without a copy
