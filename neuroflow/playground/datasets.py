"""The playground's 2-D datasets, written after TensorFlow Playground's `dataset.ts`.

Every generator takes `(num_samples, noise, rng)` and returns `(points, labels)`: `points` of shape
(num_samples, 2) in the square [-6, 6]^2 and `labels` of shape (num_samples,) in [-1, 1]
(classification: exactly -1 or +1). Each generator uses only NumPy and names nothing else in this
module, so "Export as Python" copies its source into the exported script unchanged.
"""
import numpy as np

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the playground's datasets, exports and plots are host data for the browser"

#: The half-width of the square the points are drawn in (and the heatmaps cover).
DOMAIN = 6.0


def circle(num_samples, noise, rng):
    """A disc of positives (radius 2.5) inside a ring of negatives (radii 3.5 to 5)."""
    radius = 5.0
    half = num_samples // 2
    # Positives from the inner disc, negatives from the outer ring; the label is read after the noise.
    inner = rng.uniform(0, radius * 0.5, half)
    outer = rng.uniform(radius * 0.7, radius, num_samples - half)
    distance = np.concatenate([inner, outer])
    angle = rng.uniform(0, 2 * np.pi, num_samples)
    points = np.stack([distance * np.sin(angle), distance * np.cos(angle)], axis=1)
    noisy = points + rng.uniform(-radius, radius, (num_samples, 2)) * noise
    labels = np.where(np.hypot(noisy[:, 0], noisy[:, 1]) < radius * 0.5, 1.0, -1.0)
    return points, labels


def xor(num_samples, noise, rng):
    """The four quadrants: positive where x1 and x2 share a sign."""
    points = rng.uniform(-5, 5, (num_samples, 2))
    # Push the points 0.3 away from the axes, so the classes have a visible margin.
    points += np.where(points > 0, 0.3, -0.3)
    noisy = points + rng.uniform(-5, 5, (num_samples, 2)) * noise
    labels = np.where(noisy[:, 0] * noisy[:, 1] >= 0, 1.0, -1.0)
    return points, labels


def gauss(num_samples, noise, rng):
    """Two Gaussian clouds around (2, 2) (positive) and (-2, -2) (negative); noise widens them."""
    # The variance grows linearly from 0.5 (no noise) to 4 (noise 0.5), as in TensorFlow Playground.
    variance = 0.5 + noise / 0.5 * 3.5
    half = num_samples // 2
    centers = np.concatenate([np.full((half, 2), 2.0), np.full((num_samples - half, 2), -2.0)])
    points = centers + rng.normal(0, np.sqrt(variance), (num_samples, 2))
    labels = np.concatenate([np.ones(half), -np.ones(num_samples - half)])
    return points, labels


def spiral(num_samples, noise, rng):
    """Two interleaved spirals, one per class."""
    half = num_samples // 2
    points, labels = [], []
    for delta, label in ((0.0, 1.0), (np.pi, -1.0)):
        count = half if label > 0 else num_samples - half
        step = np.arange(count) / count
        radius = step * 5
        angle = 1.75 * step * 2 * np.pi + delta
        spiral_points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
        points.append(spiral_points + rng.uniform(-1, 1, (count, 2)) * noise)
        labels.append(np.full(count, label))
    return np.concatenate(points), np.concatenate(labels)


def plane(num_samples, noise, rng):
    """Regression: the label rises linearly along x1 + x2, from -1 to 1."""
    points = rng.uniform(-6, 6, (num_samples, 2))
    noisy = points + rng.uniform(-6, 6, (num_samples, 2)) * noise
    labels = np.clip((noisy[:, 0] + noisy[:, 1]) / 10, -1, 1)
    return points, labels


def multi_gauss(num_samples, noise, rng):
    """Regression: six Gaussian bumps of alternating sign; the label is the strongest bump's value."""
    bumps = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])
    points = rng.uniform(-6, 6, (num_samples, 2))
    noisy = points + rng.uniform(-6, 6, (num_samples, 2)) * noise
    distance = np.hypot(noisy[:, None, 0] - bumps[:, 0], noisy[:, None, 1] - bumps[:, 1])
    # Each bump falls linearly from 1 at its centre to 0 at distance 2.
    values = bumps[:, 2] * np.clip(1 - distance / 2, 0, 1)
    labels = values[np.arange(num_samples), np.argmax(np.abs(values), axis=1)]
    return points, labels


#: name -> (generator, problem type, number of points), TensorFlow Playground's datasets and sizes.
DATASETS = {
    "circle": (circle, "classification", 500),
    "xor": (xor, "classification", 500),
    "gauss": (gauss, "classification", 500),
    "spiral": (spiral, "classification", 500),
    "plane": (plane, "regression", 1200),
    "multi_gauss": (multi_gauss, "regression", 1200),
}


def generate(name, noise, seed):
    """The points and labels of a built-in dataset, drawn from `seed`."""
    generator, _problem, num_samples = DATASETS[name]
    return generator(num_samples, noise, np.random.default_rng(seed))


def split(num_points, train_percent, seed):
    """Indices of the training and test points: a seeded shuffle cut at `train_percent`."""
    order = np.random.default_rng(seed).permutation(num_points)
    cut = int(num_points * train_percent / 100)
    return order[:cut], order[cut:]
