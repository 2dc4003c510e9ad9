"""Random ops: dropout masks and Gaussian noise drawn inside the op, with gradient checks."""
import numpy
import pytest

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import noise
from neuroflow.testing import check_gradients, device_standin


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


def test_alpha_dropout_is_the_affine_map_of_the_drawn_mask():
    x = numpy.random.default_rng(2).normal(size=(50, 40))
    rate = 0.2
    keep = _fixed().random(x.shape, dtype=numpy.float32) >= rate  # the op's draw, repeated
    alpha_p = -1.0507009873554805 * 1.6732632423543772
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    expected = numpy.where(keep, a * x + b, a * alpha_p + b)
    numpy.testing.assert_allclose(noise.alpha_dropout(x, rate=rate, generator=_fixed()).numpy(), expected,
                                  rtol=1e-12)
    # The numbers Keras 3.15 (torch) gives for rate 0.2: dropped units become -1.2361598,
    # kept ones a * x + b with b = 0.30904001, a = 1.1879435 - 0.30904001.
    assert a * alpha_p + b == pytest.approx(-1.2361598, abs=1e-6)
    assert b == pytest.approx(0.30904001, abs=1e-6) and a + b == pytest.approx(1.1879435, abs=1e-6)


def test_alpha_dropout_keeps_zero_mean_unit_variance_and_dtype():
    x = numpy.random.default_rng(3).normal(size=(400, 250)).astype("float32")
    out = noise.alpha_dropout(x, rate=0.3, generator=_fixed()).numpy()
    assert out.dtype == numpy.float32
    assert abs(out.mean()) < 0.01 and abs(out.std() - 1.0) < 0.01
    shared = noise.alpha_dropout(x[:8, :30].reshape(8, 5, 6), rate=0.5, noise_shape=(8, 1, 6),
                                 generator=_fixed()).numpy()
    dropped = numpy.isclose(shared, -0.77919393, atol=1e-6)  # a * alpha' + b at rate 0.5
    assert 0.2 < dropped.mean() < 0.8
    assert (dropped == dropped[:, :1, :]).all()  # one decision per (sample, channel)


@pytest.mark.parametrize("kwargs", [{"rate": 0.3}, {"rate": 0.6, "noise_shape": (3, 1)}])
def test_alpha_dropout_gradients(kwargs):
    x = numpy.random.default_rng(1).normal(size=(3, 4))
    check_gradients(lambda t: noise.alpha_dropout(t, generator=_fixed(), **kwargs), x)


@pytest.mark.parametrize("name, kwargs", [("dropout", {"rate": 0.3}), ("alpha_dropout", {"rate": 0.3}),
                                          ("dropout_mask", {"shape": (7,), "rate": 0.3})])
def test_masks_move_to_the_device_as_one_byte_per_entry_and_equal_numpy(name, kwargs, on_numpy):
    x = numpy.random.default_rng(3).normal(size=(6, 7)).astype("float32")
    host = getattr(noise, name)(x, generator=_fixed(), **kwargs).numpy()
    with device_standin.use_standin():
        on_device = Tensor(backend.xp.asarray(x))
        device_standin.reset_counters()
        result = getattr(noise, name)(on_device, generator=_fixed(), **kwargs)
        # One copy of the drawn booleans (42 bytes), not the float32 multipliers (168 bytes each).
        assert (device_standin.host_to_device.count, device_standin.host_to_device.bytes) == (1, 42)
        assert device_standin.device_to_host.count == 0
        numpy.testing.assert_array_equal(result.numpy(), host)
