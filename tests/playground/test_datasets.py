"""The playground's datasets: TensorFlow Playground's shapes, sizes and label ranges."""
import numpy as np
import pytest

from neuroflow.playground import datasets


@pytest.mark.parametrize("name", list(datasets.DATASETS))
def test_each_dataset_has_its_size_its_square_and_its_labels(name):
    _generator, problem, size = datasets.DATASETS[name]
    points, labels = datasets.generate(name, 0.0, seed=3)
    assert points.shape == (size, 2) and labels.shape == (size,)
    assert np.abs(points).max() <= datasets.DOMAIN
    if problem == "classification":
        assert set(np.unique(labels)) == {-1.0, 1.0}
    else:
        assert labels.min() >= -1 and labels.max() <= 1 and len(np.unique(labels)) > 100


def test_the_same_seed_draws_the_same_points_and_another_seed_others():
    first, _ = datasets.generate("spiral", 0.2, seed=5)
    again, _ = datasets.generate("spiral", 0.2, seed=5)
    other, _ = datasets.generate("spiral", 0.2, seed=6)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_circle_is_a_disc_inside_a_ring_and_xor_follows_the_quadrants():
    points, labels = datasets.generate("circle", 0.0, seed=0)
    radius = np.hypot(points[:, 0], points[:, 1])
    assert radius[labels > 0].max() < 2.5 <= 3.5 <= radius[labels < 0].min()
    points, labels = datasets.generate("xor", 0.0, seed=0)
    np.testing.assert_array_equal(labels, np.where(points[:, 0] * points[:, 1] >= 0, 1.0, -1.0))
    assert np.abs(points).min() >= 0.3


def test_noise_flips_labels_of_the_circle_and_widens_the_gaussians():
    points, labels = datasets.generate("circle", 0.5, seed=0)
    radius = np.hypot(points[:, 0], points[:, 1])
    assert (labels[radius < 2.5] < 0).any()
    narrow, _ = datasets.generate("gauss", 0.0, seed=0)
    wide, _ = datasets.generate("gauss", 0.5, seed=0)
    assert narrow[:250].std() * 2 < wide[:250].std()


def test_plane_rises_along_x1_plus_x2():
    points, labels = datasets.generate("plane", 0.0, seed=0)
    np.testing.assert_allclose(labels, np.clip(points.sum(axis=1) / 10, -1, 1))


def test_the_split_gives_the_training_share_and_covers_every_point_once():
    train, test = datasets.split(500, 30, seed=1)
    assert len(train) == 150 and len(test) == 350
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(500))
