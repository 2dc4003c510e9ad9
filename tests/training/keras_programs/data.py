"""The programs' data: small synthetic sets, the same arrays whichever library runs them."""
import numpy

# Independent of the model seed: the seeds vary the initial weights and the shuffling, not the data.
DATA_SEED = 1234


def blobs(samples=256, features=8, classes=3, separation=1.5):
    """Gaussian clusters, one per class, partly overlapping: (x float32, integer labels)."""
    rng = numpy.random.default_rng(DATA_SEED)
    centers = rng.normal(0.0, separation, size=(classes, features))
    labels = rng.integers(0, classes, size=samples)
    x = centers[labels] + rng.normal(0.0, 1.0, size=(samples, features))
    return x.astype("float32"), labels.astype("int64")


def regression(samples=256, features=16):
    """A noisy linear target with a tanh bend: (x, y) float32, y of shape (samples, 1)."""
    rng = numpy.random.default_rng(DATA_SEED + 1)
    x = rng.normal(size=(samples, features))
    weights = rng.normal(size=(features, 1)) / numpy.sqrt(features)
    y = numpy.tanh(x @ weights) * 2.0 + 0.1 * rng.normal(size=(samples, 1))
    return x.astype("float32"), y.astype("float32")


def binary_images(samples=256, side=8, prototypes=4):
    """8x8 binary images: a few prototypes with pixels flipped, (samples, side, side, 1) float32 in {0, 1}."""
    rng = numpy.random.default_rng(DATA_SEED + 2)
    bases = rng.random((prototypes, side, side)) < 0.4
    which = rng.integers(0, prototypes, size=samples)
    flips = rng.random((samples, side, side)) < 0.08
    return (bases[which] ^ flips).astype("float32")[..., None]


def tickets(samples=256, vocabulary=50, length=10, departments=4):
    """Two inputs (token ids, numeric features) and two targets (priority in [0, 1], department one-hot)."""
    rng = numpy.random.default_rng(DATA_SEED + 3)
    department = rng.integers(0, departments, size=samples)
    # Each department favours its own slice of the vocabulary.
    favoured = rng.integers(0, vocabulary // departments, size=(samples, length)) + department[:, None] * (
        vocabulary // departments)
    noise = rng.integers(0, vocabulary, size=(samples, length))
    tokens = numpy.where(rng.random((samples, length)) < 0.7, favoured, noise)
    features = rng.normal(size=(samples, 4))
    priority = (features[:, 0] + 0.5 * features[:, 1] + 0.3 * rng.normal(size=samples) > 0).astype("float32")
    one_hot = numpy.eye(departments, dtype="float32")[department]
    return (tokens.astype("int64"), features.astype("float32")), (priority[:, None], one_hot)
