import numpy as np

from neuroflow import optimizers
from neuroflow.engine import Variable
from neuroflow.optimizers import Muon


def test_defaults_names_and_config():
    optimizer = Muon()
    assert (optimizer.momentum, optimizer.ns_steps, optimizer.nesterov, optimizer.rms_rate) == (0.95, 5, True, 0.2)
    assert type(optimizers.get("muon")) is Muon
    again = optimizers.deserialize(optimizers.serialize(Muon(exclude_layers=["head"], ns_steps=2)))
    assert (again.exclude_layers, again.ns_steps) == (["head"], 2)


def test_which_variables_take_adamw():
    optimizer = Muon()
    kernel = Variable(np.ones((3, 2)), name="dense/kernel")
    bias = Variable(np.ones(2), name="dense/bias")
    table = Variable(np.ones((5, 2)), name="embedding/embeddings")
    head = Variable(np.ones((2, 2)), name="head/kernel")
    optimizer.exclude_layers = ["head"]
    assert [optimizer._should_use_adamw(v) for v in (kernel, bias, table, head)] == [False, True, True, True]


def test_muon_step_is_orthogonal_up_to_scale():
    # With ns_steps large enough, the update direction of a square matrix is close to orthogonal.
    optimizer = Muon(learning_rate=1.0, weight_decay=None, rms_rate=None, nesterov=False, ns_steps=10)
    variable = Variable(np.zeros((3, 3)), dtype="float64")
    gradient = np.random.default_rng(0).normal(size=(3, 3))
    optimizer.apply_gradients([(gradient, variable)])
    update = -variable.numpy()
    singular_values = np.linalg.svd(update, compute_uv=False)
    assert np.all((singular_values > 0.6) & (singular_values < 1.3))
