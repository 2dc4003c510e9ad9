"""DTypePolicy, get / serialize / deserialize and the global policy, against Keras' recorded answers."""
import json
import os

import pytest

from neuroflow import backend, dtype_policies, mixed_precision
from neuroflow.dtype_policies import DTypePolicy, FloatDTypePolicy

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "config_fixtures", "keras_config.json")) as _file:
    KERAS = json.load(_file)


@pytest.fixture(autouse=True)
def _reset_policy():
    yield
    dtype_policies.reset_dtype_policy()


@pytest.mark.parametrize("name", sorted(KERAS["policies"]))
def test_policy_matches_keras(name):
    expected = KERAS["policies"][name]
    policy = DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
        expected["name"], expected["compute_dtype"], expected["variable_dtype"])
    assert repr(policy) == expected["repr"]
    assert policy.get_config() == expected["config"]
    assert dtype_policies.serialize(policy) == expected["serialized"]
    assert dtype_policies.deserialize(expected["serialized"]) == policy
    assert policy.quantization_mode is None


def test_default_name_is_global_policy():
    assert DTypePolicy().name == "float32"
    backend.set_floatx("float64")
    assert DTypePolicy().name == "float64"


def test_bad_names():
    with pytest.raises(TypeError, match="'name' must be a string"):
        DTypePolicy(3)
    with pytest.raises(ValueError, match="Cannot convert 'int8'"):
        DTypePolicy("int8")
    with pytest.raises(ValueError, match="Cannot convert 'bfloat16'"):
        DTypePolicy("bfloat16")


def test_equality_and_float_policy():
    assert DTypePolicy("float32") == FloatDTypePolicy("float32")
    assert DTypePolicy("float32") != DTypePolicy("float64")
    assert repr(FloatDTypePolicy("float16")) == '<DTypePolicy "float16">'
    assert isinstance(FloatDTypePolicy("float16"), DTypePolicy)


def test_get():
    assert dtype_policies.get(None) == DTypePolicy("float32")
    assert dtype_policies.get("float64") == DTypePolicy("float64")
    policy = DTypePolicy("float16")
    assert dtype_policies.get(policy) is policy
    assert dtype_policies.get({"class_name": "DTypePolicy", "config": {"name": "float64"}}).name == "float64"
    with pytest.raises(ValueError, match="Cannot interpret `dtype`"):
        dtype_policies.get(3)
    with pytest.raises(ValueError, match="unknown class_name"):
        dtype_policies.deserialize({"class_name": "Nope", "config": {}})


def test_set_and_read_global_policy():
    dtype_policies.set_dtype_policy(DTypePolicy("float64"))
    assert dtype_policies.dtype_policy().name == "float64"
    assert mixed_precision.global_policy().name == "float64"
    mixed_precision.set_global_policy("float16")
    assert mixed_precision.dtype_policy() == mixed_precision.Policy("float16")


def test_mixed_float16_is_put_in_force():
    mixed_precision.set_global_policy("mixed_float16")
    policy = mixed_precision.global_policy()
    assert (policy.name, policy.compute_dtype, policy.variable_dtype, policy.is_mixed) == \
        ("mixed_float16", "float16", "float32", True)


def test_mixed_bfloat16_is_described_but_refused_naming_the_missing_dtype():
    policy = mixed_precision.Policy("mixed_bfloat16")
    assert policy.is_mixed and policy.compute_dtype == "bfloat16"
    with pytest.raises(NotImplementedError, match="(NumPy|CuPy) has no bfloat16 dtype.*'mixed_float16'"):
        mixed_precision.set_global_policy(policy)
    assert mixed_precision.global_policy().name == "float32"
