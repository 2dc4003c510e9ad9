"""Resizing, CenterCrop and RandomFlip: Keras' outputs, augmentation only in training, saving."""
import numpy
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.engine.gradcheck import check_gradients
from neuroflow.ops import image as image_ops

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
