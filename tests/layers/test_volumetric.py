"""3-D layers: Conv3D, MaxPooling3D, AveragePooling3D, the global 3-D poolings, UpSampling3D,
ZeroPadding3D, Cropping3D: Keras 3's values (fixtures/layers10_references.npz), float64 gradients
of the 3-D ops, configs, functional shapes, saving and errors."""
import os

import numpy
import pytest

from neuroflow import layers, models, ops
from neuroflow.engine.keras_tensor import KerasTensor
from neuroflow.ops.convolution import volumetric
from neuroflow.testing import check_gradients, check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "layers10_references.npz"))

VOLUMETRIC = {
    "conv3d_valid": lambda: layers.Conv3D(4, 3),
    "conv3d_same_strided": lambda: layers.Conv3D(2, (2, 3, 2), strides=(2, 1, 2), padding="same", activation="relu"),
    "conv3d_dilated": lambda: layers.Conv3D(2, 2, dilation_rate=(1, 2, 2), use_bias=False),
    "conv3d_channels_first": lambda: layers.Conv3D(2, 2, data_format="channels_first"),
    "maxpool3d": lambda: layers.MaxPooling3D(),
    "maxpool3d_same": lambda: layers.MaxPooling3D((2, 3, 3), strides=(1, 2, 2), padding="same"),
    "avgpool3d": lambda: layers.AveragePooling3D((2, 2, 3)),
    # Symmetric 'same' pads only: where TF pads one more cell after, Keras' torch backend counts that
    # cell in the mean; neuroflow follows TF (test_average_pool3d_same_excludes_padding).
    "avgpool3d_same": lambda: layers.AveragePooling3D(3, strides=(1, 2, 1), padding="same"),
    "avgpool3d_channels_first": lambda: layers.AveragePooling3D(2, data_format="channels_first"),
    "globalmax3d": lambda: layers.GlobalMaxPooling3D(),
    "globalavg3d_keepdims": lambda: layers.GlobalAveragePooling3D(keepdims=True),
    "upsampling3d": lambda: layers.UpSampling3D((2, 1, 3)),
    "zeropadding3d": lambda: layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1))),
    "cropping3d": lambda: layers.Cropping3D(((1, 0), (0, 2), (1, 1))),
}


@pytest.mark.parametrize("case", sorted(VOLUMETRIC))
def test_matches_keras(case):
    x = REFERENCES[f"{case}_x0"]
    layer = VOLUMETRIC[case]()
    layer(x)
    if layer.weights:
        layer.set_weights([REFERENCES[f"{case}_w{i}"] for i in range(len(layer.weights))])
    numpy.testing.assert_allclose(layer(x).numpy(), REFERENCES[f"{case}_y0"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("params", [{}, {"strides": (2, 1, 2), "padding": "same"}, {"dilation_rate": (2, 1, 1)}])
def test_conv3d_gradients(float64, rng, params):
    x, kernel, bias = rng.normal(size=(2, 4, 3, 5, 2)), rng.normal(size=(2, 2, 3, 2, 3)), rng.normal(size=(3,))
    check_gradients(lambda a, k, b: volumetric.conv3d(a, k, bias=b, **params), x, kernel, bias)
    check_gradients(lambda a, k: volumetric.conv3d(a, k, data_format="channels_first", **params),
                    x.transpose(0, 4, 1, 2, 3), kernel)


@pytest.mark.parametrize("function", [volumetric.max_pool3d, volumetric.average_pool3d])
@pytest.mark.parametrize("params", [{"pool_size": 2}, {"pool_size": (2, 3, 2), "strides": 1, "padding": "same"}])
def test_pool3d_gradients(float64, rng, function, params):
    # Distinct values: the max has one winner per window, so finite differences are smooth.
    x = rng.permutation(2 * 4 * 5 * 3 * 2).reshape(2, 4, 5, 3, 2) / 10.0
    check_gradients(lambda a: function(a, **params), x)


@pytest.mark.parametrize("case", ["conv3d_same_strided", "upsampling3d", "zeropadding3d", "cropping3d",
                                  "globalavg3d_keepdims"])
def test_layer_gradients(float64, rng, case):
    check_layer_gradients(VOLUMETRIC[case](), rng.normal(size=(1, 4, 5, 4, 2)))


@pytest.mark.parametrize("case", sorted(VOLUMETRIC))
def test_functional_shape_and_config(case):
    layer = VOLUMETRIC[case]()
    x = REFERENCES[f"{case}_x0"]
    symbolic = layer(KerasTensor((None,) + x.shape[1:]))
    assert symbolic.shape == (None,) + REFERENCES[f"{case}_y0"].shape[1:]
    config_round_trip(layer)


@pytest.mark.parametrize("case", ["conv3d_same_strided", "maxpool3d", "cropping3d"])
def test_save_load_round_trip(tmp_path, rng, case):
    check_save_load_round_trip(tmp_path, VOLUMETRIC[case](), (4, 5, 6, 2), rng)


def test_average_pool3d_same_excludes_padding():
    out = volumetric.average_pool3d(numpy.ones((1, 4, 5, 6, 1), "float32"), 3, strides=2, padding="same")
    numpy.testing.assert_allclose(out.numpy(), 1.0)


@pytest.mark.parametrize("data_format, kept_axes", [("channels_last", (0, 4)), ("channels_first", (0, 1))])
def test_spatial_dropout3d_drops_whole_channels(rng, data_format, kept_axes):
    x = numpy.ones((4, 3, 3, 3, 3), "float32")
    layer = layers.SpatialDropout3D(0.5, data_format=data_format, seed=1)
    out = layer(x, training=True).numpy()
    spread = tuple(axis for axis in range(5) if axis not in kept_axes)
    assert numpy.all(out.min(axis=spread) == out.max(axis=spread))   # one value per (sample, channel)
    assert set(numpy.unique(out)) <= {0.0, 2.0}
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    config_round_trip(layer)
    with pytest.raises(ValueError, match="expected ndim=5"):
        layer(numpy.ones((2, 3, 3, 3)))


def test_loads_keras_file():
    model = models.load_model(os.path.join(os.path.dirname(__file__), "fixtures", "layers10_volumetric.keras"))
    assert isinstance(model.layers[0], layers.Conv3D)
    numpy.testing.assert_allclose(model.predict(REFERENCES["keras3d_x"], verbose=0), REFERENCES["keras3d_y"],
                                  rtol=1e-5, atol=1e-5)


def test_aliases():
    assert layers.Convolution3D is layers.Conv3D and layers.MaxPool3D is layers.MaxPooling3D
    assert layers.AvgPool3D is layers.AveragePooling3D and layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


def test_bad_arguments():
    with pytest.raises(ValueError, match="expected ndim=5"):
        layers.Conv3D(2, 3)(numpy.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="`filters` must be a positive integer"):
        layers.Conv3D(0, 3)
    with pytest.raises(NotImplementedError, match="groups"):
        layers.Conv3D(4, 3, groups=2)
    with pytest.raises(ValueError, match="does not fit"):
        layers.Conv3D(2, 5)(numpy.zeros((1, 3, 3, 3, 1)))
    with pytest.raises(ValueError, match="`padding` must be"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="removes every element"):
        layers.Cropping3D(2)(numpy.zeros((1, 4, 4, 4, 1)))
    with pytest.raises(ValueError, match="rank-5 kernel"):
        volumetric.conv3d(numpy.zeros((1, 3, 3, 3, 1)), numpy.zeros((3, 3, 1, 1)))


def test_ops_conv_and_pools_take_3d_inputs(rng):
    x, kernel = rng.normal(size=(2, 4, 5, 3, 2)), rng.normal(size=(2, 2, 2, 2, 3))
    numpy.testing.assert_allclose(ops.conv(x, kernel, padding="same").numpy(),
                                  volumetric.conv3d(x, kernel, padding="same").numpy())
    numpy.testing.assert_allclose(ops.max_pool(x, 2).numpy(), volumetric.max_pool3d(x, 2).numpy())
    numpy.testing.assert_allclose(ops.average_pool(x, 2, data_format="channels_first").numpy(),
                                  volumetric.average_pool3d(x, 2, data_format="channels_first").numpy())
