"""UpSampling2D, ZeroPadding2D, Cropping2D: values, gradients, configs, saving, errors."""
import numpy
import pytest

from neuroflow import layers, models
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import check_save_load_round_trip, config_round_trip


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


# ---- 1D: UpSampling1D, ZeroPadding1D, Cropping1D ----------------------------------------------

_X3 = numpy.arange(12, dtype="float32").reshape(2, 3, 2)


def test_1d_values_match_keras():
    # keras.layers.UpSampling1D(3)(x), x = arange(12).reshape(2, 3, 2) (Keras 3.15, torch backend)
    numpy.testing.assert_array_equal(layers.UpSampling1D(3)(_X3).numpy()[1],
                                     [[6, 7], [6, 7], [6, 7], [8, 9], [8, 9], [8, 9], [10, 11], [10, 11], [10, 11]])
    # keras.layers.ZeroPadding1D((2, 1))(x)
    numpy.testing.assert_array_equal(layers.ZeroPadding1D((2, 1))(_X3).numpy()[0],
                                     [[0, 0], [0, 0], [0, 1], [2, 3], [4, 5], [0, 0]])
    # keras.layers.ZeroPadding1D(1, data_format="channels_first")(x): pads the last axis
    numpy.testing.assert_array_equal(layers.ZeroPadding1D(1, data_format="channels_first")(_X3).numpy()[1],
                                     [[0, 6, 7, 0], [0, 8, 9, 0], [0, 10, 11, 0]])
    # keras.layers.Cropping1D((0, 2))(x)
    numpy.testing.assert_array_equal(layers.Cropping1D((0, 2))(_X3).numpy(), [[[0, 1]], [[6, 7]]])


def test_1d_values_match_numpy(rng):
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    numpy.testing.assert_array_equal(layers.UpSampling1D()(x).numpy(), x.repeat(2, axis=1))
    numpy.testing.assert_array_equal(layers.ZeroPadding1D()(x).numpy(), numpy.pad(x, ((0, 0), (1, 1), (0, 0))))
    numpy.testing.assert_array_equal(layers.Cropping1D()(x).numpy(), x[:, 1:4])
    numpy.testing.assert_array_equal(layers.Cropping1D(2)(x).numpy(), x[:, 2:3])
    numpy.testing.assert_array_equal(layers.Cropping1D((3, 0))(x).numpy(), x[:, 3:])


def test_1d_defaults_and_configs_match_keras():
    # Keras' get_config(): padding / cropping as (before, after) pairs, size an int.
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert layers.ZeroPadding1D().get_config()["data_format"] == "channels_last"
    assert layers.Cropping1D().get_config()["cropping"] == (1, 1)
    assert layers.UpSampling1D().get_config()["size"] == 2
    assert layers.ZeroPadding1D().name.startswith("zero_padding1d") and layers.UpSampling1D().name.startswith(
        "up_sampling1d")


@pytest.mark.parametrize("make", [lambda: layers.UpSampling1D(3), lambda: layers.ZeroPadding1D((0, 2)),
                                  lambda: layers.ZeroPadding1D(1, data_format="channels_first"),
                                  lambda: layers.Cropping1D((1, 2))])
def test_1d_gradients_match_finite_differences(float64, rng, make):
    check_layer_gradients(make(), rng.normal(size=(2, 5, 3)))


@pytest.mark.parametrize("layer", [layers.UpSampling1D(3), layers.ZeroPadding1D((1, 2)),
                                   layers.ZeroPadding1D(2, data_format="channels_first"), layers.Cropping1D((2, 1))])
def test_1d_config_round_trip_and_keras_saving(tmp_path, rng, layer):
    config_round_trip(layer)
    check_save_load_round_trip(tmp_path, layer, (6, 3), rng)


def test_1d_summary_shapes_and_compute_output_shape(capsys):
    models.Sequential([layers.Input((5, 2)), layers.ZeroPadding1D((1, 3)), layers.UpSampling1D(3),
                       layers.Cropping1D((2, 4))]).summary()
    text = capsys.readouterr().out
    assert "(None, 9, 2)" in text and "(None, 27, 2)" in text and "(None, 21, 2)" in text
    assert layers.ZeroPadding1D(1, data_format="channels_first").compute_output_shape((None, 3, 4)) == (None, 3, 6)
    # Variable-length sequences stay variable through padding and upsampling.
    model = models.Sequential([layers.Input((None, 2)), layers.ZeroPadding1D(2), layers.UpSampling1D(2)])
    assert model.output_shape == (None, None, 2)
    assert model.predict(numpy.ones((1, 3, 2)), verbose=0).shape == (1, 14, 2)


def test_1d_layers_train_in_functional_and_sequential_models(rng):
    x = rng.normal(size=(16, 6, 3)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    inputs = layers.Input((6, 3))
    h = layers.Cropping1D((1, 1))(layers.UpSampling1D(2)(layers.ZeroPadding1D(1)(layers.Dense(4)(inputs))))
    functional = models.Model(inputs, layers.Dense(1)(layers.Flatten()(h)))
    sequential = models.Sequential([layers.Input((6, 3)), layers.ZeroPadding1D(1), layers.Conv1D(4, 3),
                                    layers.UpSampling1D(2), layers.Cropping1D(1), layers.Flatten(), layers.Dense(1)])
    for model in (functional, sequential):
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]


def test_1d_errors_name_the_problem(rng):
    with pytest.raises(ValueError, match="UpSampling1D.*size.*positive int.*0"):
        layers.UpSampling1D(0)
    with pytest.raises(ValueError, match="UpSampling1D.*size"):
        layers.UpSampling1D((2,))
    with pytest.raises(ValueError, match="ZeroPadding1D.*padding.*tuple of 2"):
        layers.ZeroPadding1D((1, 2, 3))
    with pytest.raises(ValueError, match="Cropping1D.*cropping.*non-negative"):
        layers.Cropping1D(-1)
    with pytest.raises(ValueError, match="ZeroPadding1D.*data_format"):
        layers.ZeroPadding1D(data_format="channels_middle")
    with pytest.raises(ValueError, match="removes every step"):
        layers.Cropping1D((2, 2))(rng.normal(size=(1, 4, 2)))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.UpSampling1D()(rng.normal(size=(1, 4, 2, 1)))
