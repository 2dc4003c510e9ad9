import numpy as np
import pytest

from neuroflow import optimizers
from neuroflow.engine import Variable
from neuroflow.optimizers import ScheduleFreeAdamW
from tests.metrics._references import ARRAYS
from tests.optimizers._reference import GRADS, W0, run_steps


def _rule(w0, grads, lr, b1, b2, eps, warmup, z_old_is_new=False):
    w = np.asarray(w0, dtype="float64")
    z, v, steps = w.copy(), np.zeros_like(w), []
    for t, g in enumerate(grads, start=1):
        rate = lr * min(t / warmup, 1.0) if warmup else lr
        z_old = z.copy()
        v = v + (g * g - v) * (1 - b2)
        z = z - rate * g / (np.sqrt(v / (1 - b2**t)) + eps)
        if z_old_is_new:
            z_old = z
        x = (w - (1 - b1) * z_old) / b1
        x = (1 - 1 / t) * x + z / t
        w = (1 - b1) * z + b1 * x
        steps.append(w)
    return np.stack(steps)


def test_defaults_and_names():
    optimizer = ScheduleFreeAdamW()
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon,
            optimizer.warmup_steps) == (0.0025, 0.9, 0.999, 1e-8, 0)
    assert type(optimizers.get("schedule_free_adamw")) is ScheduleFreeAdamW
    again = optimizers.deserialize(optimizers.serialize(ScheduleFreeAdamW(warmup_steps=3)))
    assert (type(again), again.warmup_steps) == (ScheduleFreeAdamW, 3)


def test_two_steps_against_rule():
    expected = _rule(W0, GRADS, 0.01, 0.9, 0.999, 1e-8, 0)[-1]
    np.testing.assert_allclose(run_steps(ScheduleFreeAdamW(learning_rate=0.01)), expected, rtol=1e-12)


@pytest.mark.parametrize("key, options", [
    ("ScheduleFreeAdamW", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, warmup=0)),
    ("ScheduleFreeAdamW_warmup", dict(lr=0.05, b1=0.7, b2=0.9, eps=1e-4, warmup=2)),
])
def test_three_steps_against_rule_and_the_keras_fixture(key, options):
    grads = ARRAYS["opt_grads"].astype("float64")
    optimizer = ScheduleFreeAdamW(learning_rate=options["lr"], beta_1=options["b1"], beta_2=options["b2"],
                                  epsilon=options["eps"], warmup_steps=options["warmup"])
    variable = Variable(ARRAYS["opt_w0"].astype("float64"), dtype="float64")
    steps = []
    for grad in grads:
        optimizer.apply_gradients([(grad, variable)])
        steps.append(variable.numpy().copy())
    np.testing.assert_allclose(np.stack(steps), _rule(ARRAYS["opt_w0"], grads, **options), rtol=1e-12)
    # Keras 3.15 on torch: the same rule with the old z read after its in-place update.
    np.testing.assert_allclose(_rule(ARRAYS["opt_w0"], grads, z_old_is_new=True, **options), ARRAYS[f"opt_{key}"],
                               rtol=1e-5, atol=1e-6)
