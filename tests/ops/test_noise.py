"""Random ops: dropout masks and Gaussian noise drawn inside the op, with gradient checks."""
import numpy
import pytest

from neuroflow.engine.gradcheck import check_gradients
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import noise


def _fixed(seed=0):
    """A fresh generator per call: the finite differences then see the same noise every time."""
    return numpy.random.default_rng(seed)


def test_dropout_keeps_and_rescales_the_drawn_fraction():
    x = numpy.ones((400, 50))
    out = noise.dropout(x, rate=0.25, generator=_fixed()).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    numpy.testing.assert_allclose(out[kept], 1 / 0.75)
    # The same generator state draws the same mask: what makes a replayed step match an eager one.
    numpy.testing.assert_array_equal(noise.dropout(x, rate=0.25, generator=_fixed()).numpy(), out)


def test_dropout_noise_shape_drops_whole_channels():
    x = numpy.ones((8, 5, 6))
    out = noise.dropout(x, rate=0.5, noise_shape=(8, 1, 6), generator=_fixed()).numpy()
    assert (out == out[:, :1, :]).all()  # one decision per (sample, channel), shared over steps


@pytest.mark.parametrize("name, kwargs", [("dropout", {"rate": 0.4}), ("dropout", {"rate": 0.4, "noise_shape": (3, 1)}),
                                          ("gaussian_noise", {"stddev": 0.7}), ("gaussian_dropout", {"stddev": 0.5})])
def test_noise_op_gradients(name, kwargs):
    op = getattr(noise, name)
    x = numpy.random.default_rng(1).normal(size=(3, 4))
    check_gradients(lambda t: op(t, generator=_fixed(), **kwargs), x)


def test_gaussian_noise_statistics():
    x = numpy.zeros((200, 200))
    added = noise.gaussian_noise(x, stddev=0.5, generator=_fixed()).numpy()
    assert abs(added.mean()) < 0.01 and abs(added.std() - 0.5) < 0.01
    scaled = noise.gaussian_dropout(numpy.ones((200, 200)), stddev=0.5, generator=_fixed()).numpy()
    assert abs(scaled.mean() - 1.0) < 0.01 and abs(scaled.std() - 0.5) < 0.01


def test_dropout_mask_is_a_per_sample_multiplier_without_gradient():
    reference = Tensor(numpy.zeros((6, 9), dtype="float32"))
    mask = noise.dropout_mask(reference, shape=(12,), rate=0.5, generator=_fixed())
    assert mask.shape == (6, 12) and mask.dtype == "float32"
    assert set(numpy.unique(mask.numpy())) <= {0.0, 2.0}
    assert not noise.dropout_mask.differentiable
