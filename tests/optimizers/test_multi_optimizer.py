import numpy as np
import pytest

import neuroflow as nf
from neuroflow import optimizers
from neuroflow.optimizers import SGD, Adam, MultiOptimizer, OptimizerMap

rng = np.random.default_rng(0)
X = rng.random((16, 3)).astype("float32")
Y = X.sum(axis=1, keepdims=True)


def _model():
    return nf.Sequential([nf.Input((3,)), nf.layers.Dense(2, name="a"), nf.layers.Dense(1, name="b")])


def test_routes_variables_by_path_pattern():
    sgd, adam = SGD(0.1), Adam(0.01)
    model = _model()
    multi = MultiOptimizer(OptimizerMap(adam, {"a/.*": sgd}))
    model.compile(optimizer=multi, loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(X, Y, epochs=1, batch_size=16, verbose=0)
    assert (int(sgd.iterations), int(adam.iterations), int(multi.iterations)) == (1, 1, 1)
    assert multi.optimizers == [sgd, adam]
    assert all((b != a).any() for b, a in zip(before, model.get_weights()))
    assert len(adam.variables) == 4   # m and v for b/kernel and b/bias only


def test_sgd_part_matches_a_plain_sgd():
    model, reference = _model(), _model()
    reference.set_weights(model.get_weights())
    model.compile(optimizer=MultiOptimizer(OptimizerMap(SGD(0.05), {"b/kernel": SGD(0.05)})), loss="mse")
    reference.compile(optimizer=SGD(0.05), loss="mse")
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    reference.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_learning_rate_is_the_inner_optimizers():
    multi = MultiOptimizer(OptimizerMap(SGD()))
    with pytest.raises(AttributeError, match="sub-optimizers"):
        _ = multi.learning_rate
    with pytest.raises(AttributeError, match="sub-optimizers"):
        multi.learning_rate = 0.1


def test_map_errors():
    with pytest.raises(TypeError, match="default_optimizer"):
        OptimizerMap("adam")
    mapping = OptimizerMap(SGD(), {"a.*": Adam()})
    with pytest.raises(ValueError, match="already exists"):
        mapping["a.*"] = SGD()
    mapping["a/k.*"] = SGD()
    with pytest.raises(ValueError, match="Multiple optimizers"):
        mapping["a/kernel"]


def test_serialize_round_trip():
    multi = MultiOptimizer(OptimizerMap(Adam(0.01), {"a/.*": SGD(0.1)}), name="multi")
    again = optimizers.deserialize(optimizers.serialize(multi))
    assert type(again) is MultiOptimizer and again.name == "multi"
    assert [type(o) for o in again.optimizers] == [SGD, Adam]
    assert again.get_config() == multi.get_config()


def test_saved_model_keeps_the_multi_optimizer(tmp_path):
    model = _model()
    model.compile(optimizer=MultiOptimizer(OptimizerMap(Adam(0.01), {"a/.*": SGD(0.1)})), loss="mse")
    model.fit(X, Y, epochs=1, verbose=0)
    path = str(tmp_path / "multi.keras")
    model.save(path)
    loaded = nf.models.load_model(path)
    assert type(loaded.optimizer) is MultiOptimizer
    assert [type(o) for o in loaded.optimizer.optimizers] == [SGD, Adam]
    loaded.fit(X, Y, epochs=1, verbose=0)
