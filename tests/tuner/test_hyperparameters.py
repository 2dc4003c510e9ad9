"""The HyperParameters container: declaring and reading values, conditional scopes, copies."""
import pytest

from neuroflow.tuner import HyperParameters


def test_declaring_returns_the_default_and_registers_the_range():
    hp = HyperParameters()
    assert hp.Int("units", 32, 512, step=32) == 32
    assert hp.Float("lr", 1e-4, 1e-2, sampling="log", default=1e-3) == 1e-3
    assert hp.Choice("activation", ["relu", "tanh"]) == "relu"
    assert hp.Boolean("dropout") is False
    assert hp.Fixed("batch_size", 64) == 64
    assert [p.name for p in hp.space] == ["units", "lr", "activation", "dropout", "batch_size"]
    assert hp.values == {"units": 32, "lr": 1e-3, "activation": "relu", "dropout": False, "batch_size": 64}
    assert hp.get("units") == 32 and hp["lr"] == 1e-3 and "units" in hp and "other" not in hp


def test_a_declared_value_set_by_the_tuner_is_returned():
    hp = HyperParameters()
    hp.values["units"] = 256
    assert hp.Int("units", 32, 512, step=32) == 256
    # Declaring again returns the current value and does not duplicate the range.
    assert hp.Int("units", 32, 512, step=32) == 256 and len(hp.space) == 1


def test_conditional_scope_activates_only_with_the_parent_value():
    hp = HyperParameters()
    kind = hp.Choice("model_type", ["mlp", "cnn"])
    with hp.conditional_scope("model_type", ["mlp"]):
        units = hp.Int("units", 32, 128, step=32)
    with hp.conditional_scope("model_type", "cnn"):
        filters = hp.Int("filters", 8, 32, step=8)
    assert kind == "mlp" and units == 32 and filters is None
    assert hp.is_active("units") and not hp.is_active("filters")
    with pytest.raises(ValueError, match="inactive"):
        hp.get("filters")
    with pytest.raises(KeyError, match="does not exist"):
        hp.get("kernel_size")
    assert "filters" not in hp.values and [p.name for p in hp.space] == ["model_type", "units", "filters"]


def test_conditional_values_follow_the_parent_chosen_by_the_tuner():
    hp = HyperParameters()
    hp.values["model_type"] = "cnn"
    hp.Choice("model_type", ["mlp", "cnn"])
    assert hp.Int("units", 32, 128, step=32, parent_name="model_type", parent_values=["mlp"]) is None
    assert hp.Int("filters", 8, 32, step=8, parent_name="model_type", parent_values=["cnn"]) == 8
    assert hp.values == {"model_type": "cnn", "filters": 8}


def test_nested_conditions_need_every_parent():
    hp = HyperParameters()
    hp.values.update(layers=2, use_dropout=True)
    hp.Int("layers", 1, 2)
    with hp.conditional_scope("layers", [2]):
        hp.Boolean("use_dropout")
        with hp.conditional_scope("use_dropout", [True]):
            assert hp.Float("rate", 0.1, 0.5) == 0.1
    hp.values["layers"] = 1
    hp.ensure_active_values()
    assert hp.values == {"layers": 1}
    hp.values["layers"] = 2
    hp.ensure_active_values()
    # Newly active ones come back at their default.
    assert hp.values == {"layers": 2, "use_dropout": False}


def test_a_scope_on_an_undeclared_parent_is_refused():
    hp = HyperParameters()
    with pytest.raises(ValueError, match="parent hyperparameter 'kind' is not defined"):
        with hp.conditional_scope("kind", ["a"]):
            pass


def test_name_scope_prefixes_the_names():
    hp = HyperParameters()
    with hp.name_scope("block_1"):
        hp.Int("units", 1, 4)
    assert hp.values == {"block_1/units": 1} and hp.get("block_1/units") == 1


def test_copy_and_config_round_trip_keep_space_conditions_and_values():
    hp = HyperParameters()
    hp.Choice("kind", ["a", "b"])
    hp.Float("x", 0.0, 1.0, parent_name="kind", parent_values=["a"])
    copied = hp.copy()
    copied.values["x"] = 0.5
    assert hp.values["x"] == 0.0
    assert copied.get_config()["space"] == hp.get_config()["space"]
    assert copied.space[1].conditions[0].name == "kind" and copied.space[1].conditions[0].values == ["a"]


def test_merge_adds_new_hyperparameters_only_once():
    first, second = HyperParameters(), HyperParameters()
    first.Int("a", 0, 3)
    second.Int("a", 0, 3)
    second.Choice("b", ["x", "y"])
    first.merge(second)
    assert [p.name for p in first.space] == ["a", "b"]
