"""Resizing, CenterCrop and RandomFlip: Keras' outputs, augmentation only in training, saving."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.ops import image as image_ops
from neuroflow.testing import check_gradients

IMAGES = numpy.arange(2 * 5 * 6 * 1, dtype="float32").reshape(2, 5, 6, 1)


@pytest.mark.parametrize("size, expected", [
    # keras.layers.CenterCrop(h, w)(IMAGES)[0, :, :, 0] with Keras 3.15.1
    ((3, 4), [[7, 8, 9, 10], [13, 14, 15, 16], [19, 20, 21, 22]]),
    ((2, 3), [[7, 8, 9], [13, 14, 15]]),
    ((4, 3), [[1, 2, 3], [7, 8, 9], [13, 14, 15], [19, 20, 21]]),
])
def test_center_crop_matches_keras(size, expected):
    out = layers.CenterCrop(*size)(IMAGES)
    assert out.shape == (2,) + size + (1,)
    numpy.testing.assert_array_equal(out.numpy()[0, :, :, 0], expected)
    channels_first = layers.CenterCrop(*size, data_format="channels_first")(IMAGES.transpose(0, 3, 1, 2))
    numpy.testing.assert_array_equal(channels_first.numpy()[0, 0], expected)


def test_center_crop_larger_than_the_image_is_refused_by_name():
    with pytest.raises(ValueError, match="CenterCrop.*\\(7, 8\\).*\\(5, 6\\)"):
        layers.CenterCrop(7, 8)(IMAGES)
    with pytest.raises(ValueError, match="height"):
        layers.CenterCrop(0, 3)


def test_resizing_is_image_resize_and_reports_its_shape():
    layer = layers.Resizing(8, 3)
    out = layer(IMAGES)
    numpy.testing.assert_array_equal(out.numpy(), image_ops.resize(IMAGES, (8, 3)).numpy())
    assert layer.compute_output_shape((None, 5, 6, 1)) == (None, 8, 3, 1)
    assert layers.Resizing(4, 4, interpolation="nearest")(IMAGES).shape == (2, 4, 4, 1)
    with pytest.raises(NotImplementedError, match="crop_to_aspect_ratio"):
        layers.Resizing(4, 4, crop_to_aspect_ratio=True)


def _flipped_ways(image):
    return [image, image[:, ::-1], image[::-1], image[::-1, ::-1]]


@pytest.mark.parametrize("mode, allowed", [("horizontal", (0, 1)), ("vertical", (0, 2)),
                                           ("horizontal_and_vertical", (0, 1, 2, 3))])
def test_random_flip_flips_each_image_only_in_training(mode, allowed):
    images = numpy.random.default_rng(0).normal(size=(64, 4, 5, 2)).astype("float32")
    layer = layers.RandomFlip(mode, seed=3)
    numpy.testing.assert_array_equal(layer(images).numpy(), images)  # inference: the identity
    out = layer(images, training=True).numpy()
    seen = set()
    for image, result in zip(images, out):
        matches = [k for k, way in enumerate(_flipped_ways(image)) if numpy.array_equal(way, result)]
        assert matches and matches[0] in allowed
        seen.add(matches[0])
    assert seen == set(allowed)  # 64 images: every allowed flip occurs


def test_random_flip_gradient_and_seed():
    x = numpy.random.default_rng(1).normal(size=(4, 3, 3, 2))
    check_gradients(lambda t: image_ops.random_flip(t, generator=numpy.random.default_rng(7)), x)
    first = layers.RandomFlip(seed=5)(IMAGES, training=True).numpy()
    numpy.testing.assert_array_equal(layers.RandomFlip(seed=5)(IMAGES, training=True).numpy(), first)


def test_augmented_model_trains_replays_and_saves(tmp_path):
    rng = numpy.random.default_rng(2)
    x = rng.normal(size=(64, 6, 6, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("float32")
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(4)
        model = models.Sequential([layers.Input((6, 6, 1)), layers.RandomFlip(), layers.Resizing(8, 8),
                                   layers.CenterCrop(6, 6), layers.Flatten(), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", run_eagerly=run_eagerly)
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        results.append((model, history.history))
    (traced, traced_history), (eager, eager_history) = results
    assert traced_history == eager_history
    for a, b in zip(traced.get_weights(), eager.get_weights()):
        numpy.testing.assert_array_equal(a, b)
    for name in ("m.keras", "m.nfz"):
        traced.save(tmp_path / name)
        loaded = models.load_model(tmp_path / name)
        numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), traced.predict(x, verbose=0))
        assert [type(layer).__name__ for layer in loaded.layers][:3] == ["RandomFlip", "Resizing", "CenterCrop"]


# ---- RandomRotation, RandomZoom, RandomTranslation, RandomContrast, RandomBrightness ------------

KERAS_IMAGE = numpy.arange(20, dtype="float32").reshape(1, 4, 5, 1)


@pytest.mark.parametrize("make, expected", [
    # keras.layers.<the same call>(KERAS_IMAGE, training=True)[0, :, :, 0] with Keras 3.15.1 (torch backend):
    # a factor pair (a, a) fixes the draw, so both libraries apply the same transform.
    (lambda: layers.RandomRotation((0.1, 0.1), fill_mode="constant"),  # 36 degrees counter-clockwise
     [[0.1401, 1.4481, 4.3141, 8.062, 5.6584], [0.6217, 4.0234, 7.7713, 11.5193, 15.2672],
      [3.7328, 7.4807, 11.2286, 14.9766, 16.8568], [3.8471, 10.938, 14.686, 11.8269, 1.967]]),
    (lambda: layers.RandomRotation((-0.2, -0.2)),
     [[14.6929, 10.2021, 5.7558, 1.3095, 1.1914], [15.9064, 12.6982, 8.2519, 3.8057, 2.1425],
      [16.8575, 15.1943, 10.7481, 6.3018, 3.0936], [17.8086, 17.6905, 13.2442, 8.7979, 4.3071]]),
    (lambda: layers.RandomZoom((-0.3, -0.3), fill_mode="constant"),  # zoom in
     [[2.85, 3.55, 4.25, 4.95, 5.65], [6.35, 7.05, 7.75, 8.45, 9.15],
      [9.85, 10.55, 11.25, 11.95, 12.65], [13.35, 14.05, 14.75, 15.45, 16.15]]),
    (lambda: layers.RandomZoom((0.5, 0.5), (0.2, 0.2), fill_mode="nearest"),  # zoom out
     [[0.0, 0.8, 2.0, 3.2, 4.0], [3.75, 4.55, 5.75, 6.95, 7.75],
      [11.25, 12.05, 13.25, 14.45, 15.25], [15.0, 15.8, 17.0, 18.2, 19.0]]),
    (lambda: layers.RandomTranslation((0.25, 0.25), (-0.2, -0.2), fill_mode="wrap"),
     [[16, 17, 18, 19, 15], [1, 2, 3, 4, 0], [6, 7, 8, 9, 5], [11, 12, 13, 14, 10]]),
    (lambda: layers.RandomTranslation((-0.3, -0.3), (0.1, 0.1)),
     [[6.0, 6.5, 7.5, 8.5, 9.5], [11.0, 11.5, 12.5, 13.5, 14.5],
      [15.0, 15.5, 16.5, 17.5, 18.5], [14.0, 14.5, 15.5, 16.5, 17.5]]),
])
def test_affine_augmentations_match_keras_for_a_fixed_draw(make, expected):
    numpy.testing.assert_allclose(make()(KERAS_IMAGE, training=True).numpy()[0, :, :, 0], expected, atol=2e-4)
    # A single image, channels first: the same numbers.
    layer = make()
    layer.data_format = "channels_first"
    numpy.testing.assert_allclose(layer(KERAS_IMAGE[0].transpose(2, 0, 1), training=True).numpy()[0], expected,
                                  atol=2e-4)


COLOUR_IMAGES = numpy.arange(24, dtype="float32").reshape(2, 2, 3, 2) * 10


def test_contrast_and_brightness_match_keras_for_a_fixed_draw():
    # keras.layers.RandomContrast((-0.5, 0.5))(COLOUR_IMAGES, training=True): factor 1.5, clipped to [0, 255]
    expected = [[[[0, 0], [5, 15], [35, 45]], [[65, 75], [95, 105], [125, 135]]],
                [[[95, 105], [125, 135], [155, 165]], [[185, 195], [215, 225], [245, 255]]]]
    numpy.testing.assert_allclose(layers.RandomContrast((-0.5, 0.5))(COLOUR_IMAGES, training=True).numpy(), expected)
    # keras.layers.RandomBrightness((0.3, 0.3), value_range=(0, 100)): + 30, clipped to [0, 100]
    expected = numpy.minimum(COLOUR_IMAGES + 30, 100)
    out = layers.RandomBrightness((0.3, 0.3), value_range=(0, 100))(COLOUR_IMAGES, training=True)
    numpy.testing.assert_allclose(out.numpy(), expected)
    # Keras 3's factor conventions: a contrast number f gives (0, f), a brightness number (-f, f).
    assert layers.RandomContrast(0.5).factor == (0, 0.5)
    assert layers.RandomContrast((0.3, 0.2)).factor == (0.2, 0.3)
    assert layers.RandomBrightness(0.3).factor == (-0.3, 0.3)


AUGMENTATIONS = [
    lambda **kw: layers.RandomRotation(0.2, **kw),
    lambda **kw: layers.RandomZoom(0.3, (-0.2, 0.4), **kw),
    lambda **kw: layers.RandomTranslation(0.2, 0.3, fill_mode="constant", **kw),
    lambda **kw: layers.RandomContrast(0.5, value_range=(-5, 5), **kw),
    lambda **kw: layers.RandomBrightness(0.3, value_range=(-5, 5), **kw),
]


@pytest.mark.parametrize("make", AUGMENTATIONS)
def test_augmentation_only_in_training_per_image_and_seeded(make):
    images = numpy.random.default_rng(0).normal(size=(4, 6, 7, 3)).astype("float32")
    layer = make(seed=3)
    numpy.testing.assert_array_equal(layer(images).numpy(), images)  # inference: the identity
    out = layer(images, training=True).numpy()
    assert out.shape == images.shape and out.dtype == numpy.float32
    assert not numpy.allclose(out, images)
    # Each image gets its own draw: the change differs between images.
    changes = [numpy.abs(o - i).mean() for o, i in zip(out, images)]
    assert len({round(float(c), 5) for c in changes}) == 4
    numpy.testing.assert_array_equal(make(seed=3)(images, training=True).numpy(), out)
    # The next call draws again.
    assert not numpy.array_equal(layer(images, training=True).numpy(), out)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    numpy.testing.assert_array_equal(clone(images, training=True).numpy(), out)


def test_augmentation_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="fill_mode.*reflect"):
        layers.RandomRotation(0.1, fill_mode="reflekt")
    with pytest.raises(ValueError, match="interpolation"):
        layers.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="RandomRotation.*factor"):
        layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match="height_factor.*\\(-1.0, 1.0\\]"):
        layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="width_factor"):
        layers.RandomTranslation(0.1, (0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="RandomContrast.*factor"):
        layers.RandomContrast(-0.2)
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomBrightness(0.2, value_range=255)


@pytest.mark.parametrize("make", AUGMENTATIONS)
def test_augmentation_trains_identically_traced_and_eager_and_saves(make, tmp_path, monkeypatch):
    from neuroflow.engine import trace

    replayed = []
    run = trace.Program.run
    monkeypatch.setattr(trace.Program, "run", lambda self, leaves: replayed.append(1) or run(self, leaves))
    rng = numpy.random.default_rng(2)
    x = rng.normal(size=(48, 6, 6, 2)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("float32")
    results = []
    for run_eagerly in (False, True):
        neuroflow.utils.set_random_seed(4)
        model = models.Sequential([layers.Input((6, 6, 2)), layers.Conv2D(2, 3, padding="same"), make(),
                                   layers.Flatten(), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", run_eagerly=run_eagerly)
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        results.append((model, history.history))
    (traced, traced_history), (eager, eager_history) = results
    assert len(replayed) == 4  # 3 batches x 2 epochs, the first two traced: the draws were replayed
    assert traced_history == eager_history
    for a, b in zip(traced.get_weights(), eager.get_weights()):
        numpy.testing.assert_array_equal(a, b)
    path = tmp_path / "m.keras"
    traced.save(path)
    loaded = models.load_model(path)
    assert type(loaded.layers[1]) is type(traced.layers[1])
    assert loaded.layers[1].get_config() == traced.layers[1].get_config()
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), traced.predict(x, verbose=0))


def test_keras_written_augmentation_model_loads():
    """augmentation.keras: written by Keras 3.15.1 (torch backend) from
    Sequential([Input((6, 6, 2)), RandomRotation(0.1, fill_mode='constant'), RandomZoom(0.2, (-0.1, 0.3)),
    RandomTranslation(0.1, 0.2), RandomContrast(0.3), RandomBrightness(0.2, value_range=(0, 1)), Flatten(), Dense(1)]);
    augmentation.npz holds inputs x and Keras' predict(x) y."""
    import pathlib

    fixtures = pathlib.Path(__file__).parent / "fixtures"
    model = models.load_model(fixtures / "augmentation.keras")
    data = numpy.load(fixtures / "augmentation.npz")
    assert [type(layer).__name__ for layer in model.layers][:5] == [
        "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness"]
    assert model.layers[0].factor == (-0.1, 0.1) and model.layers[0].fill_mode == "constant"
    assert model.layers[3].factor == (0, 0.3) and model.layers[4].value_range == (0, 1)
    numpy.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], atol=1e-5)
