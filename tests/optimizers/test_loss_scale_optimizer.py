import numpy as np
import pytest

import neuroflow as nf
from neuroflow import optimizers
from neuroflow.engine import Variable
from neuroflow.optimizers import SGD, LossScaleOptimizer


def test_custom_loop_unscales_the_gradients():
    variable = Variable(np.array([1.0, -2.0]), dtype="float64")
    reference = Variable(np.array([1.0, -2.0]), dtype="float64")
    optimizer, plain = LossScaleOptimizer(SGD(0.1), initial_scale=1024.0), SGD(0.1)
    for _ in range(2):
        with nf.GradientTape() as tape:
            loss = optimizer.scale_loss(nf.ops.sum(nf.ops.square(variable)))
        optimizer.apply(tape.gradient(loss, [variable]), [variable])
        with nf.GradientTape() as tape:
            loss = nf.ops.sum(nf.ops.square(reference))
        plain.apply(tape.gradient(loss, [reference]), [reference])
    np.testing.assert_allclose(variable.numpy(), reference.numpy(), rtol=1e-12)
    assert int(optimizer.iterations) == 2 and optimizer.step_counter == 2


def test_overflow_skips_and_halves_growth_doubles():
    variable = Variable(np.array([1.0]), dtype="float64")
    optimizer = LossScaleOptimizer(SGD(0.1), initial_scale=8.0, dynamic_growth_steps=2)
    optimizer.apply([np.array([np.inf])], [variable])
    assert (float(optimizer.dynamic_scale), int(optimizer.iterations), variable.numpy()[0]) == (4.0, 0, 1.0)
    optimizer.apply([np.array([1.0])], [variable])
    optimizer.apply([np.array([1.0])], [variable])
    assert float(optimizer.dynamic_scale) == 8.0 and optimizer.step_counter == 0
    # apply always divides by the scale, as Keras' does: 1 - 0.1 * (1/4 + 1/4), Keras 3.15 gives 0.95.
    np.testing.assert_allclose(variable.numpy(), [0.95])


def test_dynamic_scale_is_a_float32_variable_that_saves_and_loads():
    optimizer = LossScaleOptimizer(SGD(0.1), initial_scale=8.0)
    assert isinstance(optimizer.dynamic_scale, Variable) and optimizer.dynamic_scale.dtype == "float32"
    assert not optimizer.dynamic_scale.trainable
    optimizer.apply([np.array([np.inf])], [Variable(np.array([1.0]))])
    store = {}
    optimizer.save_own_variables(store)
    again = LossScaleOptimizer(SGD(0.1), initial_scale=8.0)
    again.load_own_variables(store)
    assert float(again.dynamic_scale) == 4.0


def test_fit_matches_the_inner_optimizer():
    rng = np.random.default_rng(0)
    x = rng.random((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = nf.Sequential([nf.Input((3,)), nf.layers.Dense(1)])
    reference = nf.Sequential([nf.Input((3,)), nf.layers.Dense(1)])
    reference.set_weights(model.get_weights())
    model.compile(optimizer=LossScaleOptimizer(SGD(0.1)), loss="mse")
    reference.compile(optimizer=SGD(0.1), loss="mse")
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    reference.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert model.optimizer.learning_rate == pytest.approx(0.1)


def test_config_and_argument_errors():
    optimizer = LossScaleOptimizer(SGD(0.2), initial_scale=64.0, dynamic_growth_steps=10, name="scaled")
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert (type(again), type(again.inner_optimizer), again.initial_scale, again.dynamic_growth_steps, again.name) == (
        LossScaleOptimizer, SGD, 64.0, 10, "scaled")
    with pytest.raises(ValueError, match="dynamic=False"):
        LossScaleOptimizer(SGD(), dynamic=False)
    with pytest.raises(ValueError, match="clipnorm"):
        LossScaleOptimizer(SGD(), clipnorm=1.0)
