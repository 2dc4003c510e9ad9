"""Pooling layers: outputs against direct loops, gradient checks, configs, saving, summaries, errors."""
import math

import numpy
import pytest

from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip


def naive_pool2d(x, pool, strides, padding, reduce):
    """Window by window; 'same' windows hold only the real (unpadded) cells, as in TensorFlow."""
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = math.ceil(h / strides[0]), math.ceil(w / strides[1])
        top = max((oh - 1) * strides[0] + pool[0] - h, 0) // 2
        left = max((ow - 1) * strides[1] + pool[1] - w, 0) // 2
    else:
        oh, ow = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        top = left = 0
    out = numpy.zeros((n, oh, ow, c))
    for y in range(oh):
        for x_ in range(ow):
            y0, x0 = y * strides[0] - top, x_ * strides[1] - left
            window = x[:, max(y0, 0):y0 + pool[0], max(x0, 0):x0 + pool[1]]
            out[:, y, x_] = reduce(window.reshape(n, -1, c), axis=1)
    return out


@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling2D, numpy.max), (layers.AveragePooling2D, numpy.mean)])
@pytest.mark.parametrize("pool, strides, padding", [((2, 2), None, "valid"), ((3, 2), (2, 1), "valid"),
                                                    ((3, 3), (2, 2), "same"), ((2, 3), None, "same")])
def test_pool2d_matches_direct_loops(float64, rng, cls, reduce, pool, strides, padding):
    x = rng.normal(size=(2, 7, 6, 3))
    y = cls(pool, strides, padding)(x).numpy()
    numpy.testing.assert_allclose(y, naive_pool2d(x, pool, strides or pool, padding, reduce), rtol=1e-12)


@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling1D, numpy.max), (layers.AveragePooling1D, numpy.mean)])
def test_pool1d_matches_direct_loops(float64, rng, cls, reduce):
    x = rng.normal(size=(2, 9, 3))
    expected = naive_pool2d(x[:, None], (1, 3), (1, 2), "same", reduce)[:, 0]
    numpy.testing.assert_allclose(cls(3, 2, "same")(x).numpy(), expected, rtol=1e-12)


def test_channels_first_matches_channels_last(float64, rng):
    x = rng.normal(size=(2, 6, 5, 3))
    last = layers.MaxPooling2D(2, padding="same")(x).numpy()
    first = layers.MaxPooling2D(2, padding="same", data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    numpy.testing.assert_array_equal(first, last.transpose(0, 3, 1, 2))


def test_max_pool_gradient_goes_to_the_first_maximum():
    layer = layers.MaxPooling2D()
    from neuroflow import GradientTape, Tensor
    x = Tensor(numpy.array([[[[1.0], [3.0]], [[3.0], [0.0]]]], dtype="float32"))
    with GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    grad = tape.gradient(y, x).numpy()
    numpy.testing.assert_array_equal(grad[0, :, :, 0], [[0, 1], [0, 0]])


@pytest.mark.parametrize("cls, axes", [(layers.GlobalMaxPooling2D, (1, 2)), (layers.GlobalAveragePooling2D, (1, 2)),
                                       (layers.GlobalMaxPooling1D, (1,)), (layers.GlobalAveragePooling1D, (1,))])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_values_and_keepdims(float64, rng, cls, axes, keepdims):
    x = rng.normal(size=(2, 4, 3, 5)[:len(axes) + 2])
    reduce = numpy.max if "Max" in cls.__name__ else numpy.mean
    numpy.testing.assert_allclose(cls(keepdims=keepdims)(x).numpy(), reduce(x, axis=axes, keepdims=keepdims))
    first = cls(data_format="channels_first")(numpy.moveaxis(x, -1, 1)).numpy()
    numpy.testing.assert_allclose(first, reduce(x, axis=axes))


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.MaxPooling2D(2, padding="same"), (2, 5, 4, 2)),
    (lambda: layers.MaxPooling2D(3, strides=1), (1, 4, 4, 2)),
    (lambda: layers.AveragePooling2D(3, 2, "same"), (2, 5, 5, 2)),
    (lambda: layers.MaxPooling1D(2), (2, 6, 3)),
    (lambda: layers.AveragePooling1D(3, 1, "same", data_format="channels_first"), (2, 3, 5)),
    (lambda: layers.GlobalMaxPooling2D(), (2, 3, 3, 2)),
    (lambda: layers.GlobalAveragePooling2D(keepdims=True), (2, 3, 3, 2)),
    (lambda: layers.GlobalAveragePooling1D(data_format="channels_first"), (2, 3, 4)),
])
def test_gradients_match_finite_differences(float64, rng, make, shape):
    layer = make()
    # Distinct values keep max pooling away from ties, where the gradient is one-sided.
    x = rng.permutation(numpy.prod(shape)).reshape(shape) / 10.0
    check_layer_gradients(layer, x)


@pytest.mark.parametrize("layer", [layers.MaxPooling2D((3, 2), (1, 2), "same", "channels_first"),
                                   layers.AveragePooling1D(4), layers.GlobalMaxPooling1D(keepdims=True),
                                   layers.GlobalAveragePooling2D(data_format="channels_first")])
def test_config_round_trip(layer):
    config = config_round_trip(layer).get_config()
    assert config["data_format"] in ("channels_first", "channels_last")


def test_strides_default_to_pool_size():
    assert layers.MaxPooling2D((3, 2)).get_config()["strides"] == (3, 2)
    assert layers.AveragePooling1D(3, strides=1).get_config()["strides"] == (1,)


@pytest.mark.parametrize("layer, shape", [(layers.MaxPooling2D(), (6, 6, 2)), (layers.AveragePooling1D(2), (6, 2)),
                                          (layers.GlobalAveragePooling2D(keepdims=True), (4, 4, 3))])
def test_native_save_load_round_trip(tmp_path, rng, layer, shape):
    check_save_load_round_trip(tmp_path, layer, shape, rng)


def test_summary_output_shapes(capsys):
    model = models.Sequential([layers.Input((9, 8, 3)), layers.MaxPooling2D(), layers.AveragePooling2D(3, 1, "same"),
                               layers.GlobalMaxPooling2D(keepdims=True)])
    model.summary()
    text = capsys.readouterr().out
    assert "(None, 4, 4, 3)" in text and "(None, 1, 1, 3)" in text


def test_wrong_rank_and_bad_arguments(rng):
    with pytest.raises(ValueError, match=r"max_pooling2d.*expected ndim=4, found ndim=3"):
        layers.MaxPooling2D(name="max_pooling2d_x")(rng.normal(size=(2, 4, 4)))
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(padding="full")
    with pytest.raises(ValueError, match="pool_size"):
        layers.AveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="larger than the input"):
        layers.MaxPooling2D(5)(rng.normal(size=(1, 3, 3, 1)))
