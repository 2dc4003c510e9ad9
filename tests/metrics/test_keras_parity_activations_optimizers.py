"""The Keras 3.x activations and the Lion / Lamb optimizers against Keras' recorded values."""
import numpy
import pytest

from neuroflow import activations, optimizers
from neuroflow.engine import Variable
from neuroflow.ops import convert_to_tensor
from tests.metrics._references import ARRAYS, FACTS, base_name

X = ARRAYS["act_x"]
NAMES = ["celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus", "sparse_sigmoid",
         "squareplus", "tanh_shrink"]
OPTIONS = {
    "act_celu_alpha": lambda x: activations.celu(x, alpha=0.5),
    "act_glu_axis0": lambda x: activations.glu(x, axis=0),
    "act_hard_shrink_1": lambda x: activations.hard_shrink(x, threshold=1.0),
    "act_soft_shrink_1": lambda x: activations.soft_shrink(x, threshold=1.0),
    "act_squareplus_b1": lambda x: activations.squareplus(x, b=1),
    "act_threshold": lambda x: activations.threshold(x, 0.5, -2.0),
}


@pytest.mark.parametrize("name", NAMES)
def test_activation_matches_keras(name):
    out = activations.get(name)(convert_to_tensor(X))
    assert out.dtype == "float32"
    numpy.testing.assert_allclose(out.numpy(), ARRAYS[f"act_{name}"], rtol=1e-5, atol=1e-6)
    assert activations.serialize(activations.get(name)) == name


@pytest.mark.parametrize("key", sorted(OPTIONS))
def test_activation_options_match_keras(key):
    numpy.testing.assert_allclose(OPTIONS[key](convert_to_tensor(X)).numpy(), ARRAYS[key], rtol=1e-5, atol=1e-6)


def _sparsemax_by_definition(row):
    # The projection onto the simplex (Martins and Astudillo, 2016), by bisection on tau.
    low, high = row.min() - 1.0, row.max()
    for _ in range(200):
        tau = (low + high) / 2
        low, high = (tau, high) if numpy.maximum(row - tau, 0).sum() > 1 else (low, tau)
    return numpy.maximum(row - (low + high) / 2, 0)


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_simplex_projection(axis):
    # Keras 3.15's sparsemax takes tau from the sum of the partial sums over the support, not from
    # the k-th partial sum ([1.0, 1.2] gives [0, 0]); neuroflow follows the paper Keras cites.
    out = activations.sparsemax(convert_to_tensor(X.astype("float64")), axis=axis).numpy()
    expected = numpy.apply_along_axis(_sparsemax_by_definition, axis, X.astype("float64"))
    numpy.testing.assert_allclose(out, expected, atol=1e-9)
    numpy.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-12)
    numpy.testing.assert_allclose(activations.sparsemax(convert_to_tensor([1.0, 1.2])).numpy(), [0.4, 0.6])


OPTIMIZERS = {
    "Lion": lambda: optimizers.Lion(learning_rate=0.1),
    "Lion_betas": lambda: optimizers.Lion(learning_rate=0.05, beta_1=0.5, beta_2=0.9),
    "Lamb": lambda: optimizers.Lamb(learning_rate=0.1),
    "Lamb_betas": lambda: optimizers.Lamb(learning_rate=0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
    "Adafactor": lambda: optimizers.Adafactor(learning_rate=0.1),
    "Adafactor_options": lambda: optimizers.Adafactor(learning_rate=0.5, beta_2_decay=-0.5, epsilon_2=0.1,
                                                      clip_threshold=0.5),
    "ScheduleFreeAdamW": lambda: optimizers.ScheduleFreeAdamW(learning_rate=0.1),
    "ScheduleFreeAdamW_warmup": lambda: optimizers.ScheduleFreeAdamW(learning_rate=0.05, beta_1=0.7, beta_2=0.9,
                                                                     epsilon=1e-4, warmup_steps=2),
    "Muon": lambda: optimizers.Muon(learning_rate=0.1),
    "Muon_options": lambda: optimizers.Muon(learning_rate=0.05, nesterov=False, momentum=0.8, rms_rate=None,
                                            weight_decay=0.1, adam_weight_decay=0.2, adam_lr_ratio=0.5, ns_steps=3),
}


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_optimizer_steps_match_keras(key):
    optimizer = OPTIMIZERS[key]()
    # A matrix and a vector together: one optimizer over two variables of different ranks.
    variable = Variable(ARRAYS["opt_w0"].copy(), dtype="float32")
    vector = Variable(ARRAYS["opt_w0"][0].copy(), dtype="float32")
    steps, vector_steps = [], []
    for grad in ARRAYS["opt_grads"]:
        optimizer.apply_gradients([(grad, variable), (grad[1].copy(), vector)])
        steps.append(variable.numpy().copy())
        vector_steps.append(vector.numpy().copy())
    # ScheduleFreeAdamW: Keras' torch backend reads the momentum after updating it in place (its
    # `momentum_old` aliases the new value), so only its first step is the algorithm's; the later
    # steps are checked against the rule in tests/optimizers/test_schedule_free_adamw.py.
    compared = 1 if key.startswith("ScheduleFree") else len(steps)
    numpy.testing.assert_allclose(numpy.stack(steps)[:compared], ARRAYS[f"opt_{key}"][:compared], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(numpy.stack(vector_steps)[:compared], ARRAYS[f"opt_{key}_vector"][:compared],
                                  rtol=1e-5, atol=1e-6)
    config = optimizer.get_config()
    for name, value in FACTS["configs"][f"opt_{key}"].items():
        if name == "name":
            assert config[name] == base_name(value)
        elif isinstance(value, float):
            assert config[name] == pytest.approx(value), name
        else:
            assert config[name] == value, name
