"""Many small variables are updated as one flat array: the results must equal one-by-one updates."""
import numpy
import pytest

import neuroflow
from neuroflow import optimizers


def _variables(rng, sizes):
    return [neuroflow.Variable(rng.normal(size=size)) for size in sizes]


@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.01, amsgrad=True), lambda: optimizers.RMSprop(0.01, momentum=0.5),
                                  lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), lambda: optimizers.Adagrad(0.1),
                                  lambda: optimizers.AdamW(0.01)])
def test_packed_equals_one_by_one(rng, make):
    sizes = [(4, 3), (3,), (3, 2), (2,)]
    packed_vars, plain_vars = _variables(rng, sizes), None
    plain_vars = [neuroflow.Variable(v.numpy()) for v in packed_vars]
    packed, plain = make(), make()
    plain._additive_update = False  # the reference: the per-variable path
    for _ in range(3):
        grads = [rng.normal(size=v.shape).astype("float32") for v in packed_vars]
        packed.apply(grads, packed_vars)
        plain.apply(grads, plain_vars)
    assert packed._packed_cache[1] is not None  # the flat path really ran
    for a, b in zip(packed_vars, plain_vars):
        numpy.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)
    # The per-variable slots are views of the flat state: saving sees the same numbers.
    packed_state, plain_state = {}, {}
    packed.save_own_variables(packed_state)
    plain.save_own_variables(plain_state)
    assert packed_state.keys() == plain_state.keys()
    for key in packed_state:
        numpy.testing.assert_allclose(packed_state[key], plain_state[key], rtol=1e-6, atol=1e-7)


def test_loading_state_reaches_the_flat_arrays(rng):
    variables = _variables(rng, [(3, 2), (2,)])
    optimizer = optimizers.Adam(0.1)
    grads = [numpy.ones((3, 2), "float32"), numpy.ones(2, "float32")]
    optimizer.apply(grads, variables)
    state = {}
    optimizer.save_own_variables(state)
    fresh_vars = [neuroflow.Variable(v.numpy()) for v in variables]
    fresh = optimizers.Adam(0.1)
    fresh.build(fresh_vars)
    fresh.load_own_variables(state)
    optimizer.apply(grads, variables)
    fresh.apply(grads, fresh_vars)
    for a, b in zip(variables, fresh_vars):
        numpy.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_large_variables_are_not_packed(rng):
    variables = _variables(rng, [(300, 200), (200,)])
    optimizer = optimizers.Adam()
    optimizer.apply([numpy.ones(v.shape, "float32") for v in variables], variables)
    assert optimizer._packed_cache[1] is None
