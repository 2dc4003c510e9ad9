"""RandomHue, RandomSaturation, RandomSharpness, RandomGaussianBlur, RandomColorJitter, Equalization, MixUp,
CutMix, RandomErasing, RandomShear, RandomPerspective and RandomElasticTransform: Keras 3's values where
the draws are fixed (fixtures/layersb_references.npz), the random paths' properties, gradients,
configs, functional shapes, inference identity and errors."""
import os

import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.layers.color_augmentation import shift_hue
from neuroflow.ops import geometric_draws
from neuroflow.ops import image as image_ops
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import config_round_trip

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "layersb_references.npz"))

FIXED = {
    "saturation_low": lambda: layers.RandomSaturation((0.3, 0.3)),
    "saturation_high": lambda: layers.RandomSaturation((0.8, 0.8)),
    "saturation_channels_first": lambda: layers.RandomSaturation((0.7, 0.7), data_format="channels_first"),
    "sharpness_soft": lambda: layers.RandomSharpness((0.2, 0.2)),
    "sharpness_unit": lambda: layers.RandomSharpness((0.9, 0.9), value_range=(0, 1)),
    "blur_fixed": lambda: layers.RandomGaussianBlur(factor=(1.0, 1.0), kernel_size=5, sigma=(0.7, 0.7)),
    "blur_channels_first": lambda: layers.RandomGaussianBlur(factor=(1.0, 1.0), sigma=(0.5, 0.5),
                                                             data_format="channels_first"),
    "equalization": lambda: layers.Equalization(),
    "equalization_unit_bins": lambda: layers.Equalization(value_range=(0, 1), bins=16),
    "equalization_channels_first": lambda: layers.Equalization(bins=64, data_format="channels_first"),
    "jitter_fixed": lambda: layers.RandomColorJitter(brightness_factor=(0.1, 0.1), saturation_factor=(0.7, 0.7)),
}

ALL = dict(FIXED, hue=lambda: layers.RandomHue(0.4, seed=1), mixup=lambda: layers.MixUp(alpha=0.5, seed=2),
           cutmix=lambda: layers.CutMix(factor=(0.2, 0.8), seed=3),
           jitter=lambda: layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3, saturation_factor=0.5,
                                                   hue_factor=0.1, seed=5),
           shear=lambda: layers.RandomShear(0.2, (0.1, 0.3), fill_mode="wrap", seed=6),
           perspective=lambda: layers.RandomPerspective(factor=0.7, scale=0.4, seed=7),
           perspective_nearest=lambda: layers.RandomPerspective(interpolation="nearest", fill_value=3.0,
                                                                data_format="channels_first"),
           elastic=lambda: layers.RandomElasticTransform(factor=0.8, scale=(0.2, 0.9), fill_mode="constant", seed=8),
           erasing=lambda: layers.RandomErasing(scale=(0.1, 0.4), fill_value=(1, 2, 3), seed=4),
           erasing_noise=lambda: layers.RandomErasing(factor=0.5, value_range=(0, 1), data_format="channels_first"))


@pytest.mark.parametrize("case", sorted(FIXED))
def test_matches_keras(case):
    x = REFERENCES[f"{case}_x"]
    numpy.testing.assert_allclose(FIXED[case]()(x, training=True).numpy(), REFERENCES[f"{case}_y"],
                                  rtol=1e-4, atol=1e-3 * float(x.max()))


@pytest.mark.parametrize("case, factor, value_range", [("hue_turn", 0.4, (0, 255)), ("hue_unit", 1.0, (0, 1))])
def test_hue_matches_keras_for_either_sign(case, factor, value_range):
    x, expected = REFERENCES[f"{case}_x"], REFERENCES[f"{case}_y"]
    turned = [shift_hue(x, sign * factor / 2, value_range).numpy() for sign in (1.0, -1.0)]
    for i in range(x.shape[0]):
        errors = [numpy.abs(t[i] - expected[i]).max() for t in turned]
        assert min(errors) < 1e-3 * value_range[1], errors
    layer_out = layers.RandomHue((factor, factor), value_range=value_range, seed=0)(x, training=True).numpy()
    for i in range(x.shape[0]):
        assert min(numpy.abs(t[i] - layer_out[i]).max() for t in turned) < 1e-5 * value_range[1]


@pytest.mark.parametrize("case, sx, sy, options", [
    ("shear_x", 0.3, 0.0, {"fill_mode": "reflect"}),
    ("shear_both_constant", 0.2, 0.4, {"fill_mode": "constant", "interpolation": "nearest"}),
])
def test_shear_matches_keras_for_either_sign(case, sx, sy, options):
    x, expected = REFERENCES[f"{case}_x"], REFERENCES[f"{case}_y"]
    sheared = [image_ops.affine_transform(x, [1, sign * sx, 0, sign * sy, 1, 0, 0, 0], **options).numpy()
               for sign in (1.0, -1.0)]
    for i in range(x.shape[0]):
        assert min(numpy.abs(t[i] - expected[i]).max() for t in sheared) < 1e-2
    layer = layers.RandomShear(x_factor=(sx, sx), y_factor=(sy, sy), seed=0, **options)
    out = layer(x, training=True).numpy()
    for i in range(x.shape[0]):
        assert min(numpy.abs(t[i] - out[i]).max() for t in sheared) < 1e-3


@pytest.mark.parametrize("case", sorted(ALL))
def test_config_round_trip(case):
    layer = ALL[case]()
    clone = config_round_trip(layer)
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


@pytest.mark.parametrize("case", sorted(ALL))
def test_identity_at_inference_and_functional_shape(rng, case):
    x = rng.uniform(0, 255, size=(3, 3, 6, 3)).astype("float32")  # either data_format
    if not case.startswith("equalization"):  # Equalization acts unless training=False, as Keras 3
        numpy.testing.assert_array_equal(ALL[case]()(x).numpy(), x)
    numpy.testing.assert_array_equal(ALL[case]()(x, training=False).numpy(), x)
    assert ALL[case]()(neuroflow.Input((3, 6, 3))).shape == (None, 3, 6, 3)
    assert ALL[case]()(x, training=True).shape == x.shape


def test_colour_layers_act_per_image(rng):
    x = rng.uniform(0, 255, size=(16, 3, 3, 3)).astype("float32")
    # Keras 3 clips the saturation to value_range: with (0, 1) the colours stay within the input's range.
    saturated = layers.RandomSaturation((0.2, 0.9), value_range=(0, 1), seed=0)(x, training=True).numpy()
    assert numpy.all(saturated >= -1e-3) and numpy.all(saturated <= 255 + 1e-3)
    # The value (max of r, g, b) is kept by a saturation change.
    numpy.testing.assert_allclose(saturated.max(-1), x.max(-1), rtol=1e-4, atol=1e-2)
    sharp = layers.RandomSharpness(1.0, seed=0)(x, training=True).numpy()
    assert len({float(numpy.abs(s - x).max()) for s in sharp}) > 8
    blurred = layers.RandomGaussianBlur(factor=0.5, seed=0)(x, training=True).numpy()
    kept = numpy.all(numpy.isclose(blurred, x), axis=(1, 2, 3))
    assert 0 < kept.sum() < 16
    single = layers.RandomHue(0.5, seed=0)(x[0], training=True)
    assert single.shape == x[0].shape


def test_mixup_mixes_pairs_and_labels(rng):
    x = rng.uniform(0, 255, size=(8, 4, 5, 3)).astype("float32")
    labels = numpy.eye(8, dtype="float32")
    out = layers.MixUp(alpha=1.0, seed=0)({"images": x, "labels": labels}, training=True)
    mixed, mixed_labels = out["images"].numpy(), out["labels"].numpy()
    numpy.testing.assert_allclose(mixed_labels.sum(1), 1.0, rtol=1e-6)
    for i in range(8):
        weight = mixed_labels[i, i]
        others = [j for j in range(8) if j != i and mixed_labels[i, j] > 0]
        partner = others[0] if others else i
        numpy.testing.assert_allclose(mixed[i], weight * x[i] + (1 - weight) * x[partner], rtol=1e-4, atol=1e-2)
    # One image (rank 3) has no partner.
    numpy.testing.assert_array_equal(layers.MixUp()(x[0], training=True).numpy(), x[0])


def test_cutmix_pastes_boxes_and_mixes_labels(rng):
    x = rng.uniform(1, 255, size=(8, 10, 12, 2)).astype("float32")
    labels = numpy.eye(8, dtype="float32")
    out = layers.CutMix(seed=0)({"images": x, "labels": labels}, training=True)
    mixed, mixed_labels = out["images"].numpy(), out["labels"].numpy()
    numpy.testing.assert_allclose(mixed_labels.sum(1), 1.0, rtol=1e-5)
    changed = 0
    for i in range(8):
        others = [j for j in range(8) if j != i and mixed_labels[i, j] > 0]
        if not others:
            numpy.testing.assert_array_equal(mixed[i], x[i])
            continue
        pasted = numpy.all(mixed[i] == x[others[0]], axis=-1)
        assert numpy.all(pasted | numpy.all(mixed[i] == x[i], axis=-1))
        rows, columns = numpy.nonzero(pasted)
        if rows.size:  # a rectangle
            changed += 1
            assert pasted[rows.min():rows.max() + 1, columns.min():columns.max() + 1].all()
            assert abs(1 - pasted.mean() - mixed_labels[i, i]) < 0.35
    assert changed > 0
    first = layers.CutMix(seed=0, data_format="channels_first")(numpy.moveaxis(x, -1, 1), training=True).numpy()
    assert first.shape == (8, 2, 10, 12)


def test_equalization_spreads_values_and_keeps_flat_channels(rng):
    x = rng.uniform(100, 140, size=(2, 8, 8, 3)).astype("float32")
    x[..., 2] = 7.0
    out = layers.Equalization()(x).numpy()
    assert out[..., :2].min() < 10 and out[..., :2].max() > 250
    numpy.testing.assert_array_equal(out[..., 2], x[..., 2])
    model_out = neuroflow.models.Sequential([neuroflow.Input((8, 8, 3)), layers.Equalization()]).predict(x, verbose=0)
    numpy.testing.assert_array_equal(model_out, x)  # predict calls it with training=False, as Keras 3


def test_random_perspective_warps_by_the_corners(rng):
    x = rng.uniform(0, 255, size=(6, 8, 9, 2)).astype("float32")
    numpy.testing.assert_allclose(layers.RandomPerspective(factor=(1.0, 1.0), scale=0.0)(x, training=True).numpy(), x,
                                  atol=1e-3)
    warped = layers.RandomPerspective(factor=(1.0, 1.0), seed=0)(x, training=True).numpy()
    assert numpy.all(numpy.abs(warped - x).max(axis=(1, 2, 3)) > 1)
    some = layers.RandomPerspective(factor=0.5, seed=1)(x, training=True).numpy()
    assert 0 < numpy.all(some == x, axis=(1, 2, 3)).sum() < 6


def test_random_elastic_transform_displaces_smoothly(rng):
    x = numpy.tile(numpy.linspace(0, 255, 20, dtype="float32")[None, None, :, None], (4, 20, 1, 1))
    moved = layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0), seed=0)(x, training=True).numpy()
    assert numpy.all(numpy.abs(moved - x).max(axis=(1, 2, 3)) > 0.5)
    assert moved.min() >= 0 and moved.max() <= 255
    still = layers.RandomElasticTransform(factor=(1.0, 1.0), scale=0.0, seed=0)(x, training=True).numpy()
    numpy.testing.assert_array_equal(still, x)


def test_random_erasing_fills_one_box_per_image(rng):
    x = rng.uniform(1, 255, size=(12, 10, 12, 3)).astype("float32")
    out = layers.RandomErasing(factor=(1.0, 1.0), scale=(0.3, 0.3), fill_value=0, seed=0)(x, training=True).numpy()
    for image in out:
        erased = numpy.all(image == 0, axis=-1)
        rows, columns = numpy.nonzero(erased)
        assert erased[rows.min():rows.max() + 1, columns.min():columns.max() + 1].all()
        # sides sqrt(0.3) of (10, 12): about 5.5 and 6.6 pixels
        assert 5 <= rows.max() - rows.min() + 1 <= 6 and 6 <= columns.max() - columns.min() + 1 <= 7
    noisy = layers.RandomErasing(factor=(1.0, 1.0), seed=1)(x, training=True).numpy()
    assert noisy.min() >= 0 and noisy.max() <= 255 and numpy.any(noisy != x)
    some = layers.RandomErasing(factor=0.5, fill_value=0, seed=2)(x, training=True).numpy()
    assert 0 < numpy.all(some != 0, axis=(1, 2, 3)).sum() < 12


def test_gradients_flow_through_the_transforms(rng):
    x = rng.uniform(0.1, 0.9, size=(2, 4, 4, 3))
    # Fixed draws only: the finite differences call the layer again.
    check_layer_gradients(layers.RandomSharpness((0.8, 0.8), value_range=(-5, 5), dtype="float64"), x, training=True)
    check_layer_gradients(layers.RandomGaussianBlur((1.0, 1.0), kernel_size=(3, 5), sigma=(0.6, 0.6),
                                                    value_range=(-5, 5), dtype="float64"), x, training=True)
    # A generator made afresh at each call fixes the shear's coin for the finite differences.
    shear = layers.Lambda(lambda t: geometric_draws.random_shear(t, x_factor=(0.3, 0.3), y_factor=(0.1, 0.1),
                                                                 generator=numpy.random.default_rng(0)), dtype="float64")
    check_layer_gradients(shear, x)
    perspective = layers.Lambda(lambda t: geometric_draws.random_perspective(t, scale=0.5,
                                                                             generator=numpy.random.default_rng(0)),
                                dtype="float64")
    check_layer_gradients(perspective, x)
    elastic = layers.Lambda(lambda t: geometric_draws.random_elastic(t, scale=(0.5, 0.5),
                                                                     generator=numpy.random.default_rng(0)),
                            dtype="float64")
    check_layer_gradients(elastic, x)
    check_layer_gradients(layers.RandomSaturation((0.7, 0.7), value_range=(0, 1), dtype="float64"), x, training=True)


@pytest.mark.parametrize("make, argument", [
    (lambda: layers.RandomHue(1.5), "factor"), (lambda: layers.RandomSaturation("a"), "factor"),
    (lambda: layers.RandomSharpness(0.5, value_range=3), "value_range"),
    (lambda: layers.RandomGaussianBlur(kernel_size=4), "kernel_size"),
    (lambda: layers.RandomGaussianBlur(sigma=2.0), "sigma"), (lambda: layers.MixUp(alpha=0), "alpha"),
    (lambda: layers.CutMix(factor=(0.2, 0.3, 0.4)), "factor"),
    (lambda: layers.RandomShear(x_factor=1.5), "x_factor"), (lambda: layers.RandomShear(y_factor=(0, 2)), "y_factor"),
    (lambda: layers.RandomErasing(scale=(1.5, 3)), "scale"), (lambda: layers.RandomPerspective(scale=2), "scale"),
    (lambda: layers.RandomPerspective(interpolation="cubic"), "interpolation"),
    (lambda: layers.RandomElasticTransform(scale=(2, 3)), "scale"),
    (lambda: layers.RandomElasticTransform(fill_mode="edge"), "fill_mode"), (lambda: layers.Equalization(bins=0), "bins"),
    (lambda: layers.Equalization(value_range=(1,)), "value_range"), (lambda: layers.RandomErasing(fill_value=(1, 2)), "fill_value"),
])
def test_errors_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()

