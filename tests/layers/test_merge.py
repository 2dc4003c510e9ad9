import numpy
import pytest

from neuroflow import layers
from neuroflow.testing import check_gradients


@pytest.mark.parametrize("layer_class, reference", [
    (layers.Add, lambda a, b: a + b), (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b), (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, numpy.maximum), (layers.Minimum, numpy.minimum),
])
def test_merge_values_and_gradients(float64, rng, layer_class, reference):
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numpy.testing.assert_allclose(layer_class()([a, b]).numpy(), reference(a, b))
    check_gradients(lambda x, y: layer_class()([x, y]), a, b)


def test_concatenate_values_and_gradients(float64, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    numpy.testing.assert_allclose(layers.Concatenate()([a, b]).numpy(), numpy.concatenate([a, b], axis=-1))
    check_gradients(lambda x, y: layers.Concatenate(axis=1)([x, y]), a, b)


def test_merge_shape_errors_name_the_layer(rng):
    with pytest.raises(ValueError, match="Add.*same shape"):
        layers.Add(name="adder")([rng.normal(size=(2, 3)), rng.normal(size=(2, 4))])
    with pytest.raises(ValueError, match="Concatenate"):
        layers.Concatenate(axis=-1)([rng.normal(size=(2, 3)), rng.normal(size=(3, 3))])
    with pytest.raises(ValueError, match="at least 2"):
        layers.Add()([rng.normal(size=(2, 3))])


# ---- Dot ---------------------------------------------------------------------------------------

def _keras_inputs():
    """The inputs the Keras reference numbers below were computed on."""
    rs = numpy.random.RandomState(0)
    a = numpy.round(rs.normal(size=(2, 3, 4)), 2).astype("float32")
    b = numpy.round(rs.normal(size=(2, 4, 5)), 2).astype("float32")
    c = numpy.round(rs.normal(size=(2, 3)), 2).astype("float32")
    d = numpy.round(rs.normal(size=(2, 3)), 2).astype("float32")
    return a, b, c, d


def test_dot_matches_keras():
    a, b, c, d = _keras_inputs()
    # keras.layers.Dot(axes=1)([c, d]) (Keras 3.15, torch): shape (2, 1)
    numpy.testing.assert_allclose(layers.Dot(axes=1)([c, d]).numpy(), [[-1.7788], [-0.9638]], rtol=1e-5)
    # keras.layers.Dot(axes=-1, normalize=True)([c, d]): cosine similarities
    numpy.testing.assert_allclose(layers.Dot(axes=-1, normalize=True)([c, d]).numpy(), [[-0.77489], [-0.64607]],
                                  atol=1e-5)
    # keras.layers.Dot(axes=(1, 1))([c, a]): shape (2, 4)
    numpy.testing.assert_allclose(layers.Dot(axes=(1, 1))([c, a]).numpy(),
                                  [[-0.2682, -0.2043, -0.4318, -1.9003], [-1.1338, 0.2788, -0.0367, 0.8883]], atol=1e-5)
    # keras.layers.Dot(axes=(2, 1))([a, b])[0, 0]
    numpy.testing.assert_allclose(layers.Dot(axes=(2, 1))([a, b]).numpy()[0, 0],
                                  [3.5682, -4.6872, -1.7354, -3.3448, 5.8866], atol=1e-4)


@pytest.mark.parametrize("shapes, axes", [(((2, 3, 4), (2, 4, 5)), (2, 1)), (((2, 3, 2, 2), (2, 3, 4)), (1, 1)),
                                          (((2, 5), (2, 3, 5)), -1), (((2, 3, 4), (2, 5, 3)), (1, 2))])
def test_dot_matches_explicit_loops(rng, shapes, axes):
    x, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    a0, a1 = (axes, axes) if isinstance(axes, int) else axes
    a0, a1 = a0 % x.ndim, a1 % y.ndim
    expected = numpy.stack([numpy.tensordot(x[n], y[n], axes=(a0 - 1, a1 - 1)) for n in range(x.shape[0])])
    got = layers.Dot(axes=axes)([x, y])
    numpy.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-5)
    assert layers.Dot(axes=axes).compute_output_shape([(None,) + shapes[0][1:], (None,) + shapes[1][1:]]) == \
        (None,) + expected.shape[1:]


@pytest.mark.parametrize("axes, normalize, shapes", [((2, 1), False, ((2, 3, 4), (2, 4, 2))),
                                                     (1, True, ((3, 4), (3, 4))),
                                                     ((1, 2), True, ((2, 3, 2), (2, 2, 3)))])
def test_dot_gradients(float64, rng, axes, normalize, shapes):
    x, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    check_gradients(lambda s, t: layers.Dot(axes, normalize=normalize)([s, t]), x, y)


def test_dot_normalize_of_a_zero_vector_is_zero_with_finite_gradients(float64):
    from neuroflow import GradientTape, Tensor
    x, y = Tensor(numpy.zeros((1, 3))), Tensor(numpy.array([[1.0, 2.0, 2.0]]))
    with GradientTape() as tape:
        tape.watch(x)
        out = layers.Dot(1, normalize=True)([x, y])
    assert out.numpy().tolist() == [[0.0]]
    # d/dx of x . y_hat / max(|x|, 1e-7) at x = 0 is y_hat / 1e-7: large but finite, as in Keras.
    numpy.testing.assert_allclose(tape.gradient(out, x).numpy(), [[1 / 3, 2 / 3, 2 / 3]] / numpy.float64(1e-7))


def test_dot_in_models_config_and_keras_saving(tmp_path, rng):
    from neuroflow import models
    from tests.layers.helpers import config_round_trip
    layer = layers.Dot(axes=(1, 1), normalize=True, name="cosine")
    assert config_round_trip(layer).get_config()["axes"] == (1, 1)
    left, right = layers.Input((4,)), layers.Input((4,))
    similarity = layer([layers.Dense(3)(left), layers.Dense(3)(right)])
    model = models.Model([left, right], layers.Dense(1)(similarity))
    assert model.get_layer("cosine").output.shape == (None, 1)
    x1, x2 = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 4)).astype("float32")
    y = (x1 * x2).sum(axis=1, keepdims=True)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit([x1, x2], y, epochs=6, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "dot.keras"
    model.save(path)
    loaded = models.load_model(path)
    assert loaded.get_layer("cosine").get_config() == layer.get_config()
    numpy.testing.assert_allclose(loaded.predict([x1, x2], verbose=0), model.predict([x1, x2], verbose=0),
                                  rtol=1e-6, atol=1e-6)
    assert layers.dot([layers.Input((3, 4)), layers.Input((4,))], axes=(2, 1)).shape == (None, 3)


def test_dot_errors_name_the_problem(rng):
    with pytest.raises(ValueError, match="Dot.*axes.*int or a list/tuple of 2 ints.*'last'"):
        layers.Dot("last")
    with pytest.raises(ValueError, match="Dot.*axes.*2 ints"):
        layers.Dot((1, 2, 3))
    with pytest.raises(ValueError, match="Dot 'd'.*exactly 2 inputs"):
        layers.Dot(1, name="d")([rng.normal(size=(2, 3))] * 3)
    with pytest.raises(ValueError, match="Dot.*size 3.*size 4"):
        layers.Dot(1)([rng.normal(size=(2, 3)), rng.normal(size=(2, 4))])
    with pytest.raises(ValueError, match="Dot.*non-batch axis"):
        layers.Dot(0)([rng.normal(size=(2, 3)), rng.normal(size=(2, 3))])
    with pytest.raises(ValueError, match="Dot.*rank >= 2"):
        layers.Dot(0)([rng.normal(size=(3,)), rng.normal(size=(3,))])
    with pytest.raises(ValueError, match="Dot.*batch sizes differ"):
        layers.Dot(1)([rng.normal(size=(2, 3)), rng.normal(size=(4, 3))])
