"""Fused cross-entropies (from logits) and the probability-space losses in ops."""
import numpy
import pytest

from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.activation_references import sigmoid, softmax
from tests.ops.op_checks import check_forward, check_op, uniform

np = numpy
EPS = 1e-7


def _soft_labels(shape, seed=5):
    labels = uniform(*shape, low=0.0, high=1.0, seed=seed)
    return labels / labels.sum(axis=-1, keepdims=True)


def _softmax_xent(labels, logits, axis=-1):
    return -(labels * np.log(softmax(logits, axis=axis))).sum(axis=axis)


@pytest.mark.parametrize("shape,axis", [((4, 3), -1), ((2, 3, 5), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_cross_entropy(shape, axis):
    labels = _soft_labels(shape) if axis == -1 else np.moveaxis(_soft_labels(np.moveaxis(np.zeros(shape), axis, -1).shape), -1, axis)
    check_op(lambda t, z: ops.softmax_cross_entropy(t, z, axis=axis),
             lambda t, z: _softmax_xent(t, z, axis=axis), labels, shape, low=-3, high=3)


def test_softmax_cross_entropy_unnormalized_labels_gradient():
    # Labels that do not sum to 1 (label smoothing gone wrong, weights): the vjp's sum(t) term.
    labels = uniform(3, 4, low=0.0, high=2.0, seed=9)
    check_op(ops.softmax_cross_entropy, _softmax_xent, labels, (3, 4))


def test_softmax_cross_entropy_hand_computed():
    logits = Tensor(np.array([[0.0, np.log(3.0)]]))
    with GradientTape() as tape:
        tape.watch(logits)
        loss = ops.softmax_cross_entropy(np.array([[0.0, 1.0]]), logits)
    np.testing.assert_allclose(loss.numpy(), [np.log(4.0 / 3.0)])  # -log(3/4)
    np.testing.assert_allclose(tape.gradient(loss, logits).numpy(), [[0.25, -0.25]])  # softmax - t


@pytest.mark.parametrize("shape,axis", [((5, 3), -1), ((2, 3, 4), -1), ((4, 3), 0)])
def test_sparse_softmax_cross_entropy(shape, axis):
    classes = shape[axis]
    label_shape = tuple(s for i, s in enumerate(shape) if i != axis % len(shape))
    labels = np.arange(int(np.prod(label_shape))).reshape(label_shape) % classes

    def reference(t, z):
        return _softmax_xent(np.moveaxis(np.eye(classes)[t], -1, axis), z, axis=axis)
    check_op(lambda t, z: ops.sparse_softmax_cross_entropy(t, z, axis=axis), reference, labels, shape)


def test_sparse_matches_dense_one_hot():
    logits = uniform(6, 4, seed=3)
    labels = np.array([0, 3, 3, 1, 2, 0])
    sparse = ops.sparse_softmax_cross_entropy(labels, logits).numpy()
    dense = ops.softmax_cross_entropy(np.eye(4)[labels], logits).numpy()
    np.testing.assert_allclose(sparse, dense, rtol=1e-12)


def test_cross_entropies_are_stable_for_extreme_logits():
    logits = np.array([[1000.0, -1000.0]], np.float32)
    np.testing.assert_allclose(ops.softmax_cross_entropy(np.array([[0.0, 1.0]]), logits).numpy(), [2000.0])
    np.testing.assert_allclose(ops.sparse_softmax_cross_entropy(np.array([1]), logits).numpy(), [2000.0])
    np.testing.assert_allclose(ops.sigmoid_cross_entropy(np.array([0.0, 1.0]), np.array([1000.0, -1000.0])).numpy(),
                               [1000.0, 1000.0])


def _sigmoid_xent(t, z):
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def test_sigmoid_cross_entropy():
    labels = uniform(3, 4, low=0.0, high=1.0, seed=4)
    check_op(ops.sigmoid_cross_entropy, _sigmoid_xent, labels, (3, 4), low=-4, high=4)
    # the stable form equals the textbook one
    z = uniform(3, 4, seed=1)
    np.testing.assert_allclose(_sigmoid_xent(labels, z),
                               -(labels * np.log(sigmoid(z)) + (1 - labels) * np.log(1 - sigmoid(z))))


def test_sigmoid_cross_entropy_python_number_label():
    np.testing.assert_allclose(ops.sigmoid_cross_entropy(1.0, np.array([0.0])).numpy(), [np.log(2.0)])


def test_sigmoid_cross_entropy_broadcast_labels():
    check_op(ops.sigmoid_cross_entropy, _sigmoid_xent, uniform(4, low=0, high=1), (3, 4))


def test_loss_kernels_keep_float32():
    logits = Tensor(uniform(4, 3).astype(np.float32))
    labels = np.eye(3)[[0, 1, 2, 0]]  # float64 labels must not promote a float32 loss
    with GradientTape() as tape:
        tape.watch(logits)
        losses = [ops.softmax_cross_entropy(labels, logits), ops.sparse_softmax_cross_entropy(np.array([0, 1, 2, 0]), logits),
                  ops.sigmoid_cross_entropy(labels, logits)]
        total = ops.add(ops.add(ops.sum(losses[0]), ops.sum(losses[1])), ops.sum(losses[2]))
    assert all(loss.dtype == "float32" for loss in losses)
    assert tape.gradient(total, logits).dtype == "float32"


# ---- probability-space losses (composites) --------------------------------------------------

def test_categorical_crossentropy():
    labels = _soft_labels((4, 3))

    def reference(t, p):
        p = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
        return -(t * np.log(p)).sum(axis=-1)
    check_op(lambda t, p: ops.categorical_crossentropy(t, p), reference, labels, (4, 3), low=0.1, high=1.0)
    check_op(lambda t, z: ops.categorical_crossentropy(t, z, from_logits=True), _softmax_xent, labels, (4, 3))


def test_sparse_categorical_crossentropy():
    labels = np.array([2, 0, 1, 1])

    def reference(t, p):
        return -np.log(np.clip(p, EPS, 1 - EPS))[np.arange(len(t)), t] + np.log(
            np.exp(np.log(np.clip(p, EPS, 1 - EPS))).sum(axis=-1))
    probabilities = softmax(uniform(4, 3, seed=2))
    check_forward(lambda t, p: ops.sparse_categorical_crossentropy(t, p), reference, labels, probabilities)
    check_op(lambda t, p: ops.sparse_categorical_crossentropy(t, p), None, labels, probabilities)
    check_op(lambda t, z: ops.sparse_categorical_crossentropy(t, z, from_logits=True),
             lambda t, z: _softmax_xent(np.eye(3)[t], z), labels, (4, 3))


def test_sparse_categorical_crossentropy_on_probabilities_is_minus_log_p():
    probabilities = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    out = ops.sparse_categorical_crossentropy(np.array([1, 0]), probabilities).numpy()
    np.testing.assert_allclose(out, [-np.log(0.7), -np.log(0.5)], rtol=1e-6)


def test_binary_crossentropy():
    labels = uniform(3, 4, low=0.0, high=1.0, seed=8)

    def reference(t, p):
        p = np.clip(p, EPS, 1 - EPS)
        return -(t * np.log(p) + (1 - t) * np.log(1 - p))
    check_op(lambda t, p: ops.binary_crossentropy(t, p), reference, labels, (3, 4), low=0.05, high=0.95)
    check_op(lambda t, z: ops.binary_crossentropy(t, z, from_logits=True), _sigmoid_xent, labels, (3, 4))


def test_sparse_cross_entropy_op_refuses_labels_outside_the_classes():
    from neuroflow.ops import loss_kernels

    logits = numpy.zeros((3, 4))
    for labels in ([0, 4, 1], [0, -1, 1]):  # NumPy would index 4 out of bounds and wrap -1 around
        with pytest.raises(ValueError, match=r"labels in \[0, 4\)"):
            loss_kernels.sparse_softmax_cross_entropy(numpy.array(labels), logits)


# ---- the sparse kernel reading a softmax output's probabilities --------------------------------

def _with_probabilities(labels, logits):
    return ops.sparse_softmax_cross_entropy(labels, logits, probabilities=ops.softmax(logits))


def test_sparse_kernel_from_probabilities_matches_the_logits_kernel_and_its_gradient():
    from neuroflow.testing import check_gradients
    logits = uniform(6, 4, seed=3, low=-3, high=3)
    labels = np.array([0, 3, 3, 1, 2, 0])
    from_probabilities = _with_probabilities(labels, Tensor(logits)).numpy()
    np.testing.assert_allclose(from_probabilities, ops.sparse_softmax_cross_entropy(labels, logits).numpy(),
                               rtol=1e-12)
    # The gradient reaches the logits as softmax - one_hot, whether or not the probabilities are read.
    gradient = check_gradients(lambda z: _with_probabilities(labels, z), logits)[0]
    np.testing.assert_allclose(gradient.sum(axis=-1), 0.0, atol=1e-12)


def test_sparse_kernel_takes_the_log_softmax_where_a_probability_underflowed():
    logits = Tensor(np.array([[0.0, 200.0, 0.0], [1.0, 2.0, 3.0]], dtype=np.float32))
    probabilities = ops.softmax(logits)
    assert probabilities.numpy()[0, 0] == 0.0  # exp(-200) is below float32's smallest number
    losses = ops.sparse_softmax_cross_entropy(np.array([0, 2]), logits, probabilities=probabilities).numpy()
    exact = ops.sparse_softmax_cross_entropy(np.array([0, 2]), logits).numpy()
    assert np.isfinite(losses).all()
    np.testing.assert_allclose(losses, exact, rtol=1e-6)
    assert losses[0] == pytest.approx(200.0)


# ---- the sparse kernel taking the batch mean itself (losses/loss.py asks for it) ----------------

@pytest.mark.parametrize("shape,axis,given", [((6, 4), -1, False), ((6, 4), -1, True), ((2, 3, 4), -1, False),
                                              ((4, 3), 0, False)])
def test_sparse_kernel_mean_is_the_mean_of_its_losses_with_the_mean_gradient(shape, axis, given):
    from neuroflow.testing import check_gradients
    classes = shape[axis]
    label_shape = tuple(s for i, s in enumerate(shape) if i != axis % len(shape))
    labels = (np.arange(int(np.prod(label_shape))) * 7 % classes).reshape(label_shape)
    logits = uniform(*shape, seed=11, low=-3, high=3)

    def mean_loss(z):
        probabilities = ops.softmax(z, axis=axis) if given else None
        return ops.sparse_softmax_cross_entropy(labels, z, axis=axis, probabilities=probabilities, mean=True)
    per_sample = ops.sparse_softmax_cross_entropy(labels, logits, axis=axis).numpy()
    assert mean_loss(Tensor(logits)).numpy().shape == ()
    np.testing.assert_allclose(mean_loss(Tensor(logits)).numpy(), per_sample.mean(), rtol=1e-12)
    # float64 finite differences of the mean, and the same gradient as the per-sample op's mean
    # (the same scalar probe: check_gradients draws it from the same seed)
    gradient = check_gradients(mean_loss, logits)[0]
    unfused = check_gradients(lambda z: ops.mean(ops.sparse_softmax_cross_entropy(labels, z, axis=axis)), logits)[0]
    np.testing.assert_allclose(gradient, unfused, rtol=1e-12, atol=1e-15)


def test_sparse_kernel_mean_still_refuses_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"labels in \[0, 4\).*\[7\]"):
        ops.sparse_softmax_cross_entropy(np.array([0, 7, 1]), np.zeros((3, 4)), mean=True)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", ">i4", ">i8", "uint8", "float32"])
def test_label_range_check_catches_negative_and_too_large_labels_in_every_integer_width(dtype):
    from neuroflow.ops.loss_kernels import check_label_range

    check_label_range(numpy.array([0, 2, 1], dtype), 3)
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[3\]"):
        check_label_range(numpy.array([0, 3], dtype), 3)
    if numpy.dtype(dtype).kind != "u":
        with pytest.raises(ValueError, match=r"\[0, 3\).*\[-1\]"):
            check_label_range(numpy.array([0, -1], dtype), 3)
        # More classes than the signed type holds: a negative label must still be caught.
        with pytest.raises(ValueError, match=r"outside that range: \[-1\]"):
            check_label_range(numpy.array([0, -1], dtype), 1 << (8 * numpy.dtype(dtype).itemsize))
