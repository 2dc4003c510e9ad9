"""Core layers: shapes, configs, float64 gradient checks through each layer's weights and inputs."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.testing import check_gradients, check_layer_gradients


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus",
                                        "softsign", "gelu", "swish", "leaky_relu"])
def test_dense_gradients(float64, rng, activation):
    check_layer_gradients(layers.Dense(3, activation=activation), rng.normal(size=(4, 5)))


def test_dense_gradients_on_3d_input_and_without_bias(float64, rng):
    check_layer_gradients(layers.Dense(3, activation="tanh", use_bias=False), rng.normal(size=(2, 4, 5)))


def test_dense_with_custom_activation_function(float64, rng):
    check_layer_gradients(layers.Dense(2, activation=lambda x: neuroflow.ops.square(x)), rng.normal(size=(3, 4)))


def test_dense_output_value(rng):
    layer = layers.Dense(3, activation="relu")
    x = rng.normal(size=(4, 5)).astype("float32")
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    numpy.testing.assert_allclose(y, numpy.maximum(x @ kernel + bias, 0), rtol=1e-6)
    assert y.dtype == numpy.float32
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)


def test_dense_wrong_feature_size_names_layer_and_shapes(rng):
    layer = layers.Dense(2, name="hidden")
    layer(rng.normal(size=(3, 4)))
    with pytest.raises(ValueError, match=r"hidden.*axis -1.*value 4.*\(3, 5\)"):
        layer(rng.normal(size=(3, 5)))


def test_unknown_keyword_argument_is_named():
    with pytest.raises(TypeError, match="unitz"):
        layers.Dense(3, unitz=4)


def test_auto_names_are_unique():
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")


def test_dropout_is_inverted_and_only_active_in_training(rng):
    layer = layers.Dropout(0.5, seed=1)
    x = numpy.ones((200, 50), dtype="float32")
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(numpy.unique(y)) <= {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    assert abs(y.mean() - 1.0) < 0.05  # inverted scaling keeps the expectation


def test_dropout_seed_reproducible():
    x = numpy.ones((10, 10), dtype="float32")
    first = layers.Dropout(0.3, seed=7)(x, training=True).numpy()
    second = layers.Dropout(0.3, seed=7)(x, training=True).numpy()
    numpy.testing.assert_array_equal(first, second)


def test_dropout_gradient_uses_the_same_mask(float64):
    layer = layers.Dropout(0.5, seed=3)
    x = neuroflow.ops.convert_to_tensor(numpy.ones((4, 6)))
    with neuroflow.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        total = neuroflow.ops.sum(y)
    grad = tape.gradient(total, x).numpy()
    numpy.testing.assert_array_equal(grad, y.numpy())  # d(sum(x*m))/dx = m = y for x = 1


def test_dropout_rejects_rate_out_of_range():
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.0)


def test_flatten_reshape_activation_lambda(float64, rng):
    x = rng.normal(size=(2, 3, 4))
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2))(x).shape == (2, 6, 2)
    numpy.testing.assert_allclose(layers.Activation("relu")(x).numpy(), numpy.maximum(x, 0))
    numpy.testing.assert_allclose(layers.Lambda(lambda t: t * 2)(x).numpy(), 2 * x)
    check_gradients(lambda t: layers.Flatten()(t), x)
    check_gradients(lambda t: layers.Reshape((12,))(t), x)
    check_gradients(lambda t: layers.Activation("tanh")(t), x)


def test_reshape_error_names_layer(rng):
    with pytest.raises(ValueError, match="Reshape.*target_shape"):
        layers.Reshape((5,))(rng.normal(size=(2, 3, 4)))


@pytest.mark.parametrize("layer", [
    layers.Dense(4, activation="relu", use_bias=False, kernel_initializer="he_normal", kernel_regularizer="l2"),
    layers.Activation("tanh"), layers.Dropout(0.25, seed=3), layers.Flatten(), layers.Reshape((2, 3)),
    layers.Concatenate(axis=1), layers.Add(),
])
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_trainable_flag_moves_weights_to_non_trainable(rng):
    layer = layers.Dense(2)
    layer(rng.normal(size=(1, 3)))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_custom_layer_with_add_weight(float64, rng):
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

        def call(self, inputs):
            return inputs * self.scale

    layer = Scale()
    x = rng.normal(size=(3, 4))
    numpy.testing.assert_allclose(layer(x).numpy(), x)
    assert [w.name for w in layer.trainable_weights] == ["scale"]
    check_layer_gradients(Scale(), x)


def test_dense_on_integer_features_computes_in_float32(rng):
    x = numpy.array([[0, 1], [1, 0]])  # int64, as numpy.array of Python ints gives
    layer = layers.Dense(3)
    out = layer(x).numpy()
    assert out.dtype == numpy.float32
    kernel, bias = layer.get_weights()
    numpy.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-6)
