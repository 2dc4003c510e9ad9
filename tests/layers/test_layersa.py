"""GroupNormalization, RMSNormalization, EinsumDense, Conv1DTranspose, DepthwiseConv1D,
SeparableConv1D, Conv3DTranspose and the adaptive poolings: Keras 3's values (fixtures/layersa_references.npz), float64 gradients, configs,
functional shapes, saving (native and Keras' .keras file) and errors."""
import os
import re

import numpy
import pytest

from neuroflow import layers, models, ops
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.ops.convolution.volumetric_transpose import conv3d_transpose
from neuroflow.testing import check_gradients, check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
REFERENCES = numpy.load(os.path.join(FIXTURES, "layersa_references.npz"))

# The constructors of make_layersa_references.py.
CASES = {
    "groupnorm": lambda: layers.GroupNormalization(groups=2),
    "groupnorm_axis1": lambda: layers.GroupNormalization(groups=3, axis=1, epsilon=0.01),
    "groupnorm_instance": lambda: layers.GroupNormalization(groups=-1, center=False),
    "rmsnorm": lambda: layers.RMSNormalization(),
    "rmsnorm_axes": lambda: layers.RMSNormalization(axis=[1, 2], epsilon=0.1),
    "einsum_matrix": lambda: layers.EinsumDense("ab,bc->ac", 4, bias_axes="c"),
    "einsum_3d": lambda: layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de", activation="relu"),
    "einsum_left": lambda: layers.EinsumDense("...b,bc->...c", 3, bias_axes="c"),
    "einsum_right": lambda: layers.EinsumDense("abc...,cd->abd...", (4, 3), bias_axes="b"),
    "conv1dt": lambda: layers.Conv1DTranspose(3, 3, strides=2),
    "conv1dt_same": lambda: layers.Conv1DTranspose(2, 4, strides=2, padding="same", activation="tanh"),
    "conv1dt_outpad": lambda: layers.Conv1DTranspose(2, 3, strides=3, output_padding=1, use_bias=False),
    "conv1dt_first": lambda: layers.Conv1DTranspose(2, 3, dilation_rate=2, data_format="channels_first"),
    "depthwise1d": lambda: layers.DepthwiseConv1D(3, depth_multiplier=2),
    "depthwise1d_same": lambda: layers.DepthwiseConv1D(2, strides=2, padding="same"),
    "separable1d": lambda: layers.SeparableConv1D(4, 3, depth_multiplier=2, activation="relu"),
    "separable1d_dilated": lambda: layers.SeparableConv1D(2, 2, dilation_rate=2, padding="same"),
    "conv3dt": lambda: layers.Conv3DTranspose(2, 2, strides=2),
    "conv3dt_same": lambda: layers.Conv3DTranspose(2, (3, 2, 2), strides=(1, 2, 1), padding="same"),
    "conv3dt_outpad": lambda: layers.Conv3DTranspose(2, 3, strides=2, output_padding=1, dilation_rate=1, use_bias=False),
    "conv3dt_first": lambda: layers.Conv3DTranspose(2, 2, dilation_rate=(2, 1, 1), data_format="channels_first"),
    "adaptive_avg1d": lambda: layers.AdaptiveAveragePooling1D(3),
    "adaptive_max1d": lambda: layers.AdaptiveMaxPooling1D(4),
    "adaptive_avg2d": lambda: layers.AdaptiveAveragePooling2D((2, 3)),
    "adaptive_max2d_first": lambda: layers.AdaptiveMaxPooling2D(3, data_format="channels_first"),
    "adaptive_avg3d": lambda: layers.AdaptiveAveragePooling3D((2, 2, 3)),
    "adaptive_max3d": lambda: layers.AdaptiveMaxPooling3D(2),
}


def _weights(case):
    count = sum(1 for key in REFERENCES.files if re.fullmatch(rf"{case}_w\d+", key))
    return [REFERENCES[f"{case}_w{i}"] for i in range(count)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(case):
    x = REFERENCES[f"{case}_x"]
    layer = CASES[case]()
    layer(x)
    if layer.weights:
        layer.set_weights(_weights(case))
    numpy.testing.assert_allclose(layer(x).numpy(), REFERENCES[f"{case}_y"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients(float64, case):
    x = REFERENCES[f"{case}_x"].astype("float64")
    layer = CASES[case]()
    layer(x)
    # Keras' weights keep every relu / tanh input away from the kinks.
    if layer.weights:
        layer.set_weights([w.astype("float64") for w in _weights(case)])
    check_layer_gradients(layer, x)


@pytest.mark.parametrize("case", sorted(CASES))
def test_functional_shape_and_config(case):
    x = REFERENCES[f"{case}_x"]
    layer = CASES[case]()
    symbolic = layer(KerasTensor((None,) + x.shape[1:]))
    assert symbolic.shape == (None,) + REFERENCES[f"{case}_y"].shape[1:]
    config_round_trip(layer)


@pytest.mark.parametrize("case", ["groupnorm_axis1", "rmsnorm_axes", "einsum_3d", "conv1dt_outpad", "separable1d",
                                  "conv3dt_same", "adaptive_max2d_first"])
def test_save_load_round_trip(tmp_path, rng, case):
    check_save_load_round_trip(tmp_path, CASES[case](), REFERENCES[f"{case}_x"].shape[1:], rng)


def test_loads_keras_saved_model():
    model = models.load_model(os.path.join(FIXTURES, "layersa_model.keras"))
    numpy.testing.assert_allclose(model.predict(REFERENCES["model_x"], verbose=0), REFERENCES["model_y"],
                                  rtol=1e-4, atol=1e-4)


def test_aliases_and_keras_defaults():
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    config = layers.SeparableConv1D(2, 3).get_config()
    assert config["strides"] == (1,) and config["dilation_rate"] == (1,)
    assert layers.RMSNormalization().get_config()["epsilon"] == 1e-6
    assert layers.GroupNormalization().get_config()["groups"] == 32


def test_group_normalization_matches_layer_normalization_with_one_group(rng):
    x = rng.normal(size=(3, 4, 6)).astype("float32")
    group = layers.GroupNormalization(groups=1, epsilon=1e-3)
    ln = layers.LayerNormalization(axis=[1, 2], epsilon=1e-3)
    numpy.testing.assert_allclose(group(x).numpy(), ln(x).numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make, shape, argument", [
    (lambda: layers.GroupNormalization(groups=0), None, "groups"),
    (lambda: layers.GroupNormalization(groups=4), (2, 6), "groups"),
    (lambda: layers.GroupNormalization(axis=[1]), None, "axis"),
    (lambda: layers.RMSNormalization(axis="last"), None, "axis"),
    (lambda: layers.RMSNormalization(epsilon=0), None, "epsilon"),
    (lambda: layers.EinsumDense("ab->b", 3), None, "equation"),
    (lambda: layers.EinsumDense("ab,bc->ac", "4"), None, "output_shape"),
    (lambda: layers.EinsumDense("ab,bc->ac", 4, bias_axes="x"), (2, 3), "bias_axes"),
    (lambda: layers.EinsumDense("ab,bc->ac", (4,)), None, None),
    (lambda: layers.Conv1DTranspose(0, 3), None, "filters"),
    (lambda: layers.DepthwiseConv1D(3, depth_multiplier=0), None, "depth_multiplier"),
    (lambda: layers.SeparableConv1D(-1, 3), None, "filters"),
    (lambda: layers.Conv3DTranspose(2, 3, strides=2, output_padding=2), None, "output_padding"),
    (lambda: layers.AdaptiveMaxPooling2D((2, 0)), None, "output_size"),
    (lambda: layers.AdaptiveAveragePooling1D((2, 2)), None, "output_size"),
    (lambda: layers.AdaptiveAveragePooling3D(2, data_format="nhwc"), None, "data_format"),
])

def test_errors_name_the_argument(make, shape, argument):
    if argument is None:  # a valid layer: the shared axis 'a' disagrees with output_shape only when given
        layer = layers.EinsumDense("abc,cd->abd", (3, 4))
        with pytest.raises(ValueError, match="shared axis 'b'"):
            layer(numpy.zeros((2, 5, 6), "float32"))
        return
    with pytest.raises(ValueError, match=argument):
        layer = make()
        layer(numpy.zeros(shape, "float32"))



def test_adaptive_pooling_output_size_type():
    with pytest.raises(TypeError, match="output_size"):
        layers.AdaptiveAveragePooling2D("2")


@pytest.mark.parametrize("params", [{}, {"strides": (2, 1, 2), "padding": "same"}, {"dilation_rate": (1, 2, 1)},
                                    {"strides": 2, "output_padding": (1, 0, 1)}])
def test_conv3d_transpose_op_gradients(float64, rng, params):
    x, kernel = rng.normal(size=(2, 3, 2, 3, 2)), rng.normal(size=(2, 3, 2, 3, 2))
    check_gradients(lambda a, k: conv3d_transpose(a, k, **params), x, kernel)
    check_gradients(lambda a, k: ops.conv_transpose(a, k, data_format="channels_first", **params),
                    x.transpose(0, 4, 1, 2, 3), kernel)


def test_conv3d_transpose_is_conv3d_adjoint(rng):
    # <conv3d(y, k), x> == <y, conv3d_transpose(x, k)>: the transposed op is the adjoint.
    y, kernel = rng.normal(size=(1, 5, 4, 6, 2)), rng.normal(size=(3, 2, 3, 2, 3))
    for params in ({"strides": 2}, {"strides": (1, 2, 2), "padding": "same"}):
        forward = ops.conv(y, kernel, **params).numpy()
        x = rng.normal(size=forward.shape)
        back = conv3d_transpose(x, kernel, **params).numpy()  # the same (..., cin, cout) array
        # Valid with a stride: cells past the last window get no contribution (zero in the adjoint).
        full = numpy.zeros_like(y)
        full[tuple(slice(0, n) for n in back.shape)] = back
        back = full
        numpy.testing.assert_allclose((forward * x).sum(), (y * back).sum(), rtol=1e-8)


SPECTRAL = {
    "spectral_dense": lambda: layers.SpectralNormalization(layers.Dense(3)),
    "spectral_conv": lambda: layers.SpectralNormalization(layers.Conv2D(2, 2), power_iterations=3),
    "spectral_embedding": lambda: layers.SpectralNormalization(layers.Embedding(6, 3)),
}


def _spectral(case):
    layer = SPECTRAL[case]()
    x = REFERENCES[f"{case}_x"]
    layer(x)
    layer.kernel.assign(REFERENCES[f"{case}_kernel0"])
    layer.vector_u.assign(REFERENCES[f"{case}_u0"])
    return layer, x


@pytest.mark.parametrize("case", sorted(SPECTRAL))
def test_spectral_normalization_matches_keras(case):
    layer, x = _spectral(case)
    inference = layer(x).numpy()
    numpy.testing.assert_allclose(layer.kernel.numpy(), REFERENCES[f"{case}_kernel0"])  # inference leaves it
    assert inference.shape == REFERENCES[f"{case}_y"].shape
    out = layer(x, training=True).numpy()
    if case == "spectral_embedding":
        # Keras casts the output to the input's dtype (all zeros for integer ids); neuroflow keeps the floats.
        expected = REFERENCES[f"{case}_kernel"][x]
    else:
        expected = REFERENCES[f"{case}_y"]
    numpy.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(layer.kernel.numpy(), REFERENCES[f"{case}_kernel"], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(layer.vector_u.numpy(), REFERENCES[f"{case}_u"], rtol=1e-5, atol=1e-6)


def test_spectral_normalization_converges_to_unit_norm_and_keeps_gradients(float64, rng):
    layer = layers.SpectralNormalization(layers.Dense(4))
    x = rng.normal(size=(3, 5))
    for _ in range(30):
        layer(x, training=True)
    assert abs(numpy.linalg.svd(layer.kernel.numpy(), compute_uv=False)[0] - 1.0) < 1e-6
    check_layer_gradients(layer, x)  # inference: the wrapped layer's own gradients


def test_spectral_normalization_config_shapes_saving(tmp_path, rng):
    layer = SPECTRAL["spectral_conv"]()
    assert layer(KerasTensor((None, 4, 4, 3))).shape == (None, 3, 3, 2)
    clone = config_round_trip(layer)
    assert clone.power_iterations == 3 and type(clone.layer) is layers.Conv2D
    loaded = check_save_load_round_trip(tmp_path, SPECTRAL["spectral_dense"](), (4,), rng)
    assert loaded.layers[-1].vector_u.shape == (1, 3)
    # An all-zero kernel is left alone (no division by a zero sigma).
    zero = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    zero(numpy.ones((1, 3), "float32"), training=True)
    assert not numpy.any(zero.kernel.numpy())


def test_spectral_normalization_errors():
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.Flatten())(numpy.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match="layer"):
        layers.SpectralNormalization("dense")


REVERSIBLE = {
    "reversible_tied": lambda: layers.ReversibleEmbedding(7, 4),
    "reversible_untied": lambda: layers.ReversibleEmbedding(7, 4, tie_weights=False, logit_soft_cap=2.0),
}


@pytest.mark.parametrize("case", sorted(REVERSIBLE))
def test_reversible_embedding_matches_keras(case):
    layer = REVERSIBLE[case]()
    layer(REFERENCES[f"{case}_x"])
    layer.set_weights(_weights(case))
    numpy.testing.assert_allclose(layer(REFERENCES[f"{case}_x"]).numpy(), REFERENCES[f"{case}_y"], rtol=1e-6)
    numpy.testing.assert_allclose(layer(REFERENCES[f"{case}_h"], reverse=True).numpy(), REFERENCES[f"{case}_yr"],
                                  rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(REVERSIBLE))
def test_reversible_embedding_gradients_shapes_config(float64, case, rng):
    layer = REVERSIBLE[case]()
    check_layer_gradients(layer, rng.normal(size=(2, 3, 4)), reverse=True)
    assert layer(KerasTensor((None, 5, 4)), reverse=True).shape == (None, 5, 7)
    assert layer(KerasTensor((None, 5), dtype="int32")).shape == (None, 5, 4)
    config_round_trip(layer)


def test_reversible_embedding_saving_and_errors(tmp_path, rng):
    inputs = layers.Input((5,), dtype="int32")
    shared = layers.ReversibleEmbedding(7, 4, tie_weights=False, name="tokens")
    model = models.Model(inputs, shared(shared(inputs), reverse=True))
    ids = rng.integers(0, 7, size=(3, 5))
    path = tmp_path / "model.keras"
    model.save(path)
    numpy.testing.assert_allclose(models.load_model(path).predict(ids, verbose=0), model.predict(ids, verbose=0),
                                  rtol=1e-6)
    with pytest.raises(ValueError, match="output_dim"):
        shared(numpy.zeros((1, 3), "float32"), reverse=True)
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(7, 4, logit_soft_cap=-1.0)
