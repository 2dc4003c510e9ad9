import numpy as np
import pytest

from neuroflow.engine import Variable
from neuroflow.optimizers import SGD
from tests.optimizers._reference import GRADS, W0, run_steps


def test_defaults():
    optimizer = SGD()
    assert (optimizer.learning_rate, optimizer.momentum, optimizer.nesterov, optimizer.name) == (0.01, 0.0, False, "SGD")


def test_plain_step_worked_numbers():
    # w = w - lr * g: [1, 2] - 0.5 * [1, 6] = [0.5, -1]
    variable = Variable(np.array([1.0, 2.0], dtype="float32"))
    SGD(learning_rate=0.5).apply_gradients([(np.array([1.0, 6.0], dtype="float32"), variable)])
    np.testing.assert_allclose(variable.numpy(), [0.5, -1.0])
    assert variable.dtype == "float32"


def test_momentum_two_steps_against_rule():
    lr, mu = 0.1, 0.9
    w, v = W0.copy(), np.zeros(4)
    for g in GRADS:
        v = mu * v - lr * g
        w = w + v
    np.testing.assert_allclose(run_steps(SGD(learning_rate=lr, momentum=mu)), w, rtol=1e-12)


def test_momentum_worked_numbers():
    # step 1: v = -0.1 * 1 = -0.1, w = 1 - 0.1 = 0.9; step 2: v = 0.9 * -0.1 - 0.1 * 1 = -0.19, w = 0.71
    value = run_steps(SGD(learning_rate=0.1, momentum=0.9), grads=[np.array([1.0])] * 2, w0=[1.0])
    np.testing.assert_allclose(value, [0.71], rtol=1e-12)


def test_nesterov_two_steps_against_rule():
    lr, mu = 0.1, 0.9
    w, v = W0.copy(), np.zeros(4)
    for g in GRADS:
        v = mu * v - lr * g
        w = w + mu * v - lr * g
    np.testing.assert_allclose(run_steps(SGD(learning_rate=lr, momentum=mu, nesterov=True)), w, rtol=1e-12)


def test_nesterov_worked_numbers():
    # step 1: v = -0.1, w = 1 + 0.9 * -0.1 - 0.1 = 0.81
    value = run_steps(SGD(learning_rate=0.1, momentum=0.9, nesterov=True), grads=[np.array([1.0])], w0=[1.0])
    np.testing.assert_allclose(value, [0.81], rtol=1e-12)


def test_momentum_slot_only_when_needed():
    variable = Variable(np.zeros(3))
    plain, heavy = SGD(), SGD(momentum=0.5)
    plain.apply_gradients([(np.ones(3), variable)])
    heavy.apply_gradients([(np.ones(3), variable)])
    assert plain.variables == []
    assert [v.shape for v in heavy.variables] == [(3,)]


@pytest.mark.parametrize("momentum", [-0.1, 1.5, "0.9"])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=momentum)
