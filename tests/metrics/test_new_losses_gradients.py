"""Float64 gradient checks, placeholders, errors and compile use of Dice, Tversky, generalized CE and Circle."""
import numpy
import pytest

import neuroflow as nf
from neuroflow import losses
from neuroflow.testing import check_gradients

rng = numpy.random.default_rng(3)
Y_TRUE = (rng.random((3, 4, 2)) > 0.5).astype("float64")
Y_PRED = rng.uniform(0.05, 0.95, size=(3, 4, 2))


@pytest.mark.parametrize("fn", [
    lambda p: losses.dice(Y_TRUE, p),
    lambda p: losses.dice(Y_TRUE, p, axis=(1, 2)),
    lambda p: losses.tversky(Y_TRUE, p, alpha=0.3, beta=0.7, axis=(1, 2)),
    lambda p: losses.Dice(axis=(1, 2), dtype="float64")(Y_TRUE, p, sample_weight=numpy.array([1.0, 0.5, 2.0])),
    lambda p: losses.Tversky(dtype="float64")(Y_TRUE, p),
])
def test_overlap_gradients(fn):
    check_gradients(fn, Y_PRED)


def test_generalized_cross_entropy_gradient():
    labels = numpy.array([0, 2, 1, 1])
    probs = rng.uniform(0.1, 0.9, size=(4, 3))
    check_gradients(lambda p: losses.categorical_generalized_cross_entropy(labels, p, q=0.4), probs)
    check_gradients(lambda p: losses.CategoricalGeneralizedCrossEntropy(q=0.6, dtype="float64")(labels[:, None], p), probs)


def test_circle_gradient():
    labels = numpy.array([0, 1, 0, 1, 2, 2])
    embeddings = rng.normal(size=(6, 4))
    embeddings /= numpy.linalg.norm(embeddings, axis=1, keepdims=True)
    check_gradients(lambda e: losses.circle(labels, e, gamma=4.0, margin=0.25), embeddings)
    check_gradients(lambda e: losses.Circle(gamma=2.0, dtype="float64")(labels, e), embeddings)


def test_circle_with_a_lone_label_is_finite():
    # Class 3 has no positive pair: its query contributes a zero loss and a zero (not NaN) gradient.
    labels = numpy.array([0, 1, 0, 1, 3])
    embeddings = rng.normal(size=(5, 3))
    embeddings /= numpy.linalg.norm(embeddings, axis=1, keepdims=True)
    grads = check_gradients(lambda e: losses.circle(labels, e, gamma=3.0), embeddings)
    assert numpy.isfinite(grads[0]).all()
    assert losses.circle(labels, embeddings).numpy()[-1] == 0.0


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="q"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


@pytest.mark.parametrize("name", ["dice", "tversky", "Dice", "Tversky", "categorical_generalized_cross_entropy",
                                  "CategoricalGeneralizedCrossEntropy", "circle", "Circle"])
def test_get_and_serialize(name):
    loss = losses.get(name)
    assert callable(loss)
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) or again is loss


def test_compile_with_dice_and_tversky():
    x = rng.random((16, 3)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
    for loss in ("dice", losses.Tversky(alpha=0.7, beta=0.3)):
        model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss=loss)
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        assert numpy.isfinite(history.history["loss"]).all()


def test_compile_with_generalized_cross_entropy():
    x = rng.random((16, 3)).astype("float32")
    y = rng.integers(0, 3, size=(16,))
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_generalized_cross_entropy" if False else
                  losses.CategoricalGeneralizedCrossEntropy())
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0] + 1e-3


def test_sparse_categorical_crossentropy_class_axis():
    probs = rng.uniform(0.1, 1.0, size=(2, 3, 4))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 3, size=(2, 4))
    along_axis_1 = losses.SparseCategoricalCrossentropy(axis=1)(labels, probs)
    last_axis = losses.SparseCategoricalCrossentropy()(labels, numpy.moveaxis(probs, 1, -1))
    numpy.testing.assert_allclose(along_axis_1.numpy(), last_axis.numpy(), rtol=1e-6)
    assert "axis" not in losses.SparseCategoricalCrossentropy().get_config()   # as Keras writes it
    assert losses.deserialize(name="mse") is losses.mean_squared_error
