"""RandAugment and AugMix: the policies' properties (range, variety, per-batch choices), configs,
functional shapes, inference identity and errors; the augmentations they draw from are tested on their own."""
import numpy
import pytest

import neuroflow
from neuroflow import layers
from tests.layers.helpers import config_round_trip

POLICIES = {
    "randaugment": lambda: layers.RandAugment(seed=1),
    "randaugment_unit": lambda: layers.RandAugment(value_range=(0, 1), num_ops=3, factor=(0.1, 0.4),
                                                   interpolation="nearest"),
    "augmix": lambda: layers.AugMix(seed=2),
    "augmix_basic": lambda: layers.AugMix(num_chains=2, chain_depth=2, factor=0.5, alpha=0.5, all_ops=False,
                                          data_format="channels_first"),
}


@pytest.mark.parametrize("case", sorted(POLICIES))
def test_config_shapes_and_inference(rng, case):
    layer = POLICIES[case]()
    config_round_trip(layer)
    x = rng.uniform(0, 1, size=(3, 3, 6, 3)).astype("float32")  # square in channels, for either data_format
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    numpy.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert layer(neuroflow.Input((3, 6, 3))).shape == (None, 3, 6, 3)
    assert layer(x, training=True).shape == x.shape


def test_randaugment_changes_images_within_the_range(rng):
    x = rng.uniform(0, 255, size=(4, 8, 8, 3)).astype("float32")
    layer = layers.RandAugment(num_ops=2, factor=0.6, seed=0)
    outputs = [layer(x, training=True).numpy() for _ in range(6)]
    assert all(o.min() >= -1e-3 and o.max() <= 255 + 1e-3 for o in outputs)
    assert len({round(float(numpy.abs(o - x).mean()), 3) for o in outputs}) > 2
    assert layer.factor == (0, 0.6) and len(layer.augmentations) == 11


def test_augmix_blends_chains_with_the_original(rng):
    x = rng.uniform(0, 255, size=(4, 8, 8, 3)).astype("float32")
    out = layers.AugMix(seed=0)(x, training=True).numpy()
    assert out.min() >= 0 and out.max() <= 255 and not numpy.allclose(out, x)
    assert len(layers.AugMix(all_ops=False).augmentations) == 7
    # One chain of one step that applies nothing (the mix is the image itself) leaves the input.
    single = layers.AugMix(num_chains=1, chain_depth=1, factor=(0.0, 0.0), all_ops=False, seed=3)
    single.augmentations = {}
    numpy.testing.assert_allclose(single(x, training=True).numpy(), x, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("make, argument", [
    (lambda: layers.RandAugment(num_ops=0), "num_ops"), (lambda: layers.RandAugment(factor=2), "factor"),
    (lambda: layers.RandAugment(value_range=5), "value_range"), (lambda: layers.AugMix(num_chains=0), "num_chains"),
    (lambda: layers.AugMix(chain_depth=1.5), "chain_depth"), (lambda: layers.AugMix(alpha=0), "alpha"),
])
def test_errors_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()
