"""Control flow, custom_gradient, the Fourier transforms, cdist, logdet and the other core ops of issue 10:
float64 gradient checks, functional-API placeholders and argument errors."""
import numpy
import pytest

import neuroflow
from neuroflow import backend, ops
from tests.ops.op_checks import check_grad, uniform


def test_cond_and_switch_gradients():
    x = uniform(3, 4)
    check_grad(lambda a: ops.cond(ops.sum(a) > -100, lambda: ops.sin(a) * a, lambda: a), x)
    check_grad(lambda a: ops.cond(False, lambda: a, lambda: ops.exp(a)), x)
    check_grad(lambda a: ops.switch(5, [lambda v: v, lambda v: ops.square(v)], a), x)  # index clamped to 1
    assert ops.switch(-3, [lambda: 1, lambda: 2]) == 1


def test_loops_gradients():
    x = uniform(3, 4)
    check_grad(lambda a: ops.fori_loop(0, 3, lambda i, v: ops.sin(v) * (i + 1), a), x)
    check_grad(lambda a: ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * ops.cos(v)), (0, a))[1], x)
    assert ops.while_loop(lambda v: True, lambda v: v + 1, 0, maximum_iterations=4) == 4


def test_scan_map_gradients():
    x, c0 = uniform(5, 3), uniform(3, seed=1)
    check_grad(lambda c, xs: ops.scan(lambda c, e: (c * ops.tanh(e), c + e), c0 if c is None else c, xs)[1], c0, x)
    check_grad(lambda c, xs: ops.scan(lambda c, e: (c * ops.tanh(e), c + e), c, xs, reverse=True)[0], c0, x)
    carry, ys = ops.scan(lambda c, _: (c + 1, None), 0, length=3)
    assert carry == 3 and ys is None
    check_grad(lambda xs: ops.associative_scan(lambda p, q: p * q, xs, axis=1), x)
    check_grad(lambda xs: ops.map(lambda e: ops.sum(e * e), xs), x)
    check_grad(lambda xs: ops.vectorized_map(lambda e: {"s": ops.sin(e)}, xs)["s"], x)


def test_vectorize():
    x = uniform(2, 3)
    out = ops.vectorize(lambda a, b: a * b + 1)(x, 2.0)
    numpy.testing.assert_allclose(out.numpy(), x * 2 + 1)
    dot = ops.numpy.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")
    numpy.testing.assert_allclose(dot(x, x[0]).numpy(), x @ x[0])
    check_grad(lambda a: dot(a, a), x)


def test_custom_gradient_uses_grad_fn():
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    x = uniform(4)
    check_grad(log1pexp, x)
    big = ops.convert_to_tensor(numpy.array([100.0]))
    with neuroflow.GradientTape() as tape:
        tape.watch(big)
        y = log1pexp(big)
    numpy.testing.assert_allclose(tape.gradient(y, big).numpy(), [1.0])

    @ops.custom_gradient
    def scaled(a, b):
        return a * b, lambda g: (g * 10.0, None)

    a, b = ops.convert_to_tensor(numpy.ones(2)), ops.convert_to_tensor(numpy.full(2, 3.0))
    with neuroflow.GradientTape() as tape:
        tape.watch([a, b])
        out = ops.sum(scaled(a, b))
    ga, gb = tape.gradient(out, [a, b])
    numpy.testing.assert_allclose(ga.numpy(), [10.0, 10.0])
    assert gb is None
    with pytest.raises(ValueError, match="must return \\(output, grad_fn\\)"):
        ops.custom_gradient(lambda v: v)(a)


@pytest.mark.parametrize("name", ["fft", "fft2", "ifft2"])
def test_complex_transform_gradients(name):
    check_grad(lambda re, im: getattr(ops, name)((re, im)), uniform(2, 4, 5), uniform(2, 4, 5, seed=1))


@pytest.mark.parametrize("length", [None, 5, 8])
def test_rfft_irfft_gradients(length):
    check_grad(lambda a: ops.rfft(a, length), uniform(3, 6))
    check_grad(lambda re, im: ops.irfft((re, im), length), uniform(3, 4), uniform(3, 4, seed=1))


def test_cdist_logdet_slogdet_gradients():
    check_grad(ops.cdist, uniform(2, 4, 3), uniform(2, 5, 3, seed=1))
    coincident = ops.convert_to_tensor(numpy.zeros((1, 2)))
    with neuroflow.GradientTape() as tape:
        tape.watch(coincident)
        d = ops.sum(ops.cdist(coincident, coincident))
    assert numpy.all(numpy.isfinite(tape.gradient(d, coincident).numpy()))
    m = uniform(2, 3, 3)
    spd = m @ numpy.swapaxes(m, -1, -2) + 3 * numpy.eye(3)
    check_grad(ops.logdet, spd)
    check_grad(lambda a: ops.slogdet(a)[1], m)
    numpy.testing.assert_allclose(ops.numpy.slogdet(m)[0].numpy(), numpy.linalg.slogdet(m)[0])


def test_extract_sequences_and_views():
    check_grad(lambda a: ops.extract_sequences(a, 4, 3), uniform(2, 11))
    z = numpy.array([1 + 2j, 3 - 1j])
    pairs = ops.view_as_real(z)
    numpy.testing.assert_array_equal(pairs.numpy(), [[1, 2], [3, -1]])
    numpy.testing.assert_array_equal(ops.view_as_complex(pairs).numpy(), z)


def test_placeholders():
    inputs = neuroflow.Input((6, 4))
    assert ops.map(lambda e: e * 2, inputs).shape == (None, 6, 4)
    assert ops.fft((inputs, inputs))[0].shape == (None, 6, 4)
    assert ops.rfft(inputs, 8)[1].shape == (None, 6, 5)
    assert ops.irfft((inputs, inputs)).shape == (None, 6, 6)
    assert ops.cdist(inputs, inputs).shape == (None, 6, 6)
    assert ops.extract_sequences(inputs, 2, 2).shape == (None, 6, 2, 2)
    assert ops.switch(1, [lambda v: v, lambda v: ops.sum(v, axis=-1)], inputs).shape == (None, 6)
    carry = ops.fori_loop(0, 2, lambda i, v: v + 1.0, inputs)
    model = neuroflow.Model(inputs, [carry, ops.scan(lambda c, e: (c + e, c), ops.zeros((4,)), inputs[0])[1]])
    out = model(numpy.ones((3, 6, 4), "float32"))
    numpy.testing.assert_allclose(out[0].numpy(), 3.0)
    assert out[1].shape == (6, 4)
    with pytest.raises(ValueError, match="needs a concrete `pred`"):
        ops.cond(ops.sum(inputs), lambda: inputs, lambda: inputs)


def test_argument_errors():
    with pytest.raises(ValueError, match="tuple of two tensors"):
        ops.fft(numpy.ones(3))
    with pytest.raises(ValueError, match="fft_length"):
        ops.rfft(numpy.ones(3), fft_length=0)
    with pytest.raises(ValueError, match="same last dimension"):
        ops.cdist(numpy.ones((2, 3)), numpy.ones((2, 4)))
    with pytest.raises(ValueError, match="square matrices"):
        ops.logdet(numpy.ones((2, 3)))
    with pytest.raises(ValueError, match="sequence_stride"):
        ops.extract_sequences(numpy.ones(8), 2, 0)
    with pytest.raises(ValueError, match="`xs` or `length`"):
        ops.scan(lambda c, x: (c, x), 0)
    with pytest.raises(ValueError, match="maximum_iterations"):
        ops.while_loop(lambda v: True, lambda v: v, 0, maximum_iterations=-1)


def test_backend_result_type_and_is_keras_tensor():
    assert backend.result_type("int32", "float32") == "float32"
    assert backend.result_type("uint8", "int8") == "int16"
    assert backend.result_type("int8", int) == "int8"
    assert backend.result_type(int) == "int32"
    assert backend.result_type("int32", float) == backend.floatx()
    assert backend.is_keras_tensor(neuroflow.Input((2,)))
    assert not backend.is_keras_tensor(ops.ones((2,)))


def test_stft_istft_gradients_and_round_trip():
    x = uniform(2, 32)
    check_grad(lambda a: ops.stft(a, 10, 4, 16), x)
    check_grad(lambda a: ops.stft(a, 8, 3, 8, window=None, center=False), x)
    real, imag = ops.stft(x, 10, 4, 16)
    numpy.testing.assert_allclose(ops.istft((real, imag), 10, 4, 16).numpy(), x, atol=1e-10)
    check_grad(lambda p, q: ops.istft((p, q), 10, 4, 16), real.numpy(), imag.numpy())
    assert ops.stft(neuroflow.Input((32,)), 10, 4, 16)[0].shape == (None, 9, 9)
    with pytest.raises(ValueError, match="fft_length >= sequence_length"):
        ops.stft(x, 16, 4, 8)
    with pytest.raises(ValueError, match="`window`"):
        ops.stft(x, 10, 4, 16, window="blackman")


def test_rearrange():
    x = uniform(2, 6, 4)
    numpy.testing.assert_array_equal(ops.rearrange(x, "b h w -> b (h w)").numpy(), x.reshape(2, 24))
    numpy.testing.assert_array_equal(ops.rearrange(x, "b (h1 h) w -> b h1 w h", h1=3).numpy(),
                                     x.reshape(2, 3, 2, 4).transpose(0, 1, 3, 2))
    check_grad(lambda a: ops.rearrange(a, "b h w -> w (b h)"), x)
    assert ops.rearrange(neuroflow.Input((6, 4)), "b h w -> b w h").shape == (None, 4, 6)
    with pytest.raises(ValueError, match="names 2 input axes"):
        ops.rearrange(x, "b h -> h b")
    with pytest.raises(ValueError, match="each axis named once"):
        ops.rearrange(x, "b h w -> b h")
    with pytest.raises(ValueError, match="do not make the input axis"):
        ops.rearrange(x, "b (h1 h) w -> b h1 h w", h1=4)


def test_jvp_matches_finite_differences():
    x, t = uniform(2, 3), uniform(2, 3, seed=1)

    def fun(a, b):
        return {"y": ops.sin(a) * b, "z": ops.sum(a * a)}

    out, tangent = ops.jvp(fun, (x, x[0]), (t, t[0]))
    eps = 1e-6
    plus, minus = fun(x + eps * t, x[0] + eps * t[0]), fun(x - eps * t, x[0] - eps * t[0])
    for key in ("y", "z"):
        numpy.testing.assert_allclose(tangent[key].numpy(), (plus[key].numpy() - minus[key].numpy()) / (2 * eps),
                                      rtol=1e-6, atol=1e-8)
    _, _, aux = ops.linalg.jvp(lambda a: (ops.exp(a), "aux"), (x,), (t,), has_aux=True)
    assert aux == "aux"
    with pytest.raises(ValueError, match="same structure and shapes|structure and shapes of primals"):
        ops.jvp(ops.sin, (x,), (t[0],))
