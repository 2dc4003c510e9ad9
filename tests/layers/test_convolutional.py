"""Convolution layers: outputs against direct loops, float64 gradient checks, weights, configs, saving."""
import math
import re

import numpy
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients
from tests.conftest import shared_data_path
from tests.layers.helpers import check_save_load_round_trip, config_round_trip


def _same_pads(size, kernel, stride, dilation):
    effective = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def naive_conv2d(x, kernel, bias, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1):
    """Direct convolution, one output pixel and filter at a time (NHWC, TF 'same' padding)."""
    n, h, w, c = x.shape
    kh, kw, c_group, filters = kernel.shape
    pads = [_same_pads(s, k, st, d) if padding == "same" else (0, 0)
            for s, k, st, d in zip((h, w), (kh, kw), strides, dilation)]
    if padding == "causal":
        pads = [(0, 0), ((kw - 1) * dilation[1], 0)]
    xp = numpy.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (xp.shape[1] - ((kh - 1) * dilation[0] + 1)) // strides[0] + 1
    ow = (xp.shape[2] - ((kw - 1) * dilation[1] + 1)) // strides[1] + 1
    out = numpy.zeros((n, oh, ow, filters))
    per_group = filters // groups
    for b in range(n):
        for y in range(oh):
            for x_ in range(ow):
                for o in range(filters):
                    g = o // per_group
                    total = 0.0
                    for i in range(kh):
                        for j in range(kw):
                            for ci in range(c_group):
                                total += (xp[b, y * strides[0] + i * dilation[0], x_ * strides[1] + j * dilation[1],
                                             g * c_group + ci] * kernel[i, j, ci, o])
                    out[b, y, x_, o] = total + (0.0 if bias is None else bias[o])
    return out


def naive_conv2d_transpose(x, kernel, bias, strides, padding, output_padding=None):
    """Scatters each input pixel through the kernel, then crops TF's way."""
    n, h, w, cin = x.shape
    kh, kw, filters, _ = kernel.shape
    full = numpy.zeros((n, (h - 1) * strides[0] + kh, (w - 1) * strides[1] + kw, filters))
    for b in range(n):
        for y in range(h):
            for x_ in range(w):
                for i in range(kh):
                    for j in range(kw):
                        full[b, y * strides[0] + i, x_ * strides[1] + j] += kernel[i, j] @ x[b, y, x_]
    sizes = []
    for size, k, s, a in zip((h, w), (kh, kw), strides, (0, 1)):
        extra = None if output_padding is None else output_padding[a]
        if extra is None:
            sizes.append(size * s + max(k - s, 0) if padding == "valid" else size * s)
        else:
            sizes.append((size - 1) * s + k - 2 * (k // 2 if padding == "same" else 0) + extra)
    out = numpy.zeros((n, sizes[0], sizes[1], filters))
    starts = [max((size - 1) * s + k - o, 0) // 2 if padding == "same" else 0
              for size, k, s, o in zip((h, w), (kh, kw), strides, sizes)]
    for y in range(sizes[0]):
        for x_ in range(sizes[1]):
            fy, fx = y + starts[0], x_ + starts[1]
            if fy < full.shape[1] and fx < full.shape[2]:
                out[:, y, x_] = full[:, fy, fx]
    return out + (0.0 if bias is None else bias)


def naive_depthwise(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    c, multiplier = kernel.shape[2:]
    columns = [naive_conv2d(x[..., k:k + 1], kernel[:, :, k:k + 1, :], None, strides, padding, dilation)
               for k in range(c)]
    return numpy.concatenate(columns, axis=-1)  # channel k * m + j


def _weights(rng, layer, x):
    """Builds `layer` on x and gives it random float64-representable weights (bias too)."""
    layer(x)
    values = [rng.normal(size=w.shape) for w in layer.weights]
    layer.set_weights(values)
    return values


@pytest.mark.parametrize("strides, padding, dilation, groups", [
    ((1, 1), "valid", (1, 1), 1), ((2, 2), "valid", (1, 1), 1), ((2, 1), "same", (1, 1), 1),
    ((1, 1), "same", (2, 2), 1), ((1, 1), "valid", (2, 1), 1), ((1, 1), "same", (1, 1), 2),
    ((3, 2), "same", (1, 1), 1)])
def test_conv2d_matches_direct_loops(float64, rng, strides, padding, dilation, groups):
    x = rng.normal(size=(2, 7, 6, 4))
    layer = layers.Conv2D(6, (3, 2), strides=strides, padding=padding, dilation_rate=dilation, groups=groups)
    kernel, bias = _weights(rng, layer, x)
    assert kernel.shape == (3, 2, 4 // groups, 6) and bias.shape == (6,)
    expected = naive_conv2d(x, kernel, bias, strides, padding, dilation, groups)
    numpy.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-10, atol=1e-10)


def test_conv2d_relu_and_no_bias_float32(rng):
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    layer = layers.Conv2D(4, 3, activation="relu", use_bias=False)
    (kernel,) = _weights(rng, layer, x)
    y = layer(x).numpy()
    assert y.dtype == numpy.float32 and [w.name for w in layer.weights] == ["kernel"]
    numpy.testing.assert_allclose(y, numpy.maximum(naive_conv2d(x, kernel, None), 0), rtol=1e-5, atol=1e-5)


def test_conv2d_channels_first_matches_channels_last(float64, rng):
    x = rng.normal(size=(2, 6, 5, 3))
    last = layers.Conv2D(4, 3, strides=2, padding="same")
    first = layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first")
    _weights(rng, last, x)
    first(numpy.transpose(x, (0, 3, 1, 2)))
    first.set_weights(last.get_weights())
    numpy.testing.assert_allclose(first(numpy.transpose(x, (0, 3, 1, 2))).numpy(),
                                  numpy.transpose(last(x).numpy(), (0, 3, 1, 2)), rtol=1e-12)


@pytest.mark.parametrize("padding, strides, dilation", [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2)])
def test_conv1d_matches_direct_loops(float64, rng, padding, strides, dilation):
    x = rng.normal(size=(2, 9, 3))
    layer = layers.Conv1D(5, 3, strides=strides, padding=padding, dilation_rate=dilation)
    kernel, bias = _weights(rng, layer, x)
    assert kernel.shape == (3, 3, 5)
    expected = naive_conv2d(x[:, None], kernel[None], bias, (1, strides), padding, (1, dilation))[:, 0]
    numpy.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-10, atol=1e-10)


def test_conv1d_causal_output_never_sees_the_future(float64, rng):
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = rng.normal(size=(1, 10, 2))
    before = layer(x).numpy()
    x[:, 6:] += 1.0
    after = layer(x).numpy()
    numpy.testing.assert_array_equal(before[:, :6], after[:, :6])
    assert not numpy.allclose(before[:, 6:], after[:, 6:])


@pytest.mark.parametrize("strides, padding, output_padding", [
    ((1, 1), "valid", None), ((2, 2), "valid", None), ((2, 2), "same", None), ((3, 2), "same", None),
    ((2, 2), "same", (1, 0)), ((2, 3), "valid", (1, 2))])
def test_conv2d_transpose_matches_scatter_loops(float64, rng, strides, padding, output_padding):
    x = rng.normal(size=(2, 3, 4, 3))
    layer = layers.Conv2DTranspose(2, (3, 2), strides=strides, padding=padding, output_padding=output_padding)
    kernel, bias = _weights(rng, layer, x)
    assert kernel.shape == (3, 2, 2, 3)
    expected = naive_conv2d_transpose(x, kernel, bias, strides, padding, output_padding)
    numpy.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("strides, padding, dilation", [((1, 1), "valid", (1, 1)), ((2, 2), "same", (1, 1)),
                                                        ((1, 1), "same", (2, 2))])
def test_depthwise_conv2d_matches_direct_loops(float64, rng, strides, padding, dilation):
    x = rng.normal(size=(2, 6, 6, 3))
    layer = layers.DepthwiseConv2D(3, strides=strides, padding=padding, depth_multiplier=2, dilation_rate=dilation)
    kernel, bias = _weights(rng, layer, x)
    assert kernel.shape == (3, 3, 3, 2) and bias.shape == (6,)
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "bias"]
    expected = naive_depthwise(x, kernel, strides, padding, dilation) + bias
    numpy.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-10, atol=1e-10)


def test_separable_conv2d_is_depthwise_then_pointwise(float64, rng):
    x = rng.normal(size=(2, 5, 5, 3))
    layer = layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, activation="tanh")
    depthwise, pointwise, bias = _weights(rng, layer, x)
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert depthwise.shape == (3, 3, 3, 2) and pointwise.shape == (1, 1, 6, 4) and bias.shape == (4,)
    expected = numpy.tanh(naive_depthwise(x, depthwise, padding="same") @ pointwise[0, 0] + bias)
    numpy.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Conv2D(3, 2, strides=2, padding="same", activation="relu"), (2, 5, 4, 2)),
    (lambda: layers.Conv2D(4, 3, dilation_rate=2, groups=2, activation="tanh"), (2, 6, 6, 2)),
    (lambda: layers.Conv2D(2, 2, data_format="channels_first", activation="sigmoid"), (2, 3, 4, 4)),
    (lambda: layers.Conv1D(3, 3, padding="causal", activation="elu"), (2, 6, 2)),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same"), (2, 3, 3, 2)),
    (lambda: layers.Conv2DTranspose(2, 2, strides=2, output_padding=1, data_format="channels_first"), (1, 2, 2, 3)),
    (lambda: layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same", activation="tanh"), (2, 4, 3, 2)),
    (lambda: layers.SeparableConv2D(3, 2, strides=2, padding="same", depth_multiplier=2), (2, 4, 4, 2)),
])
def test_gradients_match_finite_differences(float64, rng, make, shape):
    layer = make()
    layer(numpy.zeros(shape))
    layer.set_weights([rng.normal(size=w.shape) for w in layer.weights])  # nonzero bias: relu kinks avoided
    check_layer_gradients(layer, rng.normal(size=shape))


@pytest.mark.parametrize("layer", [
    layers.Conv1D(3, 2, padding="causal", groups=1, kernel_regularizer="l2", activation="relu"),
    layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", data_format="channels_first", dilation_rate=1,
                  groups=2, use_bias=False, kernel_constraint="max_norm", kernel_initializer="he_normal"),
    layers.Conv2DTranspose(2, 3, strides=2, output_padding=1, bias_regularizer="l1"),
    layers.DepthwiseConv2D(3, depth_multiplier=2, depthwise_regularizer="l2", activity_regularizer="l1"),
    layers.SeparableConv2D(5, 3, pointwise_initializer="zeros", pointwise_constraint="non_neg"),
])
def test_config_round_trip(layer):
    clone = config_round_trip(layer)
    assert clone.get_config()["name"] == layer.name


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Conv2D(3, 3, padding="same", activation="relu"), (6, 6, 2)),
    (lambda: layers.Conv1D(3, 2, padding="causal"), (5, 2)),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2), (3, 3, 2)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (5, 5, 2)),
    (lambda: layers.SeparableConv2D(3, 3, data_format="channels_first"), (2, 5, 5)),
])
def test_native_save_load_round_trip(tmp_path, rng, make, shape):
    check_save_load_round_trip(tmp_path, make(), shape, rng)


def test_summary_shows_output_shapes_and_params(capsys):
    model = models.Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                               layers.Conv2D(8, 3, strides=2, padding="same", data_format="channels_last"),
                               layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
                               layers.SeparableConv2D(6, 3), layers.DepthwiseConv2D(3, depth_multiplier=3)])
    model.summary()
    text = capsys.readouterr().out
    for row in [r"conv2d(_\d+)? \(Conv2D\)", r"\(None, 26, 26, 32\) +│ +320 ", r"\(None, 13, 13, 8\) +│ +2,312 ",
                r"conv2d_transpose(_\d+)? \(Conv2DTranspose\)", r"\(None, 26, 26, 4\) +│ +292 ",
                r"\(None, 24, 24, 6\) +│ +66 ", r"\(None, 22, 22, 18\) +│ +180 "]:
        assert re.search(row, text), (row, text)


def test_wrong_rank_and_channels_name_the_layer(rng):
    layer = layers.Conv2D(2, 3, name="features")
    with pytest.raises(ValueError, match=r"features.*expected ndim=4, found ndim=3"):
        layer(rng.normal(size=(2, 5, 5)))
    layer(rng.normal(size=(2, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"features.*axis -1.*value 3.*\(2, 5, 5, 4\)"):
        layer(rng.normal(size=(2, 5, 5, 4)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layers.Conv2D(2, 5)(rng.normal(size=(1, 3, 3, 1)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="filters"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding.*causal"):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="data_format"):
        layers.Conv2D(3, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="divisible by groups"):
        layers.Conv2D(4, 3, groups=2)(numpy.zeros((1, 4, 4, 3)))


def _mnist_subset(count):
    path = shared_data_path("mnist.npz")
    if path is None:
        pytest.skip("mnist.npz not found (set NEUROFLOW_DATA_DIR or provide ../shared/data)")
    (x_train, y_train), (x_test, y_test) = neuroflow.datasets.mnist.load_data(path=str(path))
    scale = numpy.float32(1 / 255)
    return (x_train[:count, :, :, None] * scale, y_train[:count]), (x_test[:1000, :, :, None] * scale, y_test[:1000])


def test_small_cnn_beats_dense_baseline_on_mnist():
    """2,000 digits, 5 epochs (about 2 s on an idle 2-core machine)."""
    (x, y), (x_test, y_test) = _mnist_subset(2000)
    results = {}
    for kind in ("cnn", "dense"):
        neuroflow.set_random_seed(0)
        if kind == "cnn":
            body = [layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(),
                    layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten()]
        else:  # about as many weights (~6.5k) as the CNN
            body = [layers.Flatten(), layers.Dense(8, activation="relu")]
        model = models.Sequential([layers.Input((28, 28, 1))] + body + [layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, batch_size=32, epochs=5, verbose=0)
        results[kind] = (model.count_params(), model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"])
    assert results["cnn"][1] > results["dense"][1] + 0.03, results
    assert results["cnn"][1] > 0.8, results


def test_keras_long_form_aliases_are_the_same_classes():
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution2D is layers.Conv2D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    # Built through the alias, the layer is a Conv2D by name and in its config.
    layer = layers.Convolution2D(3, 2)
    assert layer.name.startswith("conv2d") and type(layer).from_config(layer.get_config()).filters == 3
