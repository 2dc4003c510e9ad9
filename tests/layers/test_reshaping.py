"""UpSampling2D, ZeroPadding2D, Cropping2D: values, gradients, configs, saving, errors."""
import numpy
import pytest

from neuroflow import layers, models
from neuroflow.engine.gradcheck import check_layer_gradients
from tests.layers.helpers import config_round_trip, check_save_load_round_trip


def test_upsampling_repeats_rows_and_columns(rng):
    x = rng.normal(size=(2, 3, 2, 4)).astype("float32")
    y = layers.UpSampling2D((2, 3))(x).numpy()
    numpy.testing.assert_array_equal(y, x.repeat(2, axis=1).repeat(3, axis=2))
    first = layers.UpSampling2D(2, data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    numpy.testing.assert_array_equal(first, x.repeat(2, axis=1).repeat(2, axis=2).transpose(0, 3, 1, 2))


@pytest.mark.parametrize("padding, pads", [(1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))),
                                           (((1, 0), (2, 3)), ((1, 0), (2, 3)))])
def test_zero_padding_forms(rng, padding, pads):
    x = rng.normal(size=(2, 3, 4, 2)).astype("float32")
    numpy.testing.assert_array_equal(layers.ZeroPadding2D(padding)(x).numpy(),
                                     numpy.pad(x, ((0, 0),) + pads + ((0, 0),)))
    first = layers.ZeroPadding2D(padding, data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    numpy.testing.assert_array_equal(first, numpy.pad(x, ((0, 0),) + pads + ((0, 0),)).transpose(0, 3, 1, 2))


@pytest.mark.parametrize("cropping, expected", [(1, (slice(1, 4), slice(1, 5))), ((0, 2), (slice(0, 5), slice(2, 4))),
                                                (((1, 2), (0, 3)), (slice(1, 3), slice(0, 3)))])
def test_cropping_forms(rng, cropping, expected):
    x = rng.normal(size=(2, 5, 6, 2)).astype("float32")
    numpy.testing.assert_array_equal(layers.Cropping2D(cropping)(x).numpy(), x[:, expected[0], expected[1]])
    first = layers.Cropping2D(cropping, data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    numpy.testing.assert_array_equal(first, x[:, expected[0], expected[1]].transpose(0, 3, 1, 2))


@pytest.mark.parametrize("make", [lambda: layers.UpSampling2D((2, 1)), lambda: layers.ZeroPadding2D(((1, 0), (0, 2))),
                                  lambda: layers.Cropping2D(((1, 0), (1, 0)), data_format="channels_first")])
def test_gradients_match_finite_differences(float64, rng, make):
    check_layer_gradients(make(), rng.normal(size=(2, 3, 4, 2)))


@pytest.mark.parametrize("layer", [layers.UpSampling2D(3, data_format="channels_first"), layers.ZeroPadding2D((1, 2)),
                                   layers.Cropping2D(((1, 2), (3, 4)))])
def test_config_round_trip_and_saving(tmp_path, rng, layer):
    config_round_trip(layer)
    shape = (2, 9, 10) if layer.data_format == "channels_first" else (9, 10, 2)
    check_save_load_round_trip(tmp_path, layer, shape, rng)


def test_summary_shapes(capsys):
    models.Sequential([layers.Input((5, 6, 2)), layers.ZeroPadding2D(((1, 0), (2, 3))), layers.Cropping2D(1),
                       layers.UpSampling2D((2, 3))]).summary()
    text = capsys.readouterr().out
    assert "(None, 6, 11, 2)" in text and "(None, 4, 9, 2)" in text and "(None, 8, 27, 2)" in text


def test_errors_name_the_problem(rng):
    with pytest.raises(ValueError, match="interpolation.*nearest"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(-1)
    with pytest.raises(ValueError, match="removes every element"):
        layers.Cropping2D(2)(rng.normal(size=(1, 4, 6, 1)))
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.ZeroPadding2D()(rng.normal(size=(1, 4, 6)))
