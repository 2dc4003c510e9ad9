"""neuroflow.losses: worked values, gradients, reductions, weights, shapes, logits shortcut, identifiers."""
import math

import numpy
import pytest

from neuroflow import activations, losses, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.testing import check_gradients

ONE_HOT = numpy.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
PROBS = numpy.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])


def value(x):
    return x.numpy() if isinstance(x, Tensor) else numpy.asarray(x)


# ---- worked values ---------------------------------------------------------------------------

CASES = [
    # (function, y_true, y_pred, kwargs, expected per-sample values)
    (losses.mean_squared_error, [[0, 1], [0, 0]], [[1, 1], [1, 0]], {}, [0.5, 0.5]),
    (losses.mean_absolute_error, [[0, 1], [0, 0]], [[1, 1], [1, 0]], {}, [0.5, 0.5]),
    (losses.mean_absolute_percentage_error, [[2, 4]], [[1, 5]], {}, [37.5]),
    (losses.mean_squared_logarithmic_error, [[1, 3]], [[3, 1]], {}, [math.log(2) ** 2]),
    (losses.huber, [[0, 0]], [[0.5, 3.0]], {}, [(0.125 + 2.5) / 2]),
    (losses.huber, [[0, 0]], [[0.5, 3.0]], {"delta": 2.0}, [(0.125 + 4.0) / 2]),
    (losses.log_cosh, [[0, 0]], [[0.5, -2.0]], {}, [(math.log(math.cosh(0.5)) + math.log(math.cosh(2))) / 2]),
    (losses.cosine_similarity, [[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]], {}, [0.0, -1.0, 1.0]),
    (losses.kl_divergence, [[0.2, 0.8]], [[0.4, 0.6]], {}, [0.2 * math.log(0.5) + 0.8 * math.log(0.8 / 0.6)]),
    (losses.poisson, [[1, 2]], [[2, 1]], {}, [(2 - math.log(2) + 1) / 2]),
    (losses.hinge, [[0, 1]], [[0.3, 0.4]], {}, [0.95]),
    (losses.hinge, [[-1, 1]], [[0.3, 0.4]], {}, [0.95]),
    (losses.squared_hinge, [[0, 1]], [[0.3, 0.4]], {}, [(1.69 + 0.36) / 2]),
    (losses.categorical_hinge, [[0, 1, 0]], [[0.5, 0.2, 0.9]], {}, [1.7]),
    (losses.binary_crossentropy, [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], {},
     [-(math.log(0.4) + math.log(0.4)) / 2, -(math.log(0.6) + math.log(0.4)) / 2]),
    (losses.binary_crossentropy, [[1.0]], [[0.0]], {}, [-math.log(1e-7)]),
    (losses.binary_crossentropy, [[0, 1]], [[0.0, 2.0]], {"from_logits": True},
     [(math.log(2) + math.log1p(math.exp(-2))) / 2]),
    (losses.categorical_crossentropy, ONE_HOT, PROBS, {}, [-math.log(0.95), -math.log(0.1)]),
    (losses.categorical_crossentropy, [[0, 1]], [[1.0, 3.0]], {}, [-math.log(0.75)]),  # normalized first
    (losses.categorical_crossentropy, [[0, 1]], [[0.0, math.log(3)]], {"from_logits": True}, [-math.log(0.75)]),
    (losses.sparse_categorical_crossentropy, [1, 2], PROBS, {}, [-math.log(0.95), -math.log(0.1)]),
    (losses.sparse_categorical_crossentropy, [[1], [2]], PROBS, {}, [-math.log(0.95), -math.log(0.1)]),
    (losses.sparse_categorical_crossentropy, [1], [[0.0, math.log(3)]], {"from_logits": True}, [-math.log(0.75)]),
]


@pytest.mark.parametrize("function, y_true, y_pred, kwargs, expected", CASES)
def test_worked_values(function, y_true, y_pred, kwargs, expected):
    got = value(function(numpy.array(y_true, dtype=float), numpy.array(y_pred, dtype=float), **kwargs))
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_label_smoothing():
    # binary: t -> t (1 - s) + s / 2 ; categorical: t -> t (1 - s) + s / num_classes
    got = value(losses.binary_crossentropy(numpy.array([[1.0]]), numpy.array([[0.8]]), label_smoothing=0.2))
    assert got[0] == pytest.approx(-(0.9 * math.log(0.8) + 0.1 * math.log(0.2)), rel=1e-6)
    got = value(losses.categorical_crossentropy(numpy.array([[0.0, 1.0]]), numpy.array([[0.25, 0.75]]),
                                                label_smoothing=0.2))
    assert got[0] == pytest.approx(-(0.1 * math.log(0.25) + 0.9 * math.log(0.75)), rel=1e-6)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.binary_crossentropy([[1.0]], [[0.5]], label_smoothing=1.5)


def test_focal_crossentropies():
    t, p = numpy.array([[1.0, 0.0]]), numpy.array([[0.7, 0.4]])
    bce = -numpy.array([math.log(0.7), math.log(0.6)])
    p_t = numpy.array([0.7, 0.6])
    expected = ((1 - p_t) ** 2 * bce).mean()
    assert value(losses.binary_focal_crossentropy(t, p))[0] == pytest.approx(expected, rel=1e-6)
    balanced = (numpy.array([0.25, 0.75]) * (1 - p_t) ** 2 * bce).mean()
    got = value(losses.binary_focal_crossentropy(t, p, apply_class_balancing=True))[0]
    assert got == pytest.approx(balanced, rel=1e-6)
    logits = numpy.log(p / (1 - p))
    got = value(losses.binary_focal_crossentropy(t, logits, from_logits=True))[0]
    assert got == pytest.approx(expected, rel=1e-6)
    # categorical: sum(alpha (1 - p)^gamma (-t log p))
    got = value(losses.categorical_focal_crossentropy(numpy.array([[0.0, 1.0]]), numpy.array([[0.3, 0.7]])))
    assert got[0] == pytest.approx(0.25 * 0.3 ** 2 * -math.log(0.7), rel=1e-6)


# ---- gradients -------------------------------------------------------------------------------

RNG = numpy.random.default_rng(7)
TARGET = RNG.uniform(0.1, 0.9, size=(4, 3))
PRED = RNG.uniform(0.1, 0.9, size=(4, 3))
LABELS_01 = RNG.integers(0, 2, size=(4, 3)).astype(float)
GRADIENT_CASES = [
    ("mean_squared_error", TARGET, {}),
    ("mean_absolute_error", TARGET, {}),
    ("mean_absolute_percentage_error", TARGET, {}),
    ("mean_squared_logarithmic_error", TARGET, {}),
    ("huber", TARGET * 4, {"delta": 1.0}),
    ("log_cosh", TARGET, {}),
    ("cosine_similarity", TARGET, {}),
    ("kl_divergence", TARGET, {}),
    ("poisson", TARGET, {}),
    ("hinge", LABELS_01, {}),
    ("squared_hinge", LABELS_01, {}),
    ("categorical_hinge", numpy.eye(3)[[0, 2, 1, 1]], {}),
    ("binary_crossentropy", LABELS_01, {}),
    ("binary_crossentropy", LABELS_01, {"from_logits": True, "label_smoothing": 0.1}),
    ("binary_focal_crossentropy", LABELS_01, {"apply_class_balancing": True}),
    ("binary_focal_crossentropy", LABELS_01, {"from_logits": True}),
    ("categorical_crossentropy", numpy.eye(3)[[0, 2, 1, 1]], {}),
    ("categorical_crossentropy", numpy.eye(3)[[0, 2, 1, 1]], {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_focal_crossentropy", numpy.eye(3)[[0, 2, 1, 1]], {}),
    ("categorical_focal_crossentropy", numpy.eye(3)[[0, 2, 1, 1]], {"from_logits": True}),
    ("sparse_categorical_crossentropy", numpy.array([0, 2, 1, 1]), {}),
    ("sparse_categorical_crossentropy", numpy.array([0, 2, 1, 1]), {"from_logits": True}),
]


@pytest.mark.parametrize("name, y_true, kwargs", GRADIENT_CASES)
def test_gradient_with_respect_to_y_pred(name, y_true, kwargs):
    function = getattr(losses, name)
    check_gradients(lambda p: function(Tensor(y_true), p, **kwargs), PRED)


def test_gradient_of_reduced_class_loss():
    loss = losses.CategoricalCrossentropy(dtype="float64")
    weights = numpy.array([1.0, 0.5, 2.0, 0.0])
    check_gradients(lambda p: loss(numpy.eye(3)[[0, 2, 1, 1]], p, sample_weight=weights), PRED)


# ---- reductions and sample weights -----------------------------------------------------------

Y_TRUE = numpy.array([[0.0, 1.0], [0.0, 0.0]])
Y_PRED = numpy.array([[1.0, 1.0], [1.0, 0.0]])


def test_reductions():
    # per-sample mse: [0.5, 0.5]
    assert float(losses.MeanSquaredError()(Y_TRUE, Y_PRED)) == pytest.approx(0.5)
    assert float(losses.MeanSquaredError(reduction="sum")(Y_TRUE, Y_PRED)) == pytest.approx(1.0)
    assert float(losses.MeanSquaredError(reduction="mean")(Y_TRUE, Y_PRED)) == pytest.approx(0.5)
    numpy.testing.assert_allclose(value(losses.MeanSquaredError(reduction="none")(Y_TRUE, Y_PRED)), [0.5, 0.5])
    numpy.testing.assert_allclose(value(losses.MeanSquaredError(reduction=None)(Y_TRUE, Y_PRED)), [0.5, 0.5])
    assert losses.MeanSquaredError()(Y_TRUE, Y_PRED).dtype == "float32"
    with pytest.raises(ValueError, match="Invalid reduction"):
        losses.MeanSquaredError(reduction="average")


def test_sample_weights():
    loss = losses.MeanSquaredError()
    # Keras' documented example: weights [0.7, 0.3] -> (0.5 * 0.7 + 0.5 * 0.3) / 2 = 0.25
    assert float(loss(Y_TRUE, Y_PRED, sample_weight=[0.7, 0.3])) == pytest.approx(0.25)
    assert float(loss(Y_TRUE, Y_PRED, sample_weight=[[0.7], [0.3]])) == pytest.approx(0.25)
    assert float(loss(Y_TRUE, Y_PRED, sample_weight=2.0)) == pytest.approx(1.0)
    weighted = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert float(weighted(Y_TRUE, Y_PRED, sample_weight=[0.7, 0.3])) == pytest.approx(0.5)
    numpy.testing.assert_allclose(value(losses.MeanSquaredError(reduction="none")(
        Y_TRUE, Y_PRED, sample_weight=[0.7, 0.3])), [0.35, 0.15], rtol=1e-6)
    # per-sample weights spread over a sequence loss's time axis
    sequence = losses.MeanSquaredError(reduction="sum")
    got = sequence(numpy.zeros((2, 3, 1)), numpy.ones((2, 3, 1)), sample_weight=[1.0, 0.0])
    assert float(got) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="sample_weight"):
        loss(Y_TRUE, Y_PRED, sample_weight=[1.0, 2.0, 3.0])


def test_sparse_ignore_class_leaves_entries_out_of_the_mean():
    probabilities = numpy.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    labels = numpy.array([0, -1, 1])
    per_sample = value(losses.sparse_categorical_crossentropy(labels, probabilities, ignore_class=-1))
    numpy.testing.assert_allclose(per_sample, [-math.log(0.5), 0.0, -math.log(0.8)], rtol=1e-6)
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    expected = (-math.log(0.5) - math.log(0.8)) / 2
    assert float(loss(labels, probabilities)) == pytest.approx(expected, rel=1e-5)


# ---- shapes ----------------------------------------------------------------------------------

def test_rank_differences_by_a_trailing_one_are_reconciled():
    y_true = numpy.array([1.0, 0.0, 2.0])
    y_pred = numpy.array([[1.5], [0.0], [1.0]])
    numpy.testing.assert_allclose(value(losses.mean_squared_error(y_true, y_pred)), [0.25, 0.0, 1.0])
    assert float(losses.MeanSquaredError()(y_true, y_pred)) == pytest.approx(1.25 / 3)
    assert float(losses.BinaryCrossentropy()([1.0, 0.0], [[0.8], [0.4]])) == pytest.approx(
        -(math.log(0.8) + math.log(0.6)) / 2, rel=1e-6)


def test_shapes_that_would_broadcast_silently_are_refused():
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(32,\).*\(32, 10\).*sparse_categorical"):
        losses.CategoricalCrossentropy()(numpy.zeros(32), numpy.full((32, 10), 0.1))
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(4, 5\).*\(4, 2\)"):
        losses.mean_squared_error(numpy.zeros((4, 5)), numpy.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"mean_squared_error"):
        losses.mean_squared_error(numpy.zeros(4), numpy.zeros((4, 3)))
    with pytest.raises(ValueError, match="one-hot"):
        losses.sparse_categorical_crossentropy(numpy.eye(3), numpy.full((3, 3), 1 / 3))


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\[0, 3\).*\[-1, 3\]"):
        losses.sparse_categorical_crossentropy(numpy.array([0, 3, -1]), numpy.full((3, 3), 1 / 3))


# ---- the logits shortcut ---------------------------------------------------------------------

def test_softmax_output_uses_logits_with_the_same_value():
    logits = numpy.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]])
    probabilities = activations.softmax(Tensor(logits))
    shortcut = value(losses.categorical_crossentropy(ONE_HOT, probabilities))
    plain = value(losses.categorical_crossentropy(ONE_HOT, probabilities.numpy()))
    exact = value(losses.categorical_crossentropy(ONE_HOT, logits, from_logits=True))
    numpy.testing.assert_allclose(shortcut, exact, rtol=1e-12)
    numpy.testing.assert_allclose(plain, exact, rtol=1e-6)
    sparse = value(losses.sparse_categorical_crossentropy(numpy.array([1, 2]), probabilities))
    numpy.testing.assert_allclose(sparse, exact, rtol=1e-12)
    sigmoid_out = activations.sigmoid(Tensor(logits))
    binary = value(losses.binary_crossentropy(numpy.eye(3)[[0, 1]][:, :3], sigmoid_out))
    binary_exact = value(losses.binary_crossentropy(numpy.eye(3)[[0, 1]][:, :3], logits, from_logits=True))
    numpy.testing.assert_allclose(binary, binary_exact, rtol=1e-12)


def test_extreme_logits_stay_finite_and_exact():
    logits = Tensor(numpy.array([[1000.0, 0.0, -1000.0]]))
    with GradientTape() as tape:
        tape.watch(logits)
        loss = losses.CategoricalCrossentropy(dtype="float64")(numpy.array([[0.0, 0.0, 1.0]]),
                                                               activations.softmax(logits))
    assert float(loss) == pytest.approx(2000.0)  # the clipped probability path would give 16.1
    gradient = tape.gradient(loss, logits).numpy()
    numpy.testing.assert_allclose(gradient, [[1.0, 0.0, -1.0]], atol=1e-12)
    z = Tensor(numpy.array([[-800.0]]))
    assert float(losses.BinaryCrossentropy(dtype="float64")([[1.0]], activations.sigmoid(z))) == pytest.approx(800.0)


def test_from_logits_on_a_softmax_output_warns():
    with pytest.warns(UserWarning, match="from_logits=True"):
        losses.categorical_crossentropy(ONE_HOT, activations.softmax(Tensor(PROBS)), from_logits=True)


# ---- identifiers and configs -----------------------------------------------------------------

def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert isinstance(losses.get("Huber"), losses.Huber)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Huber(delta=3.0)
    assert losses.get(instance) is instance
    assert losses.get(None) is None
    restored = losses.get({"class_name": "Huber", "config": {"delta": 2.5}})
    assert restored.get_config()["delta"] == 2.5
    with pytest.raises(ValueError, match="Did you mean 'mean_squared_error'"):
        losses.get("mean_sqared_error")


CLASSES = [losses.MeanSquaredError, losses.MeanAbsoluteError, losses.MeanAbsolutePercentageError,
           losses.MeanSquaredLogarithmicError, losses.CosineSimilarity, losses.Huber, losses.LogCosh,
           losses.Hinge, losses.SquaredHinge, losses.CategoricalHinge, losses.KLDivergence, losses.Poisson,
           losses.BinaryCrossentropy, losses.BinaryFocalCrossentropy, losses.CategoricalCrossentropy,
           losses.CategoricalFocalCrossentropy, losses.SparseCategoricalCrossentropy]


@pytest.mark.parametrize("cls", CLASSES)
def test_config_round_trip(cls):
    loss = cls(reduction="sum", name="custom")
    config = loss.get_config()
    assert config["name"] == "custom" and config["reduction"] == "sum"
    clone = cls.from_config(config)
    assert clone.get_config() == config
    assert type(losses.deserialize(losses.serialize(loss))) is cls


def test_default_names_and_arguments():
    assert losses.Huber().name == "huber_loss"
    assert losses.BinaryCrossentropy().get_config()["from_logits"] is False
    assert losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1).get_config()["label_smoothing"] == 0.1
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    with pytest.raises(TypeError, match="unexpected argument"):
        losses.Huber(delt=1.0)


def test_loss_function_wrapper_and_subclass():
    wrapper = losses.LossFunctionWrapper(losses.mean_absolute_error, reduction="sum")
    assert wrapper.name == "mean_absolute_error"
    assert float(wrapper(Y_TRUE, Y_PRED)) == pytest.approx(1.0)
    assert losses.LossFunctionWrapper.from_config(wrapper.get_config()).fn is losses.mean_absolute_error

    class Doubled(losses.Loss):
        def call(self, y_true, y_pred):
            return losses.mean_squared_error(y_true, y_pred) * 2.0

    assert Doubled().name == "doubled"
    assert float(Doubled()(Y_TRUE, Y_PRED)) == pytest.approx(1.0)


def test_integer_labels_stay_integers_and_give_the_float_labels_loss():
    # Keras casts y_true to float32 and the sparse kernel casts it back; integer labels skip both.
    logits = numpy.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]], dtype="float32")
    probabilities = activations.softmax(Tensor(logits))
    loss = losses.SparseCategoricalCrossentropy()
    from_integers = value(loss(numpy.array([1, 2]), probabilities))
    from_floats = value(loss(numpy.array([1.0, 2.0], dtype="float32"), probabilities))
    assert from_integers == from_floats
    assert losses.SparseCategoricalCrossentropy().class_labels
    assert losses.LossFunctionWrapper(losses.get("sparse_categorical_crossentropy")).class_labels
    assert not losses.CategoricalCrossentropy().class_labels


# ---- the unweighted batch mean folded into the sparse kernel (Loss._batch_mean) -----------------

def _softmax_output(rng, shape=(8, 5)):
    logits = Variable(rng.normal(size=shape).astype("float32"))
    return logits, activations.softmax(logits)  # remembers its logits, as a Dense(softmax) output does


@pytest.mark.parametrize("make", [lambda: losses.SparseCategoricalCrossentropy(),
                                  lambda: losses.LossFunctionWrapper(losses.sparse_categorical_crossentropy)])
def test_sparse_crossentropy_mean_equals_the_mean_of_the_per_sample_losses(make):
    rng = numpy.random.default_rng(0)
    _, probabilities = _softmax_output(rng)
    labels = rng.integers(0, 5, size=8)
    loss = make()
    per_sample = losses.sparse_categorical_crossentropy(labels, probabilities).numpy()
    fused = loss(labels, probabilities)
    assert fused.shape == () and str(fused.dtype) == "float32"
    numpy.testing.assert_allclose(fused.numpy(), per_sample.mean(), rtol=1e-6)
    # Weighted, masked and summed losses take the per-sample path, and agree with it.
    weights = rng.uniform(size=8).astype("float32")
    numpy.testing.assert_allclose(loss(labels, probabilities, sample_weight=weights).numpy(),
                                  (per_sample * weights).mean(), rtol=1e-6)
    summed = losses.SparseCategoricalCrossentropy(reduction="sum")(labels, probabilities)
    numpy.testing.assert_allclose(summed.numpy(), per_sample.sum(), rtol=1e-6)
    ignoring = losses.SparseCategoricalCrossentropy(ignore_class=labels[0])(labels, probabilities)
    kept = labels != labels[0]
    numpy.testing.assert_allclose(ignoring.numpy(), per_sample[kept].mean(), rtol=1e-5)


def test_sparse_crossentropy_mean_is_one_op_on_the_tape():
    rng = numpy.random.default_rng(1)
    logits, probabilities = _softmax_output(rng)
    labels = rng.integers(0, 5, size=8)
    with GradientTape() as tape:
        probabilities = activations.softmax(logits)
        loss = losses.SparseCategoricalCrossentropy()(labels, probabilities)
    recorded = [record[0].name for record in tape._records]
    assert "mean" not in recorded and recorded[-1] == "sparse_softmax_cross_entropy"
    gradient = tape.gradient(loss, logits).numpy()
    p = probabilities.numpy().astype("float64")
    expected = (p - numpy.eye(5)[labels]) / 8
    numpy.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-7)


def test_a_subclass_with_its_own_call_keeps_its_per_sample_losses():
    class Doubled(losses.SparseCategoricalCrossentropy):
        def call(self, y_true, y_pred):
            return ops.multiply(super().call(y_true, y_pred), 2.0)

    rng = numpy.random.default_rng(2)
    _, probabilities = _softmax_output(rng)
    labels = rng.integers(0, 5, size=8)
    plain = losses.SparseCategoricalCrossentropy()(labels, probabilities).numpy()
    numpy.testing.assert_allclose(Doubled()(labels, probabilities).numpy(), 2 * plain, rtol=1e-6)


def test_an_empty_batch_still_gives_a_zero_sparse_loss():
    probabilities = activations.softmax(Tensor(numpy.zeros((0, 3), dtype="float32")))
    loss = losses.SparseCategoricalCrossentropy()(numpy.zeros(0, dtype="int64"), probabilities)
    assert float(loss) == 0.0
